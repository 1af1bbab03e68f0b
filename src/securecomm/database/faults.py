"""Faults of the store itself, told apart from faults of what was being stored."""

from __future__ import annotations

import errno

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

# Faults of the store, not of the submission: worth another try after a pause.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (OperationalError, PoolTimeoutError)

# SQLSTATE 53100 (PostgreSQL's disk_full); SQLite says it in words (SQLITE_FULL).
_DISK_FULL_SQLSTATE = "53100"
_DISK_FULL_WORDS = ("database or disk is full", "no space left on device")


def is_store_full(error: BaseException) -> bool:
    """The disk under the store (or the data directory) has no room left: nothing is
    wrong with the submission, and nothing from the failed write was kept."""
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return True
    if not isinstance(error, DBAPIError):
        return False
    if getattr(error.orig, "sqlstate", None) == _DISK_FULL_SQLSTATE:
        return True
    return any(words in str(error.orig).lower() for words in _DISK_FULL_WORDS)


def is_transient(error: BaseException) -> bool:
    """A fault of the store (a restart, a dropped connection, SQLite busy): worth
    retrying, and not the fault of what was being stored."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, TRANSIENT_ERRORS)
