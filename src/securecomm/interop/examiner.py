"""The fingerprint examiners' queue: possible identifications confirmed or rejected by a
person, whose decision the worker then applies to the parked booking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from securecomm.audit import service as audit_service
from securecomm.biometrics import Template, compare
from securecomm.booking import service as booking_service
from securecomm.booking.car import ANSI_NIST_CONTENT
from securecomm.booking.car_reading import finger_images, fingers_with_images
from securecomm.booking.models import Submission, SubmissionState
from securecomm.database.paging import page_of
from securecomm.exceptions import IllegalTransitionError, NotFoundError
from securecomm.interop.models import Transaction
from securecomm.repositories.models import (
    CriminalSubject,
    ExaminerReview,
    FingerprintRecord,
    Repository,
    ReviewStatus,
)


def pending(session: Session, *, limit: int = 100) -> list[ExaminerReview]:
    query = (
        select(ExaminerReview)
        .where(ExaminerReview.status == ReviewStatus.PENDING)
        .order_by(ExaminerReview.queued_at, ExaminerReview.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def decide(
    session: Session,
    *,
    review_id: int,
    confirm: bool,
    examiner: str,
    at: datetime,
    note: str = "",
) -> ExaminerReview:
    """Record an examiner's decision and release the parked booking to the worker."""
    review = session.get(ExaminerReview, review_id)
    if review is None:
        raise NotFoundError(f"no examiner review {review_id}")
    if review.status is not ReviewStatus.PENDING:
        raise IllegalTransitionError("examiner review", str(review.status), "decided again")
    if not examiner.strip():
        raise IllegalTransitionError("examiner review", "pending", "decided by nobody")
    review.status = ReviewStatus.CONFIRMED if confirm else ReviewStatus.REJECTED
    review.examiner = examiner.strip()[:64]
    review.decided_at = at
    review.note = note[:500]
    transaction = session.get_one(Transaction, review.transaction_id)
    submission = session.get_one(Submission, transaction.submission_id)
    if submission.state is SubmissionState.PARKED:
        submission.state = SubmissionState.PROCESSING
    audit_service.record(
        session,
        kind="examiner.decided",
        actor=review.examiner,
        occurred_at=at,
        summary=f"review {review.id}: {review.status} candidate {review.candidate_subject_id}",
        transaction_id=transaction.id,
    )
    return review


# --------------------------------------------------------------------------- the examiner's view


def queue_page(
    session: Session, *, repository: str | None, limit: int, offset: int
) -> tuple[list[ExaminerReview], int]:
    """Pending comparisons of one repository (None: both), oldest first, and how many."""
    query = select(ExaminerReview).where(ExaminerReview.status == ReviewStatus.PENDING)
    if repository is not None:
        query = query.where(ExaminerReview.repository == Repository(repository))
    ordered = query.order_by(ExaminerReview.queued_at, ExaminerReview.id)
    return page_of(session, ordered, limit=limit, offset=offset)


def review_in_queue(
    session: Session, review_id: int, repository: str | None, examiner: str | None = None
) -> ExaminerReview:
    """A comparison in the examiner's queue: their repository's, pending or decided by
    them (any other is "not found"). ``repository`` None: every comparison (auditors)."""
    review = session.get(ExaminerReview, review_id)
    if review is None or (
        repository is not None
        and (
            review.repository.value != repository
            or (review.status is not ReviewStatus.PENDING and review.examiner != examiner)
        )
    ):
        raise NotFoundError(f"no examiner review {review_id}")
    return review


@dataclass(frozen=True)
class FingerComparison:
    """One finger of the probe beside the candidate's: minutiae and the pairs the matcher
    found (rows of ``probe.minutiae``, rows of ``candidate.minutiae``)."""

    finger: int
    score: float
    probe: Template
    candidate: Template
    pairs: list[tuple[int, int]]


def comparison(session: Session, review: ExaminerReview) -> list[FingerComparison]:
    """Every finger the probe and the candidate share, compared again with the pairs kept."""
    transaction = session.get_one(Transaction, review.transaction_id)
    submission = session.get_one(Submission, transaction.submission_id)
    probe = {
        finger: Template.from_bytes(data)
        for finger, data in booking_service.booking_of(submission).template_bytes().items()
    }
    stored = session.scalars(
        select(FingerprintRecord).where(
            FingerprintRecord.repository == review.repository,
            FingerprintRecord.subject_id == review.candidate_subject_id,
        )
    )
    candidate = {row.finger_position: Template.from_bytes(row.template) for row in stored}
    fingers = []
    for finger in sorted(probe.keys() & candidate.keys()):
        result = compare(probe[finger], candidate[finger], explain=True)
        fingers.append(
            FingerComparison(finger, result.score, probe[finger], candidate[finger], result.pairs)
        )
    return fingers


def _side_submission(session: Session, review: ExaminerReview, side: str) -> Submission | None:
    """The CAR behind one side of a comparison, where a booking file carried images: the
    probe's own, or the one that enrolled the candidate in the criminal repository.
    Minutiae-only submissions and immigration enrolments have none."""
    transaction = session.get_one(Transaction, review.transaction_id)
    if side == "probe":
        submission = session.get(Submission, transaction.submission_id)
    else:
        tcn = None
        if review.repository is Repository.CRIMINAL:
            subject = session.get(CriminalSubject, review.candidate_subject_id)
            tcn = subject.enrolled_by_tcn if subject else None
        enrolled = (
            session.scalar(select(Transaction).where(Transaction.tcn == tcn)) if tcn else None
        )
        submission = session.get(Submission, enrolled.submission_id) if enrolled else None
    if submission is None or submission.content_type != ANSI_NIST_CONTENT:
        return None
    return submission


def image(session: Session, review: ExaminerReview, side: str, finger: int) -> Any | None:
    """One finger's image on one side of a comparison (None where there is none); only
    that finger is decoded."""
    submission = _side_submission(session, review, side)
    if submission is None:
        return None
    return finger_images(submission.raw, {finger}).get(finger)


def image_fingers(session: Session, review: ExaminerReview, side: str) -> set[int]:
    """The fingers one side of a comparison has images of (read off the records'
    headers; nothing is decoded)."""
    submission = _side_submission(session, review, side)
    return set() if submission is None else fingers_with_images(submission.raw)
