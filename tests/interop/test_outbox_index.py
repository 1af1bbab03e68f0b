"""Delivery reads the oldest undelivered messages through an index of those alone, so
a round's cost does not grow with the messages long delivered; on each backend."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text, update

from securecomm.database import Database
from securecomm.interop.models import OutboxMessage
from securecomm.interop.outbox import oldest_undelivered


def _messages(database: Database, count: int, delivered: int) -> list[int]:
    with database.session() as session:
        rows = [
            OutboxMessage(
                key=f"TCN-{n}:SRE:TX0000001",
                message_type="SRE",
                sender="DOJFBI000",
                recipient="TX0000001",
                created_at=datetime(2012, 5, 1, tzinfo=UTC),
                payload={},
            )
            for n in range(count)
        ]
        session.add_all(rows)
        session.flush()
        ids = [row.id for row in rows]
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids[:delivered]))
            .values(delivered_at=datetime(2012, 5, 2, tzinfo=UTC))
        )
    return ids


def _plan(database: Database, batch: int) -> str:
    statement = oldest_undelivered(batch).compile(
        database.engine, compile_kwargs={"literal_binds": True}
    )
    with database.engine.connect() as connection:
        if database.engine.dialect.name == "postgresql":
            connection.execute(text("SET enable_seqscan = off"))  # a tiny table: no shortcut
            rows = connection.execute(text(f"EXPLAIN {statement}")).all()
        else:
            rows = connection.execute(text(f"EXPLAIN QUERY PLAN {statement}")).all()
    return "\n".join(str(row[-1]) for row in rows)


def test_the_oldest_undelivered_come_first_and_only_they(database: Database) -> None:
    ids = _messages(database, count=60, delivered=52)
    with database.session() as session:
        found = [message.id for message in session.scalars(oldest_undelivered(5))]
    assert found == ids[52:57]


def test_delivery_reads_the_index_of_undelivered_messages(database: Database) -> None:
    _messages(database, count=60, delivered=52)
    assert "ix_outbox_undelivered" in _plan(database, 500)
