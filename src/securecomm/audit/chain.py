"""Sealing and verifying the audit log.

Every event gets its content hash when it is inserted (``audit.service.record``).
Sealing, under the audit lock, gives each new event the next leaf of the Merkle tree
(RFC 9162) and the next link of the hash chain, then signs a checkpoint: tree size,
Merkle root, chain head. Verifying recomputes every content hash from the stored
fields, the chain and the root at every checkpoint, checks every signature, and names
the first event or checkpoint that does not hold. Edits, deletions, reordering,
insertions and a truncated tail are all caught; events not yet sealed are reported as
such (the window between append and the next seal, which the worker keeps short).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from securecomm.audit import merkle
from securecomm.audit.models import AuditChainLink, AuditCheckpoint, AuditEvent
from securecomm.audit.signing import CheckpointSigner, key_id, verify_signature
from securecomm.database import Database
from securecomm.database.locks import audit_lock
from securecomm.exceptions import NotFoundError, SecurecommError

GENESIS = "0" * 64
CONTENT_COLUMNS = (
    AuditEvent.recorded_at,
    AuditEvent.occurred_at,
    AuditEvent.actor,
    AuditEvent.role,
    AuditEvent.agency,
    AuditEvent.kind,
    AuditEvent.purpose,
    AuditEvent.records,
    AuditEvent.transaction_id,
    AuditEvent.case_id,
    AuditEvent.summary,
    AuditEvent.details,
    AuditEvent.key,
)


class AuditChainError(SecurecommError):
    """The log cannot be sealed as it stands (an event changed before it was sealed)."""


def _moment(value: datetime) -> str:
    moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def content_hash(values: tuple[Any, ...]) -> str:
    """SHA-256 of the canonical JSON of an event's content, in CONTENT_COLUMNS order."""
    named = dict(zip((column.key for column in CONTENT_COLUMNS), values, strict=True))
    named["recorded_at"] = _moment(named["recorded_at"])
    named["occurred_at"] = _moment(named["occurred_at"])
    canonical = json.dumps(named, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def event_content(event: AuditEvent) -> tuple[Any, ...]:
    return tuple(getattr(event, column.key) for column in CONTENT_COLUMNS)


def next_link(previous: str, content: str) -> str:
    return hashlib.sha256(bytes.fromhex(previous) + bytes.fromhex(content)).hexdigest()


def tree_head(size: int, root: str, chain: str, signed_at: datetime) -> bytes:
    """The exact bytes a checkpoint's signature covers."""
    return (
        f"securecomm audit checkpoint v1\n{size}\n{root}\n{chain}\n{_moment(signed_at)}\n".encode()
    )


# --------------------------------------------------------------------------- sealing


def latest_checkpoint(session: Session) -> AuditCheckpoint | None:
    query = select(AuditCheckpoint).order_by(AuditCheckpoint.tree_size.desc()).limit(1)
    return session.scalars(query).first()


def seal(session: Session, signer: CheckpointSigner) -> AuditCheckpoint | None:
    """Link every event not yet in the chain and sign a checkpoint over the new tree
    (None when nothing new arrived). Call it under ``database.locks.audit_lock``."""
    last = latest_checkpoint(session)
    size = last.tree_size if last else 0
    linked = session.scalar(select(func.count()).select_from(AuditChainLink)) or 0
    if linked != size:
        raise AuditChainError(
            f"the chain has {linked} links but the last checkpoint covers {size}: run "
            "`securecomm audit verify` before sealing again"
        )
    frontier = merkle.Frontier(size, [bytes.fromhex(h) for h in last.frontier] if last else [])
    head = last.chain_hash if last else GENESIS
    unsealed = session.execute(
        select(AuditEvent.id, AuditEvent.content_hash, *CONTENT_COLUMNS)
        .outerjoin(AuditChainLink, AuditChainLink.event_id == AuditEvent.id)
        .where(AuditChainLink.index.is_(None))
        .order_by(AuditEvent.id)
    ).all()
    if not unsealed:
        return None
    for event_id, stored_hash, *content in unsealed:
        actual = content_hash(tuple(content))
        if stored_hash and actual != stored_hash:
            raise AuditChainError(
                f"audit event {event_id} no longer matches the hash it was recorded with; "
                "it was changed before it could be sealed"
            )
        head = next_link(head, actual)
        session.add(
            AuditChainLink(
                index=frontier.size, event_id=event_id, content_hash=actual, chain_hash=head
            )
        )
        frontier.append(merkle.leaf_hash(bytes.fromhex(actual)))
    signed_at = datetime.now(UTC)
    root = frontier.root().hex()
    checkpoint = AuditCheckpoint(
        tree_size=frontier.size,
        root_hash=root,
        chain_hash=head,
        frontier=[peak.hex() for peak in frontier.peaks],
        signed_at=signed_at,
        key_id=signer.key_id,
        signature=signer.sign(tree_head(frontier.size, root, head, signed_at)),
    )
    session.add(checkpoint)
    session.flush()
    return checkpoint


def seal_now(database: Database, signer: CheckpointSigner) -> AuditCheckpoint | None:
    """Seal in a unit of work of its own, one sealer at a time across processes."""
    with audit_lock(database.engine), database.session() as session:
        return seal(session, signer)


def signer_from_settings() -> CheckpointSigner:
    from securecomm.config import get_settings

    return CheckpointSigner(get_settings().audit_signing_key)


# --------------------------------------------------------------------------- verifying


@dataclass
class Verification:
    events: int = 0  # events in the log
    sealed: int = 0  # of them, linked into the chain and covered by a checkpoint
    checkpoints: int = 0
    problems: list[str] = field(default_factory=list)  # the first is the first bad one

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def unsealed(self) -> int:
        return self.events - self.sealed


def _links_query() -> Select[Any]:
    return (
        select(
            AuditChainLink.index,
            AuditChainLink.event_id,
            AuditChainLink.content_hash,
            AuditChainLink.chain_hash,
            AuditEvent.id,
            *CONTENT_COLUMNS,
        )
        .outerjoin(AuditEvent, AuditEvent.id == AuditChainLink.event_id)
        .order_by(AuditChainLink.index)
        .execution_options(yield_per=5000)
    )


def verify(session: Session, public_key: Ed25519PublicKey) -> Verification:
    """Check every event, link and checkpoint; stop at the first break in the chain."""
    result = Verification(events=session.scalar(select(func.count(AuditEvent.id))) or 0)
    checkpoints = {c.tree_size: c for c in session.scalars(select(AuditCheckpoint))}
    result.checkpoints = len(checkpoints)
    expected_key = key_id(public_key)
    frontier, head = merkle.Frontier(), GENESIS
    # Streamed in batches (a server-side cursor on PostgreSQL) and closed even when the
    # walk stops at the first bad link.
    with session.execute(_links_query()) as links:
        for index, event_id, leaf_data, chain_hash, found_id, *content in links:
            problem = _link_problem(index, frontier.size, event_id, found_id, leaf_data, content)
            if problem is None:
                head = next_link(head, leaf_data)
                if head != chain_hash:
                    problem = f"link {index} (event {event_id}): the chain breaks here"
            if problem is not None:
                result.problems.append(problem)
                return result
            frontier.append(merkle.leaf_hash(bytes.fromhex(leaf_data)))
            result.sealed = frontier.size
            checkpoint = checkpoints.get(frontier.size)
            if checkpoint is not None:
                result.problems += _checkpoint_problems(
                    checkpoint, frontier, head, expected_key, public_key
                )
                if result.problems:
                    return result
    beyond = [size for size in checkpoints if size > frontier.size]
    if beyond:
        result.problems.append(
            f"checkpoint of size {max(beyond)} covers events the log no longer has "
            f"(it ends at {frontier.size}): the tail was truncated"
        )
    return result


def _link_problem(
    index: int,
    expected_index: int,
    event_id: int,
    found_id: int | None,
    leaf_data: str,
    content: list[Any],
) -> str | None:
    if index != expected_index:
        return f"link {expected_index} is missing (the next link is {index}): events were removed"
    if found_id is None:
        return f"link {index}: audit event {event_id} was deleted"
    if content_hash(tuple(content)) != leaf_data:
        return f"link {index}: audit event {event_id} was changed after it was recorded"
    return None


def _checkpoint_problems(
    checkpoint: AuditCheckpoint,
    frontier: merkle.Frontier,
    head: str,
    expected_key: str,
    public_key: Ed25519PublicKey,
) -> list[str]:
    size = checkpoint.tree_size
    if checkpoint.key_id != expected_key:
        return [f"checkpoint {size}: signed by key {checkpoint.key_id}, not {expected_key}"]
    message = tree_head(size, checkpoint.root_hash, checkpoint.chain_hash, checkpoint.signed_at)
    if not verify_signature(public_key, checkpoint.signature, message):
        return [f"checkpoint {size}: the signature does not verify"]
    if checkpoint.root_hash != frontier.root().hex() or checkpoint.chain_hash != head:
        return [f"checkpoint {size}: the log up to it no longer has the signed root"]
    return []


# --------------------------------------------------------------------------- proofs


@dataclass(frozen=True)
class InclusionProof:
    event_id: int
    index: int
    tree_size: int
    leaf_hash: str
    root_hash: str
    path: list[str]


@dataclass(frozen=True)
class ConsistencyProof:
    first_size: int
    first_root: str
    second_size: int
    second_root: str
    path: list[str]


def _leaves(session: Session, size: int) -> list[bytes]:
    query = (
        select(AuditChainLink.content_hash)
        .where(AuditChainLink.index < size)
        .order_by(AuditChainLink.index)
    )
    return [merkle.leaf_hash(bytes.fromhex(h)) for h in session.scalars(query)]


def _checkpoint(session: Session, size: int | None) -> AuditCheckpoint:
    checkpoint = (
        latest_checkpoint(session)
        if size is None
        else session.scalar(select(AuditCheckpoint).where(AuditCheckpoint.tree_size == size))
    )
    if checkpoint is None:
        raise NotFoundError(f"no checkpoint of size {size or 'any'}: seal the log first")
    return checkpoint


def prove_inclusion(session: Session, event_id: int, size: int | None = None) -> InclusionProof:
    checkpoint = _checkpoint(session, size)
    link = session.scalar(select(AuditChainLink).where(AuditChainLink.event_id == event_id))
    if link is None or link.index >= checkpoint.tree_size:
        raise NotFoundError(
            f"audit event {event_id} is not sealed under checkpoint {checkpoint.tree_size}"
        )
    leaves = _leaves(session, checkpoint.tree_size)
    return InclusionProof(
        event_id=event_id,
        index=link.index,
        tree_size=checkpoint.tree_size,
        leaf_hash=leaves[link.index].hex(),
        root_hash=checkpoint.root_hash,
        path=[h.hex() for h in merkle.inclusion_proof(link.index, leaves)],
    )


def prove_consistency(session: Session, first: int, second: int | None = None) -> ConsistencyProof:
    older, newer = _checkpoint(session, first), _checkpoint(session, second)
    leaves = _leaves(session, newer.tree_size)
    return ConsistencyProof(
        first_size=older.tree_size,
        first_root=older.root_hash,
        second_size=newer.tree_size,
        second_root=newer.root_hash,
        path=[h.hex() for h in merkle.consistency_proof(older.tree_size, leaves)],
    )
