"""Messages between agencies through NATS JetStream, when ``SECURECOMM_BROKER_URL`` is a
``nats://`` address.

The same contract as the RabbitMQ route (:mod:`.broker`): the outbox stays the source of
truth, a message is marked delivered only once JetStream has acknowledged storing it,
and receivers store each key once and acknowledge only after committing.

* **Publishing**: to a file-backed stream, subject ``<prefix>.<recipient ORI>``, with the
  message key as ``Nats-Msg-Id``, so the stream itself drops a second publication of a
  key within its duplicate window (a worker that dies between publishing and marking).
* **Receiving**: a durable pull consumer with explicit acknowledgement; a message not
  acknowledged within ``ack_wait_seconds`` (its receiver died) is delivered again, and
  the mailbox's key makes the second copy a no-op. The stream keeps a message until it
  is acknowledged (work-queue retention).

nats-py is asynchronous; the transport and the receiver are called from synchronous
workers, so each runs its own event loop on a thread of its own and waits for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import threading
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

import nats
from nats.aio.client import Client
from nats.errors import Error as NatsError
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

from securecomm.database import Database
from securecomm.database.engine import mask_url
from securecomm.interop import outbox
from securecomm.interop.broker import (
    ReceiveReport,
    message_body,
    receive_until_done,
    store_received,
)
from securecomm.interop.models import OutboxMessage

log = logging.getLogger("securecomm.broker")
T = TypeVar("T")
_SUBJECT_TOKEN = re.compile(r"^[A-Za-z0-9_-]+$")
WAIT = 10.0  # seconds a call to the server may take before the broker counts as down
_DOWN = (NatsError, OSError, TimeoutError)


@dataclass(frozen=True)
class NatsNames:
    """The stream messages are published to and the consumer receivers share."""

    stream: str = "SECURECOMM"
    subject_prefix: str = "securecomm.messages"
    consumer: str = "securecomm-mailbox"
    ack_wait_seconds: float = 30.0  # unacknowledged this long: delivered again
    duplicate_window_seconds: float = 600.0  # a key published again within it is dropped

    def subject(self, recipient: str) -> str:
        # an ORI is letters and digits; anything else must not become a wildcard or a dot
        token = recipient if _SUBJECT_TOKEN.match(recipient) else "_"
        return f"{self.subject_prefix}.{token}"


class _Loop:
    """An asyncio event loop on a daemon thread, for calls from synchronous code."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()

    def call(self, coroutine: Coroutine[Any, Any, T], timeout: float = WAIT) -> T:
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        if not self._thread.is_alive():
            self._loop.close()


async def _connect(url: str, names: NatsNames) -> tuple[Client, JetStreamContext]:
    client = await nats.connect(
        url,
        allow_reconnect=False,
        connect_timeout=2,
        max_reconnect_attempts=1,  # two attempts in all (0 would mean: try forever)
        reconnect_time_wait=0.5,
        error_cb=_connection_error,
    )
    stream = await _jetstream_stream(client.jetstream(), names)
    return client, stream


async def _connection_error(error: Exception) -> None:
    """nats-py logs every failed attempt with its traceback; the caller reports it once."""
    log.debug("nats: %s", type(error).__name__)


async def _jetstream_stream(jetstream: JetStreamContext, names: NatsNames) -> JetStreamContext:
    try:
        await jetstream.stream_info(names.stream)
    except NotFoundError:
        await jetstream.add_stream(
            StreamConfig(
                name=names.stream,
                subjects=[f"{names.subject_prefix}.>"],
                retention=RetentionPolicy.WORK_QUEUE,
                storage=StorageType.FILE,
                duplicate_window=names.duplicate_window_seconds,
            )
        )
    return jetstream


async def _close(client: Client | None) -> None:
    if client is not None and not client.is_closed:
        with contextlib.suppress(*_DOWN):  # already gone
            await client.close()


class NatsTransport:
    """Publishes outbox messages to a JetStream stream, each acknowledged by the server."""

    def __init__(self, url: str, names: NatsNames | None = None) -> None:
        self._url = url
        self._names = names or NatsNames()
        self._loop = _Loop()
        self._client: Client | None = None
        self._jetstream: JetStreamContext | None = None

    def deliver(self, message: OutboxMessage) -> None:
        try:
            self._loop.call(self._publish(message))
        except _DOWN as error:
            self.close()  # the next delivery connects again
            raise outbox.TransportUnavailableError(
                f"the message broker at {mask_url(self._url)} did not take the message "
                f"({type(error).__name__})"
            ) from error

    async def _publish(self, message: OutboxMessage) -> None:
        if self._jetstream is None or self._client is None or self._client.is_closed:
            self._client, self._jetstream = await _connect(self._url, self._names)
        await self._jetstream.publish(
            self._names.subject(message.recipient),
            message_body(message),
            timeout=WAIT / 2,
            stream=self._names.stream,
            headers={"Nats-Msg-Id": message.key},
        )

    async def _drop_connection(self) -> None:
        client, self._client, self._jetstream = self._client, None, None
        await _close(client)

    def close(self) -> None:
        """Close the connection (the next delivery opens another)."""
        with contextlib.suppress(*_DOWN):
            self._loop.call(self._drop_connection())

    def __del__(self) -> None:
        self._loop.stop()


class NatsReceiver:
    """Takes messages off the stream into the recipients' mailboxes until stopped (or,
    without ``follow``, until nothing has come for ``idle_seconds``)."""

    def __init__(self, database: Database, url: str, names: NatsNames | None = None) -> None:
        self._database = database
        self._url = url
        self._names = names or NatsNames()
        self._stopping = threading.Event()

    def stop(self) -> None:
        self._stopping.set()

    def run(
        self, *, follow: bool = False, idle_seconds: float = 1.0, patience: float = 300.0
    ) -> ReceiveReport:
        report = ReceiveReport()
        loop = _Loop()
        try:
            return receive_until_done(
                lambda: self._drain(loop, report, follow=follow, idle_seconds=idle_seconds),
                report,
                stopping=self._stopping,
                url=self._url,
                down=_DOWN,
                patience=patience,
            )
        finally:
            loop.stop()

    def _drain(
        self, loop: _Loop, report: ReceiveReport, *, follow: bool, idle_seconds: float
    ) -> bool:
        """Fetch and store until idle (True: done) or stopped; raises when the broker
        goes away."""
        client, jetstream = loop.call(_connect(self._url, self._names))
        try:
            subscription = loop.call(
                jetstream.pull_subscribe(
                    f"{self._names.subject_prefix}.>",
                    durable=self._names.consumer,
                    stream=self._names.stream,
                    config=ConsumerConfig(
                        ack_policy=AckPolicy.EXPLICIT, ack_wait=self._names.ack_wait_seconds
                    ),
                )
            )
            while not self._stopping.is_set():
                try:
                    batch = loop.call(
                        subscription.fetch(200, timeout=idle_seconds), timeout=idle_seconds + WAIT
                    )
                except (TimeoutError, nats.errors.TimeoutError):  # nothing for idle_seconds
                    if not follow:
                        return True
                    continue
                for received in batch:
                    report.received += 1
                    if store_received(self._database, received.data, report):
                        loop.call(received.ack_sync())  # only once it is committed
                    else:
                        loop.call(received.term())  # never again: not a message of ours
            return True
        finally:
            loop.call(_close(client))
