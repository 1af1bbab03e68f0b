"""The SQL statements a block sends, for tests that count them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from securecomm.database import Database


@contextmanager
def statements_sent(database: Database) -> Iterator[list[str]]:
    """The statements ``database``'s engine sends while the block runs, in order."""
    seen: list[str] = []

    def count(*arguments: object) -> None:
        seen.append(str(arguments[2]))

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
