"""The audit log: events (inserted, never changed), the chain that orders and links them,
and the signed checkpoints that seal it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, event
from sqlalchemy.orm import Mapped, Mapper, mapped_column

from securecomm.database import Base, utcnow
from securecomm.exceptions import SecurecommError


class AuditLogImmutableError(SecurecommError):
    """Something tried to change or delete an audit event through the application."""


class AuditEvent(Base):
    """One thing that happened: who (and in which role and agency), what, to which
    records, for what stated purpose, when. Inserted once, never updated."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    occurred_at: Mapped[datetime]  # time in the world (booking time, release time, ...)
    actor: Mapped[str] = mapped_column(String(64))  # user name, ORI or role that acted
    role: Mapped[str | None] = mapped_column(String(32))  # the user's role, for people
    agency: Mapped[str | None] = mapped_column(String(9))  # the user's agency ORI
    kind: Mapped[str] = mapped_column(String(64), index=True)  # the action
    purpose: Mapped[str | None] = mapped_column(String(200))  # as the user stated it
    records: Mapped[list[str]] = mapped_column(default=list)  # "case:12", "submission:3"
    transaction_id: Mapped[int | None] = mapped_column(ForeignKey("transactions.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    summary: Mapped[str] = mapped_column(String(500))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Set for events a step writes: the same step run twice records its event once.
    key: Mapped[str | None] = mapped_column(String(160), unique=True)
    # SHA-256 of the canonical content, fixed at insert (audit/chain.py); empty for
    # events recorded before the log was chained (their hash is taken when sealed).
    content_hash: Mapped[str] = mapped_column(String(64), default="")


class AuditChainLink(Base):
    """The event's place in the log: leaf ``index`` of the Merkle tree, and the hash
    chain (SHA-256 of the previous link's hash and this event's content hash)."""

    __tablename__ = "audit_chain"

    index: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    event_id: Mapped[int] = mapped_column(ForeignKey("audit_events.id"), unique=True)
    content_hash: Mapped[str] = mapped_column(String(64))  # the Merkle leaf's data
    chain_hash: Mapped[str] = mapped_column(String(64))


class AuditCheckpoint(Base):
    """A signed tree head: the log's size, Merkle root and chain head at sealing."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    tree_size: Mapped[int] = mapped_column(unique=True)
    root_hash: Mapped[str] = mapped_column(String(64))
    chain_hash: Mapped[str] = mapped_column(String(64))
    frontier: Mapped[list[str]] = mapped_column(default=list)  # right-edge subtree roots
    signed_at: Mapped[datetime]
    key_id: Mapped[str] = mapped_column(String(16))  # first bytes of the public key
    signature: Mapped[str] = mapped_column(String(128))  # Ed25519 over the tree head


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
@event.listens_for(AuditChainLink, "before_update")
@event.listens_for(AuditChainLink, "before_delete")
@event.listens_for(AuditCheckpoint, "before_update")
@event.listens_for(AuditCheckpoint, "before_delete")
def _refuse_change(_mapper: Mapper[Any], _connection: Any, target: Any) -> None:
    raise AuditLogImmutableError(
        f"the audit log is append-only: {type(target).__name__} cannot be changed or deleted"
    )
