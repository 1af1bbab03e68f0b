"""A simulated fingerprint examiner: decides queued possible identifications the way a
careful examiner would, by knowing who the prints really belong to (ground truth)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from securecomm.database import Database
from securecomm.interop import examiner
from securecomm.interop.models import Transaction
from securecomm.repositories.models import CriminalSubject, ExaminerReview, Repository
from securecomm.simulation.runner import SubjectLinks
from securecomm.simulation.world import World

EXAMINER = "simulated examiner"


def _candidate_person(
    session: Session, review: ExaminerReview, world: World, links: SubjectLinks
) -> int | None:
    if review.repository is Repository.IMMIGRATION:
        return links.immigration.get(review.candidate_subject_id)
    if review.candidate_subject_id in links.criminal:
        return links.criminal[review.candidate_subject_id]
    tcn = session.scalar(
        select(CriminalSubject.enrolled_by_tcn).where(
            CriminalSubject.id == review.candidate_subject_id
        )
    )
    return world.truth.booking_person.get(tcn) if tcn else None


def decide_pending(database: Database, world: World, links: SubjectLinks) -> int:
    """Confirm true candidates and reject false ones; returns how many were decided."""
    decided = 0
    with database.session() as session:
        for review in examiner.pending(session, limit=10_000):
            transaction = session.get_one(Transaction, review.transaction_id)
            truth = world.truth.booking_person[transaction.tcn]
            same = _candidate_person(session, review, world, links) == truth
            examiner.decide(
                session,
                review_id=review.id,
                confirm=same,
                examiner=EXAMINER,
                at=datetime.now(UTC),
                note="prints compared side by side" if same else "ridge detail differs",
            )
            decided += 1
    return decided
