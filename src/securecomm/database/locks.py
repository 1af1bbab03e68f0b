"""One lock shared by every worker on a database: the order lock.

The flow is defined in booking-time order (an identity enrolled by one booking is there
for the next; a disposition changes the history the next booking of the same person is
judged on; beds go to releases in order). Workers keep that order by driving a
submission only while holding this lock: on PostgreSQL a session-level advisory lock
(released by the server if the holder's connection dies), on SQLite an exclusive
``flock`` on a file beside the database (released by the kernel if the holder dies).
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
_MEMORY_LOCKS: dict[int, threading.Lock] = {}


@contextmanager
def order_lock(engine: Engine) -> Iterator[None]:
    """Hold the order lock for the duration of the block (blocking until it is free)."""
    backend = engine.url.get_backend_name()
    if backend == "postgresql":
        with _advisory_lock(engine):
            yield
        return
    database = engine.url.database
    if not database or database == ":memory:":
        with _MEMORY_LOCKS.setdefault(id(engine), threading.Lock()):
            yield
        return
    with _file_lock(Path(database).with_name(Path(database).name + ".order-lock")):
        yield


@contextmanager
def _advisory_lock(engine: Engine) -> Iterator[None]:
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ORDER_LOCK_KEY})
        connection.commit()
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ORDER_LOCK_KEY})
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


__all__ = ["ORDER_LOCK_KEY", "order_lock"]
