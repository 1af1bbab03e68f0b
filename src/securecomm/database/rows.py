"""Row helpers that spare statements in a unit of work: an insert that leaves an
existing row alone, and a lookup by a unique column asked once per session."""

from __future__ import annotations

from typing import Any, TypeVar, cast

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import InstrumentedAttribute, Session

from securecomm.database.base import Base

Row = TypeVar("Row", bound=Base)
_FOUND = "securecomm.rows.found"  # session.info key: (model, column, value) -> row


def insert_unless_present(
    session: Session, model: type[Base], *, unique: str, values: dict[str, Any]
) -> None:
    """``INSERT … ON CONFLICT (unique) DO NOTHING`` in the session's unit of work: a row
    already holding the unique value is kept as it is (a step retried after a crash
    makes its messages again), with no SELECT before the insert."""
    backend = session.get_bind().dialect.name
    dialect_insert = postgresql.insert if backend == "postgresql" else sqlite.insert
    statement = dialect_insert(model).values(**values)
    session.execute(statement.on_conflict_do_nothing(index_elements=[unique]))


def by_unique(
    session: Session, model: type[Row], column: InstrumentedAttribute[Any], value: object
) -> Row | None:
    """The row whose unique ``column`` holds ``value``. The first call in a unit of work
    asks the database; later ones answer from the session (the steps of one submission
    look up the same transaction and case at each step). The row is held here: the
    session's identity map keeps unchanged rows only while something else does. A row
    not found is asked for again: a later step may have added it."""
    found: dict[tuple[str, str, object], Any] = session.info.setdefault(_FOUND, {})
    memo = (model.__name__, column.key, value)
    held = found.get(memo)
    if held is not None and held in session and getattr(held, column.key) == value:
        return cast(Row, held)
    row = session.scalar(select(model).where(column == value))
    if row is not None:
        found[memo] = row
    return row
