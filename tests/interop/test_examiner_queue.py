"""Possible identifications wait for a fingerprint examiner; the decision feeds back into
the flow and the statistics still equal ground truth."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from world_fixtures import small_world

from securecomm.biometrics import MatchParameters
from securecomm.booking.models import Submission, SubmissionState
from securecomm.database import Database
from securecomm.exceptions import IllegalTransitionError
from securecomm.interop import examiner
from securecomm.oversight import statistics
from securecomm.pipeline.worker import Worker
from securecomm.repositories.models import ExaminerReview, ReviewStatus
from securecomm.simulation import examiners, runner, scoring
from securecomm.simulation.court import SimulatedImmigrationCourt


def _cautious() -> MatchParameters:
    """Thresholds that send every mated search to an examiner instead of deciding."""
    defaults = MatchParameters()
    return dataclasses.replace(defaults, identification_threshold=1e9)


def test_examiner_decisions_feed_back_and_statistics_stay_exact(database: Database) -> None:
    world = small_world()
    links = runner.load_reference(database, world)
    runner.enqueue_events(database, world, links)
    worker = Worker(database, court=SimulatedImmigrationCourt(world), params=_cautious())
    decided: list[int] = []
    # examiners decide each parked booking before the next one is taken, as in the demo
    worker.run(after_each=lambda: decided.append(examiners.decide_pending(database, world, links)))
    assert sum(decided) > 0
    with database.session() as session:
        assert examiner.pending(session) == []
        assert (
            session.scalar(select(func.count()).where(Submission.state == SubmissionState.PARKED))
            == 0
        )
        statuses = set(session.scalars(select(ExaminerReview.status)))
        assert ReviewStatus.CONFIRMED in statuses
        actual = statistics.compute(session)
        expectation = scoring.expected_statistics(world, links)
        accuracy = scoring.score_identifications(session, world, links, expectation)
    assert scoring.mismatched_cells(actual, expectation.statistics) == []
    assert accuracy.missed_identifications == 0
    assert accuracy.wrong_identifications == 0


def test_parked_bookings_hold_their_dispositions_until_decided(database: Database) -> None:
    world = small_world()
    links = runner.load_reference(database, world)
    runner.enqueue_events(database, world, links)
    worker = Worker(database, court=SimulatedImmigrationCourt(world), params=_cautious())
    worker.run()
    with database.session() as session:
        queued = examiner.pending(session)
        parked = list(
            session.scalars(select(Submission).where(Submission.state == SubmissionState.PARKED))
        )
        rejected = session.scalar(
            select(func.count()).where(Submission.state == SubmissionState.REJECTED)
        )
    assert queued
    assert len(parked) > len(queued)  # the bookings and their dispositions
    assert rejected == 0  # nothing lost while waiting
    rounds = 0  # a resumed booking can queue again at the immigration search
    while examiners.decide_pending(database, world, links):
        worker.run()
        rounds += 1
        assert rounds <= 3
    with database.session() as session:
        assert (
            session.scalar(
                select(func.count()).where(
                    Submission.state.in_(
                        [
                            SubmissionState.PARKED,
                            SubmissionState.RECEIVED,
                            SubmissionState.PROCESSING,
                        ]
                    )
                )
            )
            == 0
        )


def test_a_review_is_decided_once_and_by_someone(database: Database) -> None:
    world = small_world()
    links = runner.load_reference(database, world)
    runner.enqueue_events(database, world, links)
    Worker(database, court=SimulatedImmigrationCourt(world), params=_cautious()).run(limit=40)
    now = datetime.now(UTC)
    with database.session() as session:
        review = examiner.pending(session)[0]
        with pytest.raises(IllegalTransitionError):
            examiner.decide(session, review_id=review.id, confirm=True, examiner=" ", at=now)
        examiner.decide(session, review_id=review.id, confirm=True, examiner="J. Doe", at=now)
        with pytest.raises(IllegalTransitionError):
            examiner.decide(session, review_id=review.id, confirm=False, examiner="X", at=now)
