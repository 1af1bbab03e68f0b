"""Locks shared by every process on a database: the order lock, and the audit lock.

The flow is defined in booking-time order (an identity enrolled by one booking is there
for the next; a disposition changes the history the next booking of the same person is
judged on; beds go to releases in order). Workers keep that order by driving a
submission only while holding this lock: on PostgreSQL a session-level advisory lock
(released by the server if the holder's connection dies), on SQLite an exclusive
``flock`` on a file beside the database (released by the kernel if the holder dies).
The audit lock, taken the same way, serialises sealing the audit log.
"""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

# Any constant: the advisory lock key securecomm's workers agree on.
ORDER_LOCK_KEY = 0x5EC0C033
AUDIT_LOCK_KEY = 0x5EC0A0D1
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
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
        connection.commit()
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
            connection.commit()


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


__all__ = ["AUDIT_LOCK_KEY", "ORDER_LOCK_KEY", "audit_lock", "order_lock"]
