"""``/api/v1/audit``: reading the log (auditors), verifying it, and RFC 9162 proofs.

There is no route that writes, edits or deletes an event: the log is appended to by
the flows and by the permission layer, and nobody, administrators included, changes it.
Reading the log is itself audited.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlalchemy import select

from securecomm.api.errors import ERROR_RESPONSES
from securecomm.api.pagination import Page, Window, fetch, window
from securecomm.api.params import MAX_ID, RecordId
from securecomm.api.security import Actor, requires
from securecomm.audit import chain
from securecomm.audit.models import AuditCheckpoint, AuditEvent
from securecomm.audit.signing import public_key_b64
from securecomm.auth.roles import P

router = APIRouter(prefix="/api/v1", tags=["audit"], responses=ERROR_RESPONSES)


class EventOut(BaseModel):
    id: int
    recorded_at: datetime
    occurred_at: datetime
    actor: str
    role: str | None
    agency: str | None
    kind: str
    purpose: str | None
    records: list[str]
    summary: str
    transaction_id: int | None
    case_id: int | None
    content_hash: str

    @classmethod
    def of(cls, event: AuditEvent) -> EventOut:
        return cls(
            id=event.id,
            recorded_at=event.recorded_at,
            occurred_at=event.occurred_at,
            actor=event.actor,
            role=event.role,
            agency=event.agency,
            kind=event.kind,
            purpose=event.purpose,
            records=list(event.records),
            summary=event.summary,
            transaction_id=event.transaction_id,
            case_id=event.case_id,
            content_hash=event.content_hash,
        )


class VerificationOut(BaseModel):
    ok: bool
    events: int
    sealed: int
    unsealed: int
    checkpoints: int
    problems: list[str]
    public_key: str


class CheckpointOut(BaseModel):
    tree_size: int
    root_hash: str
    chain_hash: str
    signed_at: datetime
    key_id: str
    signature: str


@router.get("/audit/events", response_model=Page[EventOut])
def list_events(
    actor: Annotated[Actor, requires(P.READ_AUDIT_LOG, personal=True)],
    at: Annotated[Window, Depends(window)],
    kind: Annotated[str | None, Query(max_length=64)] = None,
    who: Annotated[str | None, Query(max_length=64, description="The acting user.")] = None,
    transaction_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Page[EventOut]:
    """The log, newest first, optionally by kind, actor or transaction."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    if kind is not None:
        query = query.where(AuditEvent.kind == kind)
    if who is not None:
        query = query.where(AuditEvent.actor == who)
    if transaction_id is not None:
        query = query.where(AuditEvent.transaction_id == transaction_id)
    rows, total = fetch(actor.session, query, at)
    return Page(items=[EventOut.of(e) for e in rows], total=total, limit=at.limit, offset=at.offset)


@router.get("/audit/verify", response_model=VerificationOut)
def verify(actor: Annotated[Actor, requires(P.VERIFY_AUDIT_LOG)]) -> VerificationOut:
    """Recompute every content hash, the chain, every Merkle root and signature; the
    first bad event or checkpoint is named."""
    signer = chain.signer_from_settings()
    result = chain.verify(actor.session, signer.public_key)
    return VerificationOut(
        ok=result.ok,
        events=result.events,
        sealed=result.sealed,
        unsealed=result.unsealed,
        checkpoints=result.checkpoints,
        problems=result.problems,
        public_key=public_key_b64(signer.public_key),
    )


@router.get("/audit/checkpoints", response_model=list[CheckpointOut])
def checkpoints(actor: Annotated[Actor, requires(P.READ_AUDIT_LOG)]) -> list[CheckpointOut]:
    """Every signed tree head, oldest first."""
    rows = actor.session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.tree_size))
    return [
        CheckpointOut(
            tree_size=c.tree_size,
            root_hash=c.root_hash,
            chain_hash=c.chain_hash,
            signed_at=c.signed_at,
            key_id=c.key_id,
            signature=c.signature,
        )
        for c in rows
    ]


@router.get("/audit/proofs/inclusion/{event_id}", response_model=dict[str, Any])
def inclusion_proof(
    event_id: RecordId,
    actor: Annotated[Actor, requires(P.READ_AUDIT_LOG)],
    size: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> dict[str, Any]:
    """An RFC 9162 inclusion proof of one event under a signed checkpoint."""
    return asdict(chain.prove_inclusion(actor.session, event_id, size))


@router.get("/audit/proofs/consistency", response_model=dict[str, Any])
def consistency_proof(
    actor: Annotated[Actor, requires(P.READ_AUDIT_LOG)],
    first: Annotated[int, Query(ge=1, le=MAX_ID)],
    second: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> dict[str, Any]:
    """An RFC 9162 consistency proof between two signed checkpoints."""
    return asdict(chain.prove_consistency(actor.session, first, second))
