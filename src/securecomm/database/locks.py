"""Locks shared by every process on a database.

The flow is defined in booking-time order (an identity enrolled by one booking is there
for the next; a disposition changes the history the next booking of the same person is
judged on; beds go to releases in order). On SQLite, which takes one writer at a time,
workers keep that order by driving a submission only while holding the order lock: an
exclusive ``flock`` on a file beside the database (released by the kernel if the holder
dies). On PostgreSQL workers run side by side (``pipeline.claims``) and only what must
be ordered is, for the length of one transaction (released at commit, or by the server
if the holder's connection dies):

* the enrolment lock: a new identity's prints are stored one transaction at a time, so
  fingerprint ids commit in order (a gallery syncs by id) and a booking re-checks, under
  the lock, the identities enrolled since its search before enrolling one of its own;
* the custody lock: beds and transport seats are planned one release at a time.

The audit lock serialises sealing the audit log; the dispatch lock, delivering the outbox.
"""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

# Any constant: the advisory lock key securecomm's workers agree on.
ORDER_LOCK_KEY = 0x5EC0C033
AUDIT_LOCK_KEY = 0x5EC0A0D1
DISPATCH_LOCK_KEY = 0x5EC0D15B
ENROLMENT_LOCK_KEY = 0x5EC0E401
CUSTODY_LOCK_KEY = 0x5EC0C057
MIGRATION_LOCK_KEY = 0x5EC0A1E8
_MEMORY_LOCKS: dict[tuple[int, int], threading.Lock] = {}


@contextmanager
def order_lock(engine: Engine) -> Iterator[None]:
    """Hold the order lock for the duration of the block (blocking until it is free)."""
    with _database_lock(engine, ORDER_LOCK_KEY, ".order-lock"):
        yield


@contextmanager
def audit_lock(engine: Engine) -> Iterator[None]:
    """Hold the lock under which the audit log is sealed (one sealer at a time)."""
    with _database_lock(engine, AUDIT_LOCK_KEY, ".audit-lock"):
        yield


@contextmanager
def dispatch_lock(engine: Engine) -> Iterator[None]:
    """Hold the lock under which the outbox is delivered (one deliverer at a time)."""
    with _database_lock(engine, DISPATCH_LOCK_KEY, ".dispatch-lock"):
        yield


def enrolment_lock(session: Session) -> None:
    """Take the enrolment lock until ``session``'s transaction ends (PostgreSQL; SQLite's
    single writer and the order lock already serialise enrolments)."""
    _transaction_lock(session, ENROLMENT_LOCK_KEY)


def custody_lock(session: Session) -> None:
    """Take the custody lock until ``session``'s transaction ends (as ``enrolment_lock``)."""
    _transaction_lock(session, CUSTODY_LOCK_KEY)


def runs_in_parallel(engine: Engine) -> bool:
    """Whether workers on this database drive submissions side by side."""
    return engine.url.get_backend_name() == "postgresql"


def _transaction_lock(session: Session, key: int) -> None:
    if runs_in_parallel(session.get_bind().engine):
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


@contextmanager
def _database_lock(engine: Engine, key: int, suffix: str) -> Iterator[None]:
    backend = engine.url.get_backend_name()
    if backend == "postgresql":
        with _advisory_lock(engine, key):
            yield
        return
    database = engine.url.database
    if not database or database == ":memory:":
        with _MEMORY_LOCKS.setdefault((id(engine), key), threading.Lock()):
            yield
        return
    with _file_lock(Path(database).with_name(Path(database).name + suffix)):
        yield


@contextmanager
def _advisory_lock(engine: Engine, key: int) -> Iterator[None]:
    with lock_connection(engine) as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
        try:
            yield
        finally:
            unlock_or_drop(connection, key)


@contextmanager
def lock_connection(engine: Engine) -> Iterator[Connection]:
    """A connection to hold session-level advisory locks on. A session lock outlives
    transactions, so each statement on it commits alone: no BEGIN and COMMIT round
    trips around taking and giving back a lock."""
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        yield connection


def unlock_or_drop(connection: Connection, *key: int) -> None:
    """Give back a session-level advisory lock (one key, or two) held on a
    :func:`lock_connection`. A connection that cannot (the server went away: it dropped
    the lock with the connection) is dropped, not pooled; the caller's own error, if
    any, stands."""
    arguments = ", ".join(f":k{n}" for n in range(len(key)))
    try:
        connection.execute(
            text(f"SELECT pg_advisory_unlock({arguments})"),
            {f"k{n}": value for n, value in enumerate(key)},
        )
    except DBAPIError:
        connection.invalidate()


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


__all__ = [
    "AUDIT_LOCK_KEY",
    "ORDER_LOCK_KEY",
    "audit_lock",
    "custody_lock",
    "dispatch_lock",
    "enrolment_lock",
    "lock_connection",
    "order_lock",
    "runs_in_parallel",
    "unlock_or_drop",
]
