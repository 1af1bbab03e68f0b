"""A following worker on PostgreSQL wakes when a submission is stored (LISTEN/NOTIFY),
long before its poll interval is over; stop() is heard while it waits."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

from securecomm.auth.cli import init_deployment
from securecomm.booking import intake
from securecomm.booking.models import Submission, SubmissionState
from securecomm.database import Database
from securecomm.pipeline.submit import NoCourt
from securecomm.pipeline.worker import Worker

POLL_SECONDS = 60.0  # far longer than the test may take: only a notice can wake it


def _state(database: Database, submission_id: int) -> SubmissionState:
    with database.session() as session:
        state = session.scalar(select(Submission.state).where(Submission.id == submission_id))
    assert state is not None
    return state


def test_a_following_worker_wakes_when_work_arrives(database: Database) -> None:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no notices: its workers poll")
    with database.session() as session:
        init_deployment(session)  # the standing agencies an error answer comes from
    worker = Worker(database, court=NoCourt())
    thread = threading.Thread(
        target=lambda: worker.run(follow=True, poll_seconds=POLL_SECONDS), daemon=True
    )
    thread.start()
    time.sleep(1.0)  # let it find nothing and start waiting
    stored_at = time.monotonic()
    submission, _, _ = intake.store(database, b"not a booking file at all")
    while _state(database, submission.id) is SubmissionState.RECEIVED:
        assert time.monotonic() - stored_at < 20, "the worker slept through the notice"
        time.sleep(0.05)
    worker.stop()
    thread.join(timeout=10)
    assert not thread.is_alive()
    worker.close()
    assert _state(database, submission.id) is SubmissionState.REJECTED
