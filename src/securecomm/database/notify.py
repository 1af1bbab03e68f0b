"""Waking idle workers when work arrives (PostgreSQL's LISTEN/NOTIFY).

A unit of work that stores a submission announces it; the notice is delivered when that
unit commits, so a woken worker finds the submission. A following worker waits on the
channel instead of sleeping a whole poll interval (it still polls: a notice is a hint,
never the only way work is found). SQLite has no notices; its workers poll.
"""

from __future__ import annotations

import contextlib
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

CHANNEL = "securecomm_work"


def announce_work(session: Session) -> None:
    """Wake following workers once this unit of work commits (PostgreSQL)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})


class WorkListener:
    """A connection of its own that listens on the work channel (PostgreSQL only)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Any = None

    @property
    def available(self) -> bool:
        return self._engine.dialect.name == "postgresql"

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for a notice; True when one came. Any fault
        (the server restarted) drops the connection and says False: the caller polls."""
        try:
            connection = self._listening()
            notices = connection.notifies(timeout=timeout, stop_after=1)
            return any(True for _ in notices)
        except Exception:  # a hint only: never let it stop a worker
            self.close()
            return False

    def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):  # already gone with its server
                self._connection.close()
            self._connection = None

    def _listening(self) -> Any:
        if self._connection is None:
            raw = self._engine.raw_connection()
            connection = raw.driver_connection
            raw.detach()  # ours alone, never returned to the pool
            assert connection is not None
            connection.autocommit = True
            connection.execute(f"LISTEN {CHANNEL}")
            self._connection = connection
        return self._connection
