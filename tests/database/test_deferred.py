"""Rows a unit appends and does not read back (audit events, outbox messages) go in one
statement per table, are there for any statement that may read them, and go away with
a rollback or a rolled-back savepoint; on each backend."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from statement_log import statements_sent

from securecomm.audit import service as audit_service
from securecomm.audit.models import AuditEvent
from securecomm.database import Database
from securecomm.database.deferred import savepoint
from securecomm.interop import outbox
from securecomm.interop.models import Jurisdiction, OutboxMessage

AT = datetime(2012, 5, 1, 9, 30, tzinfo=UTC)


def _event(session: Session, summary: str) -> None:
    audit_service.record(
        session,
        kind="test.step",
        actor="tester",
        occurred_at=AT,
        summary=summary,
        details={"n": summary},
    )


def _message(session: Session, recipient: str) -> None:
    outbox.enqueue(
        session,
        message_type="SRE",
        control_number="TCN1",
        sender="USDOJFBI0",
        recipient=recipient,
        created_at=AT,
        payload={"to": recipient},
    )


def _summaries(database: Database) -> list[str]:
    with database.session() as session:
        return list(session.scalars(select(AuditEvent.summary).order_by(AuditEvent.id)))


def _inserts(seen: list[str], table: str) -> int:
    return sum(statement.startswith(f"INSERT INTO {table}") for statement in seen)


def test_a_units_events_and_messages_go_in_one_statement_each(database: Database) -> None:
    with statements_sent(database) as seen, database.session() as session:
        for summary in ("one", "two", "three"):
            _event(session, summary)
        _message(session, "TXDPS0000")
        _message(session, "TXICE0000")
        session.scalars(select(Jurisdiction)).all()  # about another table: not sent for it
        assert _inserts(seen, "audit_events") == 0
    assert _inserts(seen, "audit_events") == 1
    assert _inserts(seen, "outbox") == 1
    assert _summaries(database) == ["one", "two", "three"]
    with database.session() as session:
        stored = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [e.details for e in stored] == [{"n": "one"}, {"n": "two"}, {"n": "three"}]
        assert all(len(e.content_hash) == 64 for e in stored)
        recipients = session.scalars(select(OutboxMessage.recipient).order_by(OutboxMessage.id))
        assert list(recipients) == ["TXDPS0000", "TXICE0000"]


def test_a_statement_that_may_read_them_finds_them_there(database: Database) -> None:
    with database.session() as session:
        _event(session, "seen")
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 1
        _message(session, "TXDPS0000")
        assert session.scalar(select(func.count(OutboxMessage.id))) == 1


def test_a_message_made_again_is_kept_once(database: Database) -> None:
    with database.session() as session:
        _message(session, "TXDPS0000")
        _message(session, "TXDPS0000")  # the same step's message, twice in one unit
    with database.session() as session:
        _message(session, "TXDPS0000")  # a step run again after a crash
    with database.session() as session:
        assert session.scalar(select(func.count(OutboxMessage.id))) == 1


def test_a_rollback_drops_what_was_not_committed(database: Database) -> None:
    def fail() -> None:
        with database.session() as session:
            _event(session, "lost")
            _message(session, "TXDPS0000")
            raise RuntimeError("the unit fails")

    with pytest.raises(RuntimeError, match="the unit fails"):
        fail()
    with database.session() as session:
        _event(session, "kept")
    assert _summaries(database) == ["kept"]
    with database.session() as session:
        assert session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_a_rolled_back_savepoint_drops_only_its_own_rows(database: Database) -> None:
    with database.session() as session:
        _event(session, "before")

        def refused() -> None:
            with savepoint(session):
                _event(session, "inside, refused")
                raise RuntimeError("refused")

        with pytest.raises(RuntimeError, match="refused"):
            refused()
        with savepoint(session):
            _event(session, "inside, accepted")
        _event(session, "after")
    assert _summaries(database) == ["before", "inside, accepted", "after"]
