"""The persisted outbox: messages are written with the step that made them and
delivered afterwards, at least once; the transport deduplicates by message key."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from securecomm.database import Database, utcnow
from securecomm.database.deferred import defer_insert
from securecomm.database.locks import dispatch_lock
from securecomm.database.rows import insert_unless_present
from securecomm.exceptions import SecurecommError
from securecomm.interop.models import MailboxMessage, OutboxMessage

log = logging.getLogger("securecomm.outbox")


class Transport(Protocol):
    """Delivers one message; must be idempotent on ``message.key``. Raises
    :class:`TransportUnavailableError` when it cannot deliver now (the message waits)."""

    def deliver(self, message: OutboxMessage) -> None: ...


@runtime_checkable
class BatchTransport(Transport, Protocol):
    """A transport that takes a dispatch round's messages at once (a database's mailbox:
    one unit of work for the batch instead of one per message)."""

    def deliver_batch(self, messages: Sequence[OutboxMessage]) -> None: ...


@runtime_checkable
class ConnectedTransport(Transport, Protocol):
    """A transport that holds a connection (a broker's), closed at the end of a run."""

    def close(self) -> None: ...


class TransportUnavailableError(SecurecommError):
    """The way to the recipients (a message broker) is down: messages wait in the outbox."""


def store_in_mailbox(
    session: Session, *, key: str, recipient: str, message_type: str, payload: dict[str, Any]
) -> bool:
    """Put a message in its recipient's mailbox unless it is there already (a redelivery);
    whether it was new."""
    return _into_mailbox(session, [(key, recipient, message_type, payload)]) == 1


def store_all_in_mailbox(session: Session, messages: Sequence[OutboxMessage]) -> int:
    """:func:`store_in_mailbox` for a batch, in one statement; how many were new."""
    return _into_mailbox(
        session, [(m.key, m.recipient, m.message_type, m.payload) for m in messages]
    )


def _into_mailbox(session: Session, messages: list[tuple[str, str, str, dict[str, Any]]]) -> int:
    rows = [
        {"message_key": key, "recipient": recipient, "message_type": kind, "payload": payload}
        for key, recipient, kind, payload in messages
    ]
    return insert_unless_present(session, MailboxMessage, unique="message_key", rows=rows)


def enqueue(
    session: Session,
    *,
    message_type: str,
    control_number: str,
    sender: str,
    recipient: str,
    created_at: datetime,
    payload: dict[str, Any],
    transaction_id: int | None = None,
    submission_id: int | None = None,
) -> None:
    """Add a message unless this control number already produced it for this recipient."""
    message = {
        "key": f"{control_number}:{message_type}:{recipient}",
        "message_type": message_type,
        "sender": sender,
        "recipient": recipient,
        "created_at": created_at,
        "payload": payload,
        "transaction_id": transaction_id,
        "submission_id": submission_id,
    }
    # Sent with the unit's other messages in one statement (``database.deferred``).
    defer_insert(session, OutboxMessage, message, unless_present=("key",))


class MailboxTransport:
    """In-process delivery into the recipients' mailbox table (one machine, one database)."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def deliver(self, message: OutboxMessage) -> None:
        self.deliver_batch([message])

    def deliver_batch(self, messages: Sequence[OutboxMessage]) -> None:
        with self._database.session() as session:
            store_all_in_mailbox(session, messages)


def deliver_each(transport: Transport, messages: Sequence[OutboxMessage]) -> None:
    """Every message through ``transport``: as one batch where it takes batches."""
    if isinstance(transport, BatchTransport):
        transport.deliver_batch(messages)
        return
    for message in messages:
        transport.deliver(message)


def oldest_undelivered(batch: int) -> Select[OutboxMessage]:
    """The next ``batch`` messages to send, oldest first (read through the index of
    undelivered messages: its cost does not grow with the messages long delivered)."""
    return (
        select(OutboxMessage)
        .where(OutboxMessage.delivered_at.is_(None))
        .order_by(OutboxMessage.id)
        .limit(batch)
    )


def dispatch_pending(database: Database, transport: Transport, *, batch: int = 500) -> int:
    """Deliver undelivered messages in creation order; returns how many were delivered.
    A transport that is down stops the round: what it could not take waits for the next
    (the outbox is the source of truth; delivery is at least once, keyed)."""
    delivered = 0
    while True:
        with database.session() as session:
            pending = list(session.scalars(oldest_undelivered(batch)))
            for message in pending:
                message.attempts += 1
        if not pending:
            return delivered
        done, outage = _deliver(transport, pending)
        delivered += _mark_delivered(database, done)
        if outage is not None:
            log.warning("delivery paused: %s; %d messages wait", outage, len(pending) - len(done))
            return delivered


def _deliver(
    transport: Transport, pending: list[OutboxMessage]
) -> tuple[list[int], TransportUnavailableError | None]:
    """The ids delivered, and the outage that stopped the round if one did (a transport
    that takes batches delivers the whole batch or none of it)."""
    if isinstance(transport, BatchTransport):
        try:
            transport.deliver_batch(pending)
        except TransportUnavailableError as error:
            return [], error
        return [message.id for message in pending], None
    done: list[int] = []
    for message in pending:
        try:
            transport.deliver(message)
        except TransportUnavailableError as error:
            return done, error
        done.append(message.id)
    return done, None


def dispatch(database: Database, transport: Transport) -> int:
    """:func:`dispatch_pending` under the dispatch lock: one deliverer at a time across
    processes (delivery is idempotent; this keeps it single as well)."""
    with dispatch_lock(database.engine):
        return dispatch_pending(database, transport)


def _mark_delivered(database: Database, message_ids: list[int]) -> int:
    """One unit of work for the batch (a crash before it only means a redelivery)."""
    if message_ids:
        with database.session() as session:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(message_ids))
                .values(delivered_at=utcnow())
            )
    return len(message_ids)
