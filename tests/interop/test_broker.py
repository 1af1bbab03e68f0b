"""Messages between agencies through RabbitMQ (the broker on this machine and CI's):
published with confirms, marked delivered only once the broker has them, received into
the mailboxes once per key however often they are redelivered."""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pika
import pytest
from sqlalchemy import func, select

from securecomm.database import Database
from securecomm.interop import broker, outbox
from securecomm.interop.models import MailboxMessage, OutboxMessage

BROKER = "amqp://guest:guest@127.0.0.1:5672/%2F"


def _broker_runs() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=2).close()
    except OSError:
        return False
    return True


pytestmark = pytest.mark.skipif(not _broker_runs(), reason="no RabbitMQ on 127.0.0.1:5672")


@pytest.fixture
def names() -> Iterator[broker.Names]:
    """An exchange and a queue of this test's own, removed afterwards."""
    tag = uuid.uuid4().hex[:12]
    made = broker.Names(exchange=f"test.{tag}", queue=f"test.{tag}")
    yield made
    connection = pika.BlockingConnection(pika.URLParameters(BROKER))
    channel = connection.channel()
    channel.queue_delete(made.queue)
    channel.exchange_delete(made.exchange)
    connection.close()


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


def test_published_messages_arrive_once_in_the_mailboxes(
    sqlite_database: Database, names: broker.Names
) -> None:
    keys = _messages(sqlite_database, 25)
    transport = broker.RabbitTransport(BROKER, names)
    assert outbox.dispatch_pending(sqlite_database, transport) == 25
    transport.close()
    assert _undelivered(sqlite_database) == 0
    assert _mailbox_keys(sqlite_database) == []  # nothing arrives until it is received

    report = broker.Receiver(sqlite_database, BROKER, names).run(idle_seconds=0.5)
    assert (report.received, report.stored, report.refused) == (25, 25, 0)
    assert _mailbox_keys(sqlite_database) == sorted(keys)


def test_a_receiver_that_dies_before_acknowledging_gets_the_message_again_stored_once(
    sqlite_database: Database, names: broker.Names, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = _messages(sqlite_database, 10)
    transport = broker.RabbitTransport(BROKER, names)
    outbox.dispatch_pending(sqlite_database, transport)
    transport.close()
    real_store = broker.Receiver._store
    seen = {"count": 0}

    def store_then_die(self: broker.Receiver, body: bytes, report: broker.ReceiveReport) -> bool:
        real_store(self, body, report)
        seen["count"] += 1
        if seen["count"] == 4:  # committed, not acknowledged
            raise RuntimeError("receiver killed")
        return True

    monkeypatch.setattr(broker.Receiver, "_store", store_then_die)
    with pytest.raises(RuntimeError):
        broker.Receiver(sqlite_database, BROKER, names).run(idle_seconds=0.5)
    monkeypatch.setattr(broker.Receiver, "_store", real_store)

    report = broker.Receiver(sqlite_database, BROKER, names).run(idle_seconds=0.5)
    assert report.received == 7  # the fourth again, and the six never taken
    assert report.stored == 6  # the fourth was already in its mailbox
    assert _mailbox_keys(sqlite_database) == sorted(keys)


def test_a_broker_that_is_down_leaves_the_messages_waiting_in_the_outbox(
    sqlite_database: Database, names: broker.Names
) -> None:
    _messages(sqlite_database, 5)
    nowhere = broker.RabbitTransport("amqp://guest:guest@127.0.0.1:1/%2F", names)
    assert outbox.dispatch_pending(sqlite_database, nowhere) == 0
    assert _undelivered(sqlite_database) == 5
    transport = broker.RabbitTransport(BROKER, names)
    assert outbox.dispatch_pending(sqlite_database, transport) == 5  # the next round
    transport.close()


def test_a_message_that_is_not_ours_is_dropped_not_stored(
    sqlite_database: Database, names: broker.Names
) -> None:
    connection = pika.BlockingConnection(pika.URLParameters(BROKER))
    channel = connection.channel()
    channel.exchange_declare(names.exchange, exchange_type="topic", durable=True)
    channel.queue_declare(names.queue, durable=True)
    channel.queue_bind(names.queue, names.exchange, routing_key="#")
    for body in (b"not json", json.dumps({"key": 1}).encode()):
        channel.basic_publish(names.exchange, routing_key="TX1010000", body=body)
    connection.close()
    report = broker.Receiver(sqlite_database, BROKER, names).run(idle_seconds=0.5)
    assert (report.received, report.stored, report.refused) == (2, 0, 2)
    assert _mailbox_keys(sqlite_database) == []
