"""``/api/v1/transactions`` (federal roles: a booking's whole path with every decision and
its reasons) and ``/api/v1/examiner`` (fingerprint examiners: only the comparisons in
their own repository's queue)."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from securecomm.api.errors import ERROR_RESPONSES
from securecomm.api.pagination import Page, Window, window
from securecomm.api.params import RecordId
from securecomm.api.security import Actor, requires
from securecomm.audit.models import AuditEvent
from securecomm.auth.roles import P
from securecomm.auth.scope import AgencyScope, examiner_repository
from securecomm.biometrics import Template
from securecomm.booking.models import Submission
from securecomm.database import utcnow
from securecomm.exceptions import NotFoundError
from securecomm.interop import examiner
from securecomm.interop import service as interop_service
from securecomm.interop.models import Transaction, TransactionState
from securecomm.interop.schemas import (
    AnswerOut,
    DecisionOut,
    TimelineEntry,
    TransactionDetail,
    TransactionOut,
)
from securecomm.repositories.models import ExaminerReview

router = APIRouter(prefix="/api/v1", tags=["transactions and examiners"], responses=ERROR_RESPONSES)


@router.get("/transactions", response_model=Page[TransactionOut])
def list_transactions(
    actor: Annotated[Actor, requires(P.READ_TRANSACTIONS, personal=True)],
    at: Annotated[Window, Depends(window)],
    state: Annotated[TransactionState | None, Query()] = None,
    ori: Annotated[str | None, Query(pattern=r"^[A-Z0-9]{9}$")] = None,
) -> Page[TransactionOut]:
    """Every transaction, newest booking first."""
    rows, total = interop_service.transactions(
        actor.session, state=state, ori=ori, limit=at.limit, offset=at.offset
    )
    actor.touched(*(f"transaction:{row.tcn}" for row in rows))
    items = [TransactionOut.of(row) for row in rows]
    return Page(items=items, total=total, limit=at.limit, offset=at.offset)


@router.get("/transactions/{tcn}", response_model=TransactionDetail)
def get_transaction(
    tcn: Annotated[str, Path(max_length=80)],
    actor: Annotated[Actor, requires(P.READ_TRANSACTIONS, personal=True)],
) -> TransactionDetail:
    """One booking's path: every decision with its trace, every message, the timeline."""
    transaction = interop_service.transaction_by_tcn(actor.session, tcn)
    submission = actor.session.get_one(Submission, transaction.submission_id)
    decisions = interop_service.decisions_of(actor.session, transaction)
    messages = interop_service.answers(actor.session, AgencyScope(None), submission, transaction)
    events = actor.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.transaction_id == transaction.id)
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    )
    timeline = [TimelineEntry(at=e.occurred_at, what=e.kind, detail=e.summary) for e in events]
    return TransactionDetail(
        transaction=TransactionOut.of(transaction),
        decisions=[DecisionOut.of(record) for record in decisions],
        answers=[AnswerOut.of(message) for message in messages],
        timeline=timeline,
    )


# --------------------------------------------------------------------------- examiners


class ReviewOut(BaseModel):
    id: int
    repository: str
    tcn: str
    candidate_subject_id: int
    score: float
    finger_scores: dict[str, Any]
    status: str
    queued_at: datetime


class Minutia(BaseModel):
    x: float
    y: float
    direction: float  # radians
    kind: Literal["ending", "bifurcation"]


class FingerOut(BaseModel):
    finger: int
    score: float
    width: int
    height: int
    probe: list[Minutia]
    candidate: list[Minutia]
    candidate_width: int
    candidate_height: int
    pairs: list[tuple[int, int]]  # (probe minutia, candidate minutia)
    probe_image: bool
    candidate_image: bool


class ComparisonOut(BaseModel):
    review: ReviewOut
    fingers: list[FingerOut]


def _review_out(actor: Actor, review: ExaminerReview) -> ReviewOut:
    transaction = actor.session.get_one(Transaction, review.transaction_id)
    return ReviewOut(
        id=review.id,
        repository=review.repository.value,
        tcn=transaction.tcn,
        candidate_subject_id=review.candidate_subject_id,
        score=review.score,
        finger_scores=review.finger_scores,
        status=review.status.value,
        queued_at=review.queued_at,
    )


