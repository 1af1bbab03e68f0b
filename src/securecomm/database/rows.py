"""Row helpers that spare statements in a unit of work: an insert that leaves an
existing row alone, and a lookup by a unique column asked once per session."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar, cast

from sqlalchemy import Select, Table, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import InstrumentedAttribute, Session

from securecomm.database.base import Base

Row = TypeVar("Row", bound=Base)
_FOUND = "securecomm.rows.found"  # session.info key: (model, column, value) -> row
# by_unique's statements, built once per model and column: building a SELECT costs more
# Python than the lookup it makes.
_LOOKUPS: dict[tuple[type[Base], str, bool], Select[Any]] = {}


def insert_unless_present(
    session: Session,
    model: type[Base],
    *,
    unique: str | tuple[str, ...],
    rows: Sequence[dict[str, Any]],
    refers_to: tuple[type[Base], ...] | None = None,
) -> int:
    """``INSERT … ON CONFLICT (unique) DO NOTHING`` of ``rows`` in the session's unit of
    work, one statement: a row whose unique value (one column, or a composite key) is
    there already is kept as it is (a step retried after a crash makes its messages
    again; a message delivered twice; two workers adding the same alias at once), with
    no SELECT first and no race between a look and an insert. Returns how many rows
    were new. ``refers_to``: the models the rows' foreign keys point at; the unit's
    pending changes are then flushed first only when a new row of one of them (or of
    ``model``) is pending."""
    if not rows:
        return 0
    table = cast(Table, model.__table__)
    key = (unique,) if isinstance(unique, str) else unique
    statement = insert_ignoring_conflicts(session.get_bind().dialect.name, table, key).returning(
        table.c[key[0]]  # the rows inserted: rowcount is not portable
    )
    # The rows as parameters, not as literal VALUES: one compiled statement for every
    # call (cached), sent as one multi-row INSERT (SQLAlchemy's insertmanyvalues).
    if refers_to is None or flush_if_new(session, model, *refers_to)["autoflush"]:
        return len(session.execute(statement, list(rows)).all())
    with session.no_autoflush:  # a Core statement ignores the autoflush option
        return len(session.execute(statement, list(rows)).all())


def insert_ignoring_conflicts(
    backend: str, table: Table, unique: tuple[str, ...]
) -> postgresql.Insert | sqlite.Insert:
    """``INSERT … ON CONFLICT (unique) DO NOTHING`` into ``table``, in ``backend``'s words."""
    dialect_insert = postgresql.insert if backend == "postgresql" else sqlite.insert
    return dialect_insert(table).on_conflict_do_nothing(index_elements=list(unique))


def by_unique(
    session: Session,
    model: type[Row],
    column: InstrumentedAttribute[Any],
    value: object,
    *,
    lock: bool = False,
) -> Row | None:
    """The row whose unique ``column`` holds ``value``. The first call in a unit of work
    asks the database; later ones answer from the session (the steps of one submission
    look up the same transaction and case at each step). The row is held here: the
    session's identity map keeps unchanged rows only while something else does. A row
    not found is asked for again: a later step may have added it. ``lock``: read it
    ``FOR UPDATE`` (waiting for a unit that is changing it, then reading what it wrote),
    always from the database."""
    found: dict[tuple[str, str, object], Any] = session.info.setdefault(_FOUND, {})
    memo = (model.__name__, column.key, value)
    held = found.get(memo)
    if not lock and held is not None and held in session and getattr(held, column.key) == value:
        return cast(Row, held)
    # A locked read refreshes the row with what the unit that held the lock wrote, so
    # this unit's own changes go to the database first rather than being overwritten.
    options = (
        {"autoflush": True, "populate_existing": True} if lock else flush_if_new(session, model)
    )
    row: Row | None = session.scalar(
        _lookup(model, column, lock), {"value": value}, execution_options=options
    )
    if row is not None:
        found[memo] = row
    return row


def _lookup(model: type[Base], column: InstrumentedAttribute[Any], lock: bool) -> Select[Any]:
    statement = _LOOKUPS.get((model, column.key, lock))
    if statement is None:
        statement = select(model).where(column == bindparam("value"))
        if lock:
            statement = statement.with_for_update()
        _LOOKUPS[(model, column.key, lock)] = statement
    return statement


def flush_if_new(session: Session, *models: type[Base]) -> dict[str, bool]:
    """Execution options for a statement that reads ``models`` rows by columns never
    changed once written (or refers to them): the unit's pending changes are flushed
    first only when a new row of one of them is among them (it may be the row looked
    for). Each flush has a fixed cost; the unit's changes otherwise go in one flush with
    the commit."""
    return {"autoflush": any(isinstance(new, models) for new in session.new)}
