"""The fingerprint examiners' queue: possible identifications confirmed or rejected by a
person, whose decision the worker then applies to the parked booking."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from securecomm.audit import service as audit_service
from securecomm.booking.models import Submission, SubmissionState
from securecomm.exceptions import IllegalTransitionError, NotFoundError
from securecomm.interop.models import Transaction
from securecomm.repositories.models import ExaminerReview, ReviewStatus


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
