"""Intake: raw kept first, bad input answered by an ERRT naming each field and rule,
resending is idempotent, the outbox delivers exactly once."""

from __future__ import annotations

import json
from collections import OrderedDict
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from world_fixtures import small_world

from securecomm.booking import service as booking_service
from securecomm.booking.models import Submission, SubmissionKind, SubmissionState
from securecomm.booking.schemas import BookingDocument
from securecomm.database import Database
from securecomm.interop import outbox
from securecomm.interop.models import MailboxMessage, OutboxMessage
from securecomm.pipeline.worker import Worker
from securecomm.simulation import runner
from securecomm.simulation.court import SimulatedImmigrationCourt

NOW = datetime(2012, 5, 1, 10, tzinfo=UTC)


def _valid_booking() -> dict[str, object]:
    world = small_world()
    return runner.booking_document(world.bookings[0])


def _submit(database: Database, document: dict[str, object] | bytes) -> int:
    raw = document if isinstance(document, bytes) else json.dumps(document).encode()
    with database.session() as session:
        submission, _ = booking_service.receive(
            session, kind=SubmissionKind.BOOKING, raw=raw, event_at=NOW, sender="TX0000001"
        )
        return submission.id


def _loaded(database: Database) -> Worker:
    world = small_world()
    runner.load_reference(database, world)
    return Worker(database, court=SimulatedImmigrationCourt(world))


def test_malformed_booking_gets_an_errt_naming_every_field_and_is_kept(database: Database) -> None:
    worker = _loaded(database)
    document = _valid_booking()
    document.update(dob="1985-13-45", sex="Q", charges=[])
    raw = json.dumps(document).encode()
    submission_id = _submit(database, raw)
    worker.run()
    with database.session() as session:
        submission = session.get_one(Submission, submission_id)
        assert submission.state is SubmissionState.REJECTED
        assert submission.raw == raw
        fields = {error["field"] for error in submission.errors}
        assert {"dob", "sex", "charges"} <= fields
        errt = session.scalars(select(OutboxMessage).where(OutboxMessage.message_type == "ERRT"))
        (message,) = list(errt)
        assert message.recipient == "TX0000001"
        assert any("dob" in line for line in message.payload["messages"])
        assert [s.id for s in booking_service.rejected(session)] == [submission_id]


def test_unreadable_bytes_are_kept_and_answered(database: Database) -> None:
    worker = _loaded(database)
    submission_id = _submit(database, b"\x00\xff not json at all")
    worker.run()
    with database.session() as session:
        submission = session.get_one(Submission, submission_id)
        assert submission.state is SubmissionState.REJECTED
        assert submission.raw == b"\x00\xff not json at all"
        assert submission.errors[0]["rule"] == "json_invalid"


def test_unknown_ori_is_a_field_error(database: Database) -> None:
    worker = _loaded(database)
    document = _valid_booking()
    document["ori"] = "ZZ9999999"
    submission_id = _submit(database, document)
    worker.run()
    with database.session() as session:
        errors = session.get_one(Submission, submission_id).errors
        assert errors == [
            {"field": "ori", "rule": "unknown_ori", "message": "no agency with ORI ZZ9999999"}
        ]


def test_resending_the_same_tcn_is_stored_once(database: Database) -> None:
    document = _valid_booking()
    assert _submit(database, document) == _submit(database, document)
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(Submission)) == 1


def test_a_valid_booking_runs_to_completion_with_its_answers(database: Database) -> None:
    worker = _loaded(database)
    _submit(database, _valid_booking())
    report = worker.run()
    assert report.submissions == 1
    with database.session() as session:
        types = set(session.scalars(select(OutboxMessage.message_type)))
        assert "SRE" in types
        assert types & {"IDR-NM", "IAQ"} or types == {"SRE"}


def test_outbox_deduplicates_and_delivers_once(database: Database) -> None:
    with database.session() as session:
        for _ in range(2):
            outbox.enqueue(
                session,
                message_type="SRE",
                control_number="TCN-0000000001",
                sender="DOJFBI000",
                recipient="TX0000001",
                created_at=NOW,
                payload={"srf": "N"},
            )
    transport = outbox.MailboxTransport(database)
    assert outbox.dispatch_pending(database, transport) == 1
    with database.session() as session:
        message = session.scalars(select(OutboxMessage)).one()
    transport.deliver(message)  # a redelivery after a crash between deliver and mark
    assert outbox.dispatch_pending(database, transport) == 0
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(MailboxMessage)) == 1


def test_a_batch_half_delivered_before_a_crash_lands_in_the_mailbox_once(
    database: Database,
) -> None:
    """The mailbox takes a dispatch round as one batch: the messages a crashed round had
    already stored are recognised by key, the rest are stored, each exactly once."""
    with database.session() as session:
        for number in range(6):
            outbox.enqueue(
                session,
                message_type="SRE",
                control_number=f"TCN-000000000{number}",
                sender="DOJFBI000",
                recipient="TX0000001",
                created_at=NOW,
                payload={"srf": "N"},
            )
    transport = outbox.MailboxTransport(database)
    with database.session() as session:
        first_half = list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))[:3]
    transport.deliver_batch(first_half)  # stored, then the worker died before marking
    assert outbox.dispatch_pending(database, transport) == 6
    with database.session() as session:
        keys = list(session.scalars(select(MailboxMessage.message_key)))
        undelivered = session.scalar(
            select(func.count()).where(OutboxMessage.delivered_at.is_(None))
        )
    assert sorted(keys) == sorted(f"TCN-000000000{n}:SRE:TX0000001" for n in range(6))
    assert undelivered == 0


def test_a_booking_is_read_from_its_bytes_once_however_many_steps_ask(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker = _loaded(database)
    readings: list[bytes] = []
    real = booking_service.BOOKING_PARSERS[booking_service.JSON_CONTENT]

    def counted(raw: bytes) -> BookingDocument:
        readings.append(raw)
        return real(raw)

    monkeypatch.setitem(booking_service.BOOKING_PARSERS, booking_service.JSON_CONTENT, counted)
    monkeypatch.setattr(booking_service, "_PARSED", OrderedDict())  # nothing read before
    document = _valid_booking()
    document["tcn"] = "TX12345ONCE01"
    submission_id = _submit(database, document)
    worker.run()
    with database.session() as session:
        submission = session.get_one(Submission, submission_id)
        assert submission.state is SubmissionState.DONE
        assert booking_service.booking_of(submission).tcn == "TX12345ONCE01"
    assert readings == [submission.raw]
