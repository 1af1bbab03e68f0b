"""Messages between agencies through RabbitMQ, when ``SECURECOMM_BROKER_URL`` is an
``amqp://`` address (``nats://``: NATS JetStream, :mod:`.broker_nats`, same contract).

The persisted outbox stays the source of truth. A worker's dispatch publishes each
undelivered message to a durable topic exchange, routed by recipient ORI, as a
persistent message whose id is the message key, and marks it delivered only once the
broker has confirmed it (publisher confirms): a message the broker did not take is
published again at the next dispatch. On the receiving side, ``securecomm broker
receive`` takes messages from a durable queue, stores each in its recipient's mailbox
unless that key is there already, commits, and only then acknowledges it: a receiver
that dies before acknowledging gets the message again, and the key makes the second
copy a no-op. Delivered at least once, stored exactly once.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pika
from pika.adapters.blocking_connection import BlockingChannel
from pika.exceptions import AMQPError
from sqlalchemy.exc import IntegrityError

from securecomm.config import get_settings
from securecomm.database import Database
from securecomm.database.engine import mask_url
from securecomm.interop import outbox
from securecomm.interop.models import OutboxMessage

if TYPE_CHECKING:
    from securecomm.interop.broker_nats import NatsReceiver, NatsTransport

log = logging.getLogger("securecomm.broker")


@dataclass(frozen=True)
class Names:
    """The exchange messages are published to and the queue receivers take them from."""

    exchange: str = "securecomm.messages"
    queue: str = "securecomm.mailbox"


def _declare(channel: BlockingChannel, names: Names) -> None:
    channel.exchange_declare(names.exchange, exchange_type="topic", durable=True)
    channel.queue_declare(names.queue, durable=True)
    channel.queue_bind(names.queue, names.exchange, routing_key="#")


def _connect(url: str, names: Names) -> tuple[pika.BlockingConnection, BlockingChannel]:
    parameters = pika.URLParameters(url)
    parameters.connection_attempts = 1
    parameters.socket_timeout = 5
    connection = pika.BlockingConnection(parameters)
    channel = connection.channel()
    _declare(channel, names)
    return connection, channel


class RabbitTransport:
    """Publishes outbox messages to RabbitMQ with publisher confirms."""

    def __init__(self, url: str, names: Names | None = None) -> None:
        self._url = url
        self._names = names or Names()
        self._connection: pika.BlockingConnection | None = None
        self._channel: BlockingChannel | None = None

    def deliver(self, message: OutboxMessage) -> None:
        body = message_body(message)
        properties = pika.BasicProperties(
            message_id=message.key,
            type=message.message_type,
            content_type="application/json",
            delivery_mode=pika.DeliveryMode.Persistent,
        )
        try:
            self._open().basic_publish(
                self._names.exchange,
                routing_key=message.recipient,
                body=body,
                properties=properties,
                mandatory=True,
            )
        except (AMQPError, OSError) as error:
            self.close()
            raise outbox.TransportUnavailableError(
                f"the message broker at {mask_url(self._url)} did not take the message "
                f"({type(error).__name__})"
            ) from error

    def close(self) -> None:
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None and connection.is_open:
            with contextlib.suppress(AMQPError, OSError):  # already gone
                connection.close()

    def _open(self) -> BlockingChannel:
        if self._channel is None or not self._channel.is_open:
            self.close()
            self._connection, channel = _connect(self._url, self._names)
            channel.confirm_delivery()  # basic_publish returns once the broker has it
            self._channel = channel
        return self._channel


def message_body(message: OutboxMessage) -> bytes:
    """What travels through a broker: the message as JSON, its key included."""
    return json.dumps(
        {
            "key": message.key,
            "message_type": message.message_type,
            "sender": message.sender,
            "recipient": message.recipient,
            "created_at": message.created_at.isoformat(),
            "payload": message.payload,
        }
    ).encode()


def is_nats(url: str) -> bool:
    return url.startswith(("nats://", "tls://"))


def transport_from_settings(database: Database) -> outbox.Transport:
    """The configured broker (RabbitMQ or NATS JetStream, by the URL's scheme), else
    in-process mailbox delivery."""
    url = get_settings().broker_url
    if not url:
        return outbox.MailboxTransport(database)
    return broker_transport(url)


def broker_transport(url: str) -> RabbitTransport | NatsTransport:
    if is_nats(url):
        from securecomm.interop.broker_nats import NatsTransport

        return NatsTransport(url)
    return RabbitTransport(url)


def broker_receiver(database: Database, url: str) -> Receiver | NatsReceiver:
    if is_nats(url):
        from securecomm.interop.broker_nats import NatsReceiver

        return NatsReceiver(database, url)
    return Receiver(database, url)


@dataclass
class ReceiveReport:
    received: int = 0  # messages taken from the queue
    stored: int = 0  # of them, new in a mailbox (the rest were redeliveries)
    refused: int = 0  # not a message of ours: dropped, and logged
    reconnections: int = 0


class Receiver:
    """Takes messages off the broker into the recipients' mailboxes until stopped (or,
    without ``follow``, until the queue stays empty for ``idle_seconds``)."""

    def __init__(self, database: Database, url: str, names: Names | None = None) -> None:
        self._database = database
        self._url = url
        self._names = names or Names()
        self._stopping = threading.Event()

    def stop(self) -> None:
        self._stopping.set()

    def run(
        self, *, follow: bool = False, idle_seconds: float = 1.0, patience: float = 300.0
    ) -> ReceiveReport:
        report = ReceiveReport()
        return receive_until_done(
            lambda: self._drain(report, follow=follow, idle_seconds=idle_seconds),
            report,
            stopping=self._stopping,
            url=self._url,
            down=(AMQPError, OSError),
            patience=patience,
        )

    def _drain(self, report: ReceiveReport, *, follow: bool, idle_seconds: float) -> bool:
        """Consume until idle (True: done) or stopped; raises when the broker goes away."""
        connection, channel = _connect(self._url, self._names)
        try:
            channel.basic_qos(prefetch_count=200)
            for method, _properties, body in channel.consume(
                self._names.queue, inactivity_timeout=idle_seconds
            ):
                if method is None:  # nothing for idle_seconds
                    if not follow or self._stopping.is_set():
                        return True
                    continue
                report.received += 1
                if self._store(body, report):
                    channel.basic_ack(method.delivery_tag)  # only once it is committed
                else:
                    channel.basic_nack(method.delivery_tag, requeue=False)
                if self._stopping.is_set():
                    return True
            return True
        finally:
            if connection.is_open:
                with contextlib.suppress(AMQPError, OSError):  # already gone
                    channel.cancel()
                    connection.close()

    def _store(self, body: bytes, report: ReceiveReport) -> bool:
        return store_received(self._database, body, report)


def receive_until_done(
    drain: Callable[[], bool],
    report: ReceiveReport,
    *,
    stopping: threading.Event,
    url: str,
    down: tuple[type[BaseException], ...],
    patience: float,
) -> ReceiveReport:
    """Drain the broker again and again until a drain says it is done or ``stopping`` is
    set; a broker that goes away (``down``) is waited for, up to ``patience`` seconds."""
    down_since: float | None = None
    while not stopping.is_set():
        try:
            if drain():
                return report
            down_since = None
        except down as error:
            down_since = down_since or time.monotonic()
            if time.monotonic() - down_since > patience:
                raise outbox.TransportUnavailableError(
                    f"the message broker at {mask_url(url)} has not answered for {patience:.0f} s"
                ) from error
            log.warning("the broker does not answer (%s); waiting", type(error).__name__)
            report.reconnections += 1
            stopping.wait(1.0)
    return report


def store_received(database: Database, body: bytes, report: ReceiveReport) -> bool:
    """Store a message taken from a broker in its recipient's mailbox unless its key is
    there already; False when it is not a message of ours (to be dropped, not retried)."""
    message = _parse(body)
    if message is None:
        report.refused += 1
        log.error("a message that is not one of ours was dropped")
        return False
    try:
        with database.session() as session:
            report.stored += outbox.store_in_mailbox(
                session,
                key=message["key"],
                recipient=message["recipient"],
                message_type=message["message_type"],
                payload=message["payload"],
            )
    except IntegrityError:  # another receiver stored the same key a moment before
        pass
    return True


def _parse(body: bytes) -> dict[str, Any] | None:
    try:
        message = json.loads(body)
    except ValueError:
        return None
    fields = {"key": str, "recipient": str, "message_type": str, "payload": dict}
    if not isinstance(message, dict) or not all(
        isinstance(message.get(name), kind) for name, kind in fields.items()
    ):
        return None
    return message
