"""Rows a unit of work appends and does not read back (audit events, outbox messages),
sent as one multi-row INSERT per table instead of one statement each.

A booking's steps recorded four or five audit events and as many outbox messages, each
written by its own statement at the next flush: a fifth of the booking's statements.
Deferred, they wait in the session until a statement may read them back (one about
their tables, or one the ORM cannot tell about), a savepoint begins, or the unit
commits; then each table's rows go in one statement. A rollback drops the
rows not yet sent, as it drops everything else the unit did; rows sent inside a
savepoint that is rolled back go with it (``savepoint``).

The rows' foreign keys point at rows already in the database: an id is only known
once its row was flushed."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy import Insert, Table, event, insert
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql.dml import UpdateBase

from securecomm.database.base import Base
from securecomm.database.rows import insert_ignoring_conflicts

_PENDING = "securecomm.deferred.rows"  # session.info: {(table, unique key): [row, ...]}
_Group = tuple[Table, tuple[str, ...] | None]


def defer_insert(
    session: Session,
    model: type[Base],
    row: Mapping[str, Any],
    *,
    unless_present: tuple[str, ...] | None = None,
) -> None:
    """Insert ``row`` with the unit's next statement or at its commit. ``unless_present``:
    the unique columns whose value, when a row has it already, makes this row a no-op
    (``ON CONFLICT … DO NOTHING``: a step run again makes its messages again)."""
    pending: dict[_Group, list[Mapping[str, Any]]] = session.info.setdefault(_PENDING, {})
    pending.setdefault((cast(Table, model.__table__), unless_present), []).append(row)


def send_deferred(session: Session) -> None:
    """Send the unit's deferred rows now, one statement per table."""
    pending: dict[_Group, list[Mapping[str, Any]]] | None = session.info.pop(_PENDING, None)
    if not pending:
        return
    connection = session.connection()
    backend = connection.dialect.name
    for (table, unique), rows in pending.items():
        connection.execute(_statement(backend, table, unique), list(rows))


@contextmanager
def savepoint(session: Session) -> Iterator[None]:
    """``session.begin_nested()`` for units that defer rows: what was deferred before
    goes first (it is not the savepoint's to undo); what the block defers goes with it."""
    send_deferred(session)
    with session.begin_nested():
        yield


def _statement(backend: str, table: Table, unique: tuple[str, ...] | None) -> Insert:
    return insert(table) if unique is None else insert_ignoring_conflicts(backend, table, unique)


@event.listens_for(Session, "do_orm_execute")
def _before_a_statement(state: ORMExecuteState) -> None:
    """Send before a statement that may read the deferred tables: one about them, or
    one whose tables the ORM does not know (text, Core)."""
    pending: dict[_Group, list[Mapping[str, Any]]] | None = state.session.info.get(_PENDING)
    if not pending:
        return
    named = _tables_named(state)
    if named is None or named.intersection(table.name for table, _unique in pending):
        send_deferred(state.session)


def _tables_named(state: ORMExecuteState) -> set[str] | None:
    """The names of the tables a statement is about, when that is known."""
    statement = state.statement
    if isinstance(statement, UpdateBase):
        return {cast(Table, statement.table).name}
    if state.all_mappers:
        return {table.name for mapper in state.all_mappers for table in mapper.tables}
    return None


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    send_deferred(session)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, _previous: Any) -> None:
    session.info.pop(_PENDING, None)
