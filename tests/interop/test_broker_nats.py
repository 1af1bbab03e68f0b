"""Messages between agencies through NATS JetStream (running on this machine and CI's):
the same contract as RabbitMQ's route. Marked delivered only once the stream stored the
message, received into the mailboxes once per key however often it is redelivered, a
second publication of a key dropped by the stream itself."""

from __future__ import annotations

import asyncio
import json
import socket
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import nats
import pytest
from sqlalchemy import func, select

from securecomm.database import Database
from securecomm.interop import broker, broker_nats, outbox
from securecomm.interop.models import MailboxMessage, OutboxMessage

BROKER = "nats://127.0.0.1:4222"


def _broker_runs() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 4222), timeout=2).close()
    except OSError:
        return False
    return True


pytestmark = pytest.mark.skipif(not _broker_runs(), reason="no NATS on 127.0.0.1:4222")


async def _delete_stream(name: str) -> None:
    client = await nats.connect(BROKER)
    try:
        await client.jetstream().delete_stream(name)
    finally:
        await client.close()


async def _publish_raw(names: broker_nats.NatsNames, bodies: list[bytes]) -> None:
    client = await nats.connect(BROKER)
    try:
        for body in bodies:
            await client.jetstream().publish(names.subject("TX1010000"), body)
    finally:
        await client.close()


@pytest.fixture
def names() -> Iterator[broker_nats.NatsNames]:
    """A stream and a consumer of this test's own, removed afterwards."""
    tag = uuid.uuid4().hex[:12]
    made = broker_nats.NatsNames(
        stream=f"TEST_{tag}",
        subject_prefix=f"test.{tag}",
        consumer=f"test-{tag}",
        ack_wait_seconds=1.0,
    )
    yield made
    asyncio.run(_delete_stream(made.stream))


def _messages(database: Database, count: int) -> list[str]:
    with database.session() as session:
        for number in range(count):
            outbox.enqueue(
                session,
                message_type="SRE",
                control_number=f"TCN{number:06d}",
                sender="DCFBI0000",
                recipient="TX1010000",
                created_at=datetime(2010, 1, 1, tzinfo=UTC),
                payload={"tcr": f"TCN{number:06d}", "srf": "N"},
            )
    with database.session() as session:
        return list(session.scalars(select(OutboxMessage.key).order_by(OutboxMessage.id)))


def _mailbox_keys(database: Database) -> list[str]:
    with database.session() as session:
        return sorted(session.scalars(select(MailboxMessage.message_key)))


def _undelivered(database: Database) -> int:
    with database.session() as session:
        query = select(func.count()).where(OutboxMessage.delivered_at.is_(None))
        return session.scalar(query) or 0


def _receive(database: Database, names: broker_nats.NatsNames) -> broker.ReceiveReport:
    return broker_nats.NatsReceiver(database, BROKER, names).run(idle_seconds=2.0)


def test_published_messages_arrive_once_in_the_mailboxes(
    sqlite_database: Database, names: broker_nats.NatsNames
) -> None:
    keys = _messages(sqlite_database, 25)
    transport = broker_nats.NatsTransport(BROKER, names)
    assert outbox.dispatch_pending(sqlite_database, transport) == 25
    transport.close()
    assert _undelivered(sqlite_database) == 0
    assert _mailbox_keys(sqlite_database) == []  # nothing arrives until it is received

    report = _receive(sqlite_database, names)
    assert (report.received, report.stored, report.refused) == (25, 25, 0)
    assert _mailbox_keys(sqlite_database) == sorted(keys)
    assert _receive(sqlite_database, names).received == 0  # acknowledged: gone


def test_a_key_published_twice_is_stored_once_by_the_stream(
    sqlite_database: Database, names: broker_nats.NatsNames
) -> None:
    """A worker that died after publishing and before marking publishes again."""
    _messages(sqlite_database, 3)
    transport = broker_nats.NatsTransport(BROKER, names)
    with sqlite_database.session() as session:
        first = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).first()
        assert first is not None
        transport.deliver(first)
        transport.deliver(first)
    transport.close()
    report = _receive(sqlite_database, names)
    assert (report.received, report.stored) == (1, 1)


def test_a_receiver_that_dies_before_acknowledging_gets_the_message_again_stored_once(
    sqlite_database: Database, names: broker_nats.NatsNames, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = _messages(sqlite_database, 10)
    transport = broker_nats.NatsTransport(BROKER, names)
    outbox.dispatch_pending(sqlite_database, transport)
    transport.close()
    real_store = broker_nats.store_received
    seen = {"count": 0}

    def store_then_die(database: Database, body: bytes, report: broker.ReceiveReport) -> bool:
        real_store(database, body, report)
        seen["count"] += 1
        if seen["count"] == 4:  # committed, not acknowledged
            raise RuntimeError("receiver killed")
        return True

    monkeypatch.setattr(broker_nats, "store_received", store_then_die)
    with pytest.raises(RuntimeError):
        _receive(sqlite_database, names)
    monkeypatch.setattr(broker_nats, "store_received", real_store)

    report = _receive(sqlite_database, names)  # after the 1 s acknowledgement wait
    assert report.received == 7  # the fourth again, and the six not acknowledged
    assert report.stored == 6  # the fourth was already in its mailbox
    assert _mailbox_keys(sqlite_database) == sorted(keys)


def test_a_broker_that_is_down_leaves_the_messages_waiting_in_the_outbox(
    sqlite_database: Database, names: broker_nats.NatsNames
) -> None:
    _messages(sqlite_database, 5)
    nowhere = broker_nats.NatsTransport("nats://127.0.0.1:1", names)
    assert outbox.dispatch_pending(sqlite_database, nowhere) == 0
    assert _undelivered(sqlite_database) == 5
    transport = broker_nats.NatsTransport(BROKER, names)
    assert outbox.dispatch_pending(sqlite_database, transport) == 5  # the next round
    transport.close()


def test_a_message_that_is_not_ours_is_dropped_not_stored(
    sqlite_database: Database, names: broker_nats.NatsNames
) -> None:
    broker_nats.NatsTransport(BROKER, names).close()  # nothing published: no stream yet
    transport = broker_nats.NatsTransport(BROKER, names)
    _messages(sqlite_database, 1)
    outbox.dispatch_pending(sqlite_database, transport)  # makes the stream
    transport.close()
    asyncio.run(_publish_raw(names, [b"not json", json.dumps({"key": 1}).encode()]))
    report = _receive(sqlite_database, names)
    assert (report.received, report.stored, report.refused) == (3, 1, 2)
    assert _receive(sqlite_database, names).received == 0  # terminated: never again


def test_the_settings_url_scheme_chooses_the_broker() -> None:
    assert isinstance(broker.broker_transport(BROKER), broker_nats.NatsTransport)
    assert isinstance(broker.broker_transport("amqp://127.0.0.1/%2F"), broker.RabbitTransport)
