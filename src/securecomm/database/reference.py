"""Reference rows (agencies, jurisdictions, their suspensions and participation events)
cached across units of work and processes' lifetimes of a revision.

Every step of a booking asks who plays a federal role, which state a jurisdiction is
in and whether it shares with the immigration repository. Those rows change a few times
a year; asked of the database they were a quarter of a booking's statements. Here they
are asked once per revision of the reference tables instead.

The revision lives in the store, not in the process: a trigger on each reference table
(migration 0017) bumps ``reference_revision.revision`` in the same transaction as the
change, whoever makes it (another worker, the service, a person at ``psql``). A unit of
work reads the revision once, with one statement, before its first cached lookup (or
is given it by the worker's claim, ``read_as_of``); a revision other than the one the
cache was filled under empties the cache. The revision
is read before the rows it guards, so a row changed meanwhile can only be cached under
an older revision, and is read again at the next unit. The ``epoch`` is drawn when the
schema is made: a store rebuilt from scratch never answers with a stale revision.

A unit that changes a reference row itself reads around the cache until it ends: its
change is not committed, so no revision says it yet."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from sqlalchemy import BigInteger, Label, String, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from securecomm.database.base import Base

REFERENCE_TABLES = ("agencies", "jurisdictions", "jurisdiction_suspensions", "participation_events")
_STAMP = "securecomm.reference.stamp"  # session.info: the (epoch, revision) this unit read
_CHANGED = "securecomm.reference.changed"  # session.info: this unit changed a reference row

_GIVEN: ContextVar[tuple[str, int] | None] = ContextVar("securecomm_reference", default=None)

Value = TypeVar("Value")


class ReferenceRevision(Base):
    """One row: the reference tables' revision, bumped by trigger on every change."""

    __tablename__ = "reference_revision"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    epoch: Mapped[str] = mapped_column(String(32))
    revision: Mapped[int] = mapped_column(BigInteger, default=0)


_READ_STAMP = select(ReferenceRevision.epoch, ReferenceRevision.revision)


def _is_reference(instance: object) -> bool:
    table = getattr(instance, "__table__", None)
    return table is not None and table.name in REFERENCE_TABLES


@event.listens_for(Session, "before_flush")
def _note_reference_changes(session: Session, _context: Any, _instances: Any) -> None:
    touched = (*session.new, *session.dirty, *session.deleted)
    if any(_is_reference(instance) for instance in touched):
        session.info[_CHANGED] = True


@event.listens_for(Session, "transient_to_pending")
def _note_reference_added(session: Session, instance: object) -> None:
    if _is_reference(instance):
        session.info[_CHANGED] = True


def stamp_columns() -> tuple[Label[str], Label[int]]:
    """The revision as two columns another statement can return beside its own (a
    worker's claim does): then the units of work that follow need not ask for it."""
    return (
        select(ReferenceRevision.epoch).scalar_subquery().label("reference_epoch"),
        select(ReferenceRevision.revision).scalar_subquery().label("reference_revision"),
    )


@contextmanager
def read_as_of(epoch: str, revision: int) -> Iterator[None]:
    """Units of work in the block read reference rows under this revision, read a moment
    before by the statement that began their work (``stamp_columns``), without asking
    again. A change committed since is seen by the work that follows."""
    token = _GIVEN.set((epoch, int(revision)))
    try:
        yield
    finally:
        _GIVEN.reset(token)


def _stamp(session: Session) -> tuple[str, int] | None:
    """The revision this unit of work reads reference rows under (None: read around)."""
    if session.info.get(_CHANGED) or any(_is_reference(row) for row in session.dirty):
        return None
    stamp: tuple[str, int] | None = session.info.get(_STAMP) or _GIVEN.get()
    if stamp is None:
        row = session.execute(_READ_STAMP).one()  # ORM: a statement the unit can place
        stamp = (str(row.epoch), int(row.revision))
        session.info[_STAMP] = stamp
    return stamp


class ReferenceCache:
    """Values computed from reference rows, kept while the reference revision stands.
    One per process and per kind of value; safe to share between threads. Values must
    not be ORM rows (they outlive their session): frozen dataclasses, tuples, strings."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stamp: tuple[str, int] | None = None
        self._values: dict[Hashable, Any] = {}

    def get(self, session: Session, key: Hashable, load: Callable[[Session], Value]) -> Value:
        """The value cached for ``key`` under this unit's revision, or ``load(session)``
        (then cached)."""
        stamp = _stamp(session)
        if stamp is None:
            return load(session)
        with self._lock:
            if self._older(stamp):  # a unit that began before the last change
                return load(session)
            if stamp != self._stamp:
                self._values = {}
                self._stamp = stamp
            if key in self._values:
                return self._values[key]  # type: ignore[no-any-return]
        value = load(session)
        with self._lock:
            if stamp == self._stamp:
                self._values[key] = value
        return value

    def _older(self, stamp: tuple[str, int]) -> bool:
        return self._stamp is not None and stamp[0] == self._stamp[0] and stamp[1] < self._stamp[1]
