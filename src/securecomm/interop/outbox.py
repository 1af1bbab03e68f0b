"""The persisted outbox: messages are written with the step that made them and
delivered afterwards, at least once; the transport deduplicates by message key."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from securecomm.database import Database, utcnow
from securecomm.interop.models import MailboxMessage, OutboxMessage


class Transport(Protocol):
    """Delivers one message; must be idempotent on ``message.key``."""

    def deliver(self, message: OutboxMessage) -> None: ...


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
) -> OutboxMessage:
    """Add a message unless this control number already produced it for this recipient."""
    key = f"{control_number}:{message_type}:{recipient}"
    existing = session.scalar(select(OutboxMessage).where(OutboxMessage.key == key))
    if existing is not None:
        return existing
    message = OutboxMessage(
        key=key,
        message_type=message_type,
        sender=sender,
        recipient=recipient,
        created_at=created_at,
        payload=payload,
        transaction_id=transaction_id,
        submission_id=submission_id,
    )
    session.add(message)
    return message


class MailboxTransport:
    """In-process delivery into the recipients' mailbox table (one machine, one database)."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def deliver(self, message: OutboxMessage) -> None:
        with self._database.session() as session:
            already = session.scalar(
                select(MailboxMessage.id).where(MailboxMessage.message_key == message.key)
            )
            if already is None:
                session.add(
                    MailboxMessage(
                        message_key=message.key,
                        recipient=message.recipient,
                        message_type=message.message_type,
                        payload=message.payload,
                    )
                )


def dispatch_pending(database: Database, transport: Transport, *, batch: int = 500) -> int:
    """Deliver undelivered messages in creation order; returns how many were delivered."""
    delivered = 0
    while True:
        with database.session() as session:
            pending = list(
                session.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.delivered_at.is_(None))
                    .order_by(OutboxMessage.id)
                    .limit(batch)
                )
            )
            for message in pending:
                message.attempts += 1
        if not pending:
            return delivered
        for message in pending:
            transport.deliver(message)
            with database.session() as session:
                stored = session.get_one(OutboxMessage, message.id)
                stored.delivered_at = utcnow()
            delivered += 1
