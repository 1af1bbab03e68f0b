"""Claims on PostgreSQL: a claim that loses a race with another worker's write is no
claim (the worker moves on), never a crash. After a database restart a worker whose
lock went with its connection may still be driving the submission another claims."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from securecomm.booking import service as booking_service
from securecomm.booking.models import Submission, SubmissionKind
from securecomm.database import Database
from securecomm.database.locks import runs_in_parallel
from securecomm.pipeline.claims import Claimed, Claims


def _stored(database: Database) -> int:
    with database.session() as session:
        submission, _ = booking_service.receive(
            session,
            kind=SubmissionKind.BOOKING,
            raw=json.dumps({"tcn": "TCN-CLAIM-1"}).encode(),
            event_at=datetime(2012, 3, 1, tzinfo=UTC),
            tcn="TCN-CLAIM-1",
        )
        session.flush()
        return submission.id


def test_a_claim_that_loses_a_race_is_no_claim(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not runs_in_parallel(database.engine):
        pytest.skip("SQLite: workers take turns under the order lock, no race to lose")
    submission_id = _stored(database)
    claims = Claims(database, "worker-b", timedelta(minutes=5))
    stamp = claims._stamp

    def another_worker_writes_meanwhile(submission: Submission, now: datetime) -> Claimed:
        with database.engine.begin() as connection:
            connection.execute(
                update(Submission)
                .where(Submission.id == submission.id)
                .values(version=Submission.version + 1)
            )
        return stamp(submission, now)

    monkeypatch.setattr(claims, "_stamp", another_worker_writes_meanwhile)
    assert claims._mark_claimed(submission_id) is None
    monkeypatch.undo()
    claimed = claims._mark_claimed(submission_id)
    assert claimed == Claimed(submission_id, SubmissionKind.BOOKING, "TCN-CLAIM-1")
