"""The audit log proves itself: sealing links events into a hash chain and a Merkle tree
(RFC 9162) under signed checkpoints; tampering with the stored rows directly in the
database, in every way, is found and the first bad event named."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from securecomm.audit import chain, merkle
from securecomm.audit import service as audit_service
from securecomm.audit.models import AuditEvent, AuditLogImmutableError
from securecomm.audit.signing import CheckpointSigner, new_private_key_b64
from securecomm.database import Database
from securecomm.exceptions import NotFoundError

SIGNER = CheckpointSigner(new_private_key_b64())
T0 = datetime(2012, 5, 1, 8, 0, tzinfo=UTC)


def _append(database: Database, count: int, start: int = 0) -> None:
    with database.session() as session:
        for n in range(start, start + count):
            audit_service.record(
                session,
                kind="record.read",
                actor=f"officer{n % 3}",
                role="ice_officer",
                agency="TXICE0000",
                purpose="case review",
                records=[f"case:{n}"],
                occurred_at=T0 + timedelta(minutes=n),
                summary=f"read case {n}",
                details={"n": n, "fields": ["name", "dob"]},
            )


def _sealed_log(database: Database) -> None:
    _append(database, 10)
    assert chain.seal_now(database, SIGNER) is not None
    _append(database, 7, start=10)
    checkpoint = chain.seal_now(database, SIGNER)
    assert checkpoint is not None
    assert checkpoint.tree_size == 17


def _verify(database: Database) -> chain.Verification:
    with database.session() as session:
        return chain.verify(session, SIGNER.public_key)


def _sql(database: Database, statement: str, **values: object) -> None:
    with database.engine.begin() as connection:
        connection.execute(text(statement), values)


def test_an_untouched_log_verifies_and_new_events_wait_for_the_next_seal(
    database: Database,
) -> None:
    _sealed_log(database)
    _append(database, 2, start=17)
    result = _verify(database)
    assert result.ok, result.problems
    assert (result.sealed, result.checkpoints, result.unsealed) == (17, 2, 2)
    assert chain.seal_now(database, SIGNER) is not None
    assert _verify(database).unsealed == 0
    assert chain.seal_now(database, SIGNER) is None  # nothing new


def _insert_forged(database: Database, *, at: int) -> None:
    """What a careful forger does: a well-formed event slipped in at position ``at``
    with every later chain link recomputed, so only the signed roots can tell."""
    _sql(database, 'UPDATE audit_chain SET "index" = "index" + 1000 WHERE "index" >= :at', at=at)
    _sql(database, 'UPDATE audit_chain SET "index" = "index" - 999 WHERE "index" >= 1000')
    _append(database, 1, start=500)
    with database.engine.begin() as connection:
        forged_id, forged_hash = connection.execute(
            text("SELECT id, content_hash FROM audit_events ORDER BY id DESC LIMIT 1")
        ).one()
        connection.execute(
            text(
                'INSERT INTO audit_chain ("index", event_id, content_hash, chain_hash) '
                "VALUES (:at, :event, :content, '')"
            ),
            {"at": at, "event": forged_id, "content": forged_hash},
        )
        head = chain.GENESIS
        links = connection.execute(
            text('SELECT "index", content_hash FROM audit_chain ORDER BY "index"')
        ).all()
        for index, content in links:
            head = chain.next_link(head, content)
            connection.execute(
                text('UPDATE audit_chain SET chain_hash = :head WHERE "index" = :index'),
                {"head": head, "index": index},
            )


TAMPERING: dict[str, tuple[Callable[[Database], None], str]] = {
    "edit a field": (
        lambda db: _sql(db, "UPDATE audit_events SET summary = 'nothing' WHERE id = 4"),
        "audit event 4 was changed",
    ),
    "edit the purpose": (
        lambda db: _sql(db, "UPDATE audit_events SET purpose = 'curiosity' WHERE id = 12"),
        "audit event 12 was changed",
    ),
    "delete an event": (
        lambda db: (
            _sql(db, "DELETE FROM audit_chain WHERE event_id = 6; ")
            or _sql(db, "DELETE FROM audit_events WHERE id = 6")
        ),
        "link 5 is missing",
    ),
    "reorder two events": (
        lambda db: (
            _sql(db, 'UPDATE audit_chain SET "index" = -1 WHERE "index" = 2')
            or _sql(db, 'UPDATE audit_chain SET "index" = 2 WHERE "index" = 3')
            or _sql(db, 'UPDATE audit_chain SET "index" = 3 WHERE "index" = -1')
        ),
        "link 2",
    ),
    "insert a forged event, chain recomputed": (
        lambda db: _insert_forged(db, at=8),
        "checkpoint 10: the log up to it no longer has the signed root",
    ),
    "truncate the tail": (
        lambda db: _sql(db, 'DELETE FROM audit_chain WHERE "index" >= 14'),
        "the tail was truncated",
    ),
    "re-sign with another key": (
        lambda db: _sql(db, "UPDATE audit_checkpoints SET key_id = 'deadbeefdeadbeef'"),
        "signed by key deadbeefdeadbeef",
    ),
    "rewrite a checkpoint's root": (
        lambda db: _sql(db, f"UPDATE audit_checkpoints SET root_hash = '{'ab' * 32}'"),
        "signature does not verify",
    ),
}


@pytest.mark.parametrize("way", list(TAMPERING))
def test_every_kind_of_tampering_is_found_and_named(database: Database, way: str) -> None:
    _sealed_log(database)
    assert _verify(database).ok
    tamper, expected = TAMPERING[way]
    tamper(database)
    result = _verify(database)
    assert not result.ok, way
    assert expected in result.problems[0], result.problems


def test_an_event_edited_and_rehashed_before_sealing_breaks_nothing_sealed(
    database: Database,
) -> None:
    # Editing an unsealed event is refused at sealing (its insert-time hash no longer
    # matches); rewriting the stored hash too is the one window, kept short by sealing.
    _sealed_log(database)
    _append(database, 1, start=17)
    _sql(database, "UPDATE audit_events SET summary = 'edited' WHERE id = 18")
    with pytest.raises(chain.AuditChainError, match="audit event 18 no longer matches"):
        chain.seal_now(database, SIGNER)


def test_the_application_cannot_change_or_delete_an_event(database: Database) -> None:
    _append(database, 1)
    for change in (_edit_first_event, _delete_first_event):
        with pytest.raises(AuditLogImmutableError):
            change(database)
    assert _verify(database).ok


def _edit_first_event(database: Database) -> None:
    with database.session() as session:
        session.get_one(AuditEvent, 1).summary = "changed"


def _delete_first_event(database: Database) -> None:
    with database.session() as session:
        session.delete(session.get_one(AuditEvent, 1))


def test_inclusion_and_consistency_proofs_verify_against_the_signed_roots(
    database: Database,
) -> None:
    _sealed_log(database)
    with database.session() as session:
        for event_id in (1, 9, 17):
            proof = chain.prove_inclusion(session, event_id)
            assert merkle.verify_inclusion(
                index=proof.index,
                size=proof.tree_size,
                leaf=bytes.fromhex(proof.leaf_hash),
                proof=[bytes.fromhex(h) for h in proof.path],
                expected_root=bytes.fromhex(proof.root_hash),
            )
        consistent = chain.prove_consistency(session, 10, 17)
        assert merkle.verify_consistency(
            first=10,
            second=17,
            first_root=bytes.fromhex(consistent.first_root),
            second_root=bytes.fromhex(consistent.second_root),
            proof=[bytes.fromhex(h) for h in consistent.path],
        )
        with pytest.raises(NotFoundError):
            chain.prove_inclusion(session, 999)