def _minutiae(template: Template) -> list[Minutia]:
    return [
        Minutia(
            x=float(row[0]),
            y=float(row[1]),
            direction=float(row[2]),
            kind="bifurcation" if row[3] >= 0.5 else "ending",
        )
        for row in template.minutiae
    ]


@router.get("/examiner/reviews", response_model=Page[ReviewOut])
def examiner_queue(
    actor: Annotated[Actor, requires(P.READ_EXAMINER_QUEUE, personal=True)],
    at: Annotated[Window, Depends(window)],
) -> Page[ReviewOut]:
    """Possible identifications waiting for an examiner, oldest first (your repository)."""
    repository = examiner_repository(actor.user)
    rows, total = examiner.queue_page(
        actor.session, repository=repository, limit=at.limit, offset=at.offset
    )
    actor.touched(*(f"examiner_review:{row.id}" for row in rows))
    items = [_review_out(actor, row) for row in rows]
    return Page(items=items, total=total, limit=at.limit, offset=at.offset)


def comparison_of(actor: Actor, review_id: int) -> ComparisonOut:
    review = examiner.review_in_queue(
        actor.session, review_id, examiner_repository(actor.user), actor.user.username
    )
    probe_images = examiner.image_fingers(actor.session, review, "probe")
    candidate_images = examiner.image_fingers(actor.session, review, "candidate")
    fingers = [
        FingerOut(
            finger=item.finger,
            score=round(item.score, 2),
            width=item.probe.width,
            height=item.probe.height,
            candidate_width=item.candidate.width,
            candidate_height=item.candidate.height,
            probe=_minutiae(item.probe),
            candidate=_minutiae(item.candidate),
            pairs=item.pairs,
            probe_image=item.finger in probe_images,
            candidate_image=item.finger in candidate_images,
        )
        for item in examiner.comparison(actor.session, review)
    ]
    return ComparisonOut(review=_review_out(actor, review), fingers=fingers)


@router.get("/examiner/reviews/{review_id}", response_model=ComparisonOut)
def examiner_comparison(
    review_id: RecordId, actor: Annotated[Actor, requires(P.READ_EXAMINER_QUEUE, personal=True)]
) -> ComparisonOut:
    """The probe's fingers beside the candidate's, with the minutiae the matcher paired."""
    return comparison_of(actor, review_id)


@router.get(
    "/examiner/reviews/{review_id}/images/{side}/{finger}.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}},
)
def examiner_image(
    review_id: RecordId,
    side: Literal["probe", "candidate"],
    finger: Annotated[int, Path(ge=1, le=10)],
    actor: Annotated[Actor, requires(P.READ_EXAMINER_QUEUE, personal=True)],
) -> Response:
    """One finger's image, where the booking file carried images."""
    review = examiner.review_in_queue(
        actor.session, review_id, examiner_repository(actor.user), actor.user.username
    )
    image = examiner.image(actor.session, review, side, finger)
    if image is None:
        raise NotFoundError(f"no {side} image of finger {finger} in review {review_id}")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return Response(buffer.getvalue(), media_type="image/png")


class ExaminerDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    confirm: bool
    note: str = Field(default="", max_length=500)


@router.post("/examiner/reviews/{review_id}/decision", response_model=ReviewOut)
def examiner_decide(
    review_id: RecordId,
    body: ExaminerDecisionIn,
    actor: Annotated[Actor, requires(P.EXAMINE_PRINTS, personal=True)],
) -> ReviewOut:
    """Confirm or reject the candidate; the parked booking then goes on."""
    review = examiner.review_in_queue(
        actor.session, review_id, examiner_repository(actor.user), actor.user.username
    )
    decided = examiner.decide(
        actor.session,
        review_id=review.id,
        confirm=body.confirm,
        examiner=actor.user.username,
        at=utcnow(),
        note=body.note,
    )
    return _review_out(actor, decided)
