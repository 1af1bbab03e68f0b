"""``/api/v1/oversight``: the profiling monitor's findings, and the reviews a flag opens
for a supervisor (clear, order training, suspend the jurisdiction's sharing)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from securecomm.api.errors import ERROR_RESPONSES
from securecomm.api.params import RecordId
from securecomm.api.security import Actor, requires
from securecomm.auth.roles import P
from securecomm.database import utcnow
from securecomm.oversight import monitor, participation, reviews, safeguards
from securecomm.oversight.models import (
    ActivationDecision,
    ActivationReview,
    ProfilingReview,
    ReviewState,
)
from securecomm.oversight.monitor_store import booking_facts

router = APIRouter(prefix="/api/v1/oversight", tags=["oversight"], responses=ERROR_RESPONSES)


class FindingOut(BaseModel):
    unit_kind: str
    unit: str
    jurisdiction: str
    bookings: int
    flagged: bool
    evidence: dict[str, Any]


class MonitorOut(BaseModel):
    bookings: int
    tests_run: int
    flagged: int
    findings: list[FindingOut]


class ReviewOut(BaseModel):
    id: int
    unit_kind: str
    unit: str
    opened_at: datetime
    state: ReviewState
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    suspension_id: int | None
    evidence: dict[str, Any]


class ScanOut(BaseModel):
    flagged: int
    opened: list[ReviewOut]


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: ReviewState
    note: str = Field(min_length=10, max_length=500)


def _review(review: ProfilingReview) -> ReviewOut:
    return ReviewOut(
        id=review.id,
        unit_kind=review.unit_kind.value,
        unit=review.unit,
        opened_at=review.opened_at,
        state=review.state,
        decided_by=review.decided_by,
        decided_at=review.decided_at,
        decision_note=review.decision_note,
        suspension_id=review.suspension_id,
        evidence=review.evidence,
    )


@router.get("/monitor", response_model=MonitorOut)
def get_monitor(
    actor: Annotated[Actor, requires(P.READ_OVERSIGHT, personal=True)], flagged_only: bool = True
) -> MonitorOut:
    """Run the profiling monitor over every booking: per jurisdiction and per arresting
    officer, each test with its rates, 95 % intervals, p- and q-values."""
    report = monitor.run(booking_facts(actor.session))
    shown = report.flagged if flagged_only else [f for f in report.findings if f.tests]
    actor.touched(*(f"booking:{tcn}" for f in shown for tcn in f.examples))
    return MonitorOut(
        bookings=report.bookings,
        tests_run=report.tests_run,
        flagged=len(report.flagged),
        findings=[
            FindingOut(
                unit_kind=f.unit_kind,
                unit=f.unit,
                jurisdiction=f.jurisdiction,
                bookings=f.bookings,
                flagged=f.flagged,
                evidence=f.evidence(),
            )
            for f in shown
        ],
    )


@router.get("/reviews", response_model=list[ReviewOut])
def list_reviews(
    actor: Annotated[Actor, requires(P.READ_OVERSIGHT, personal=True)],
    state: ReviewState | None = None,
) -> list[ReviewOut]:
    """Profiling reviews, oldest first; ``state=open`` for the supervisor's queue."""
    found = reviews.reviews(actor.session, state=state)
    actor.touched(*(f"profiling_review:{r.id}" for r in found))
    return [_review(review) for review in found]


@router.get("/reviews/{review_id}", response_model=ReviewOut)
def get_review(
    review_id: RecordId, actor: Annotated[Actor, requires(P.READ_OVERSIGHT, personal=True)]
) -> ReviewOut:
    """One review with the evidence the monitor showed when it opened it."""
    review = reviews.get_review(actor.session, review_id)
    actor.touched(f"profiling_review:{review.id}")
    return _review(review)


@router.post("/reviews/scan", response_model=ScanOut)
def scan(actor: Annotated[Actor, requires(P.DECIDE_REVIEW, personal=True)]) -> ScanOut:
    """Run the monitor and open a review for every flagged unit without an open one."""
    report, opened = reviews.scan(actor.session, actor=actor.user.username, at=utcnow())
    actor.touched(*(f"profiling_review:{r.id}" for r in opened))
    return ScanOut(flagged=len(report.flagged), opened=[_review(r) for r in opened])


@router.post("/reviews/{review_id}/decision", response_model=ReviewOut)
def decide(
    review_id: RecordId,
    body: DecisionIn,
    actor: Annotated[Actor, requires(P.DECIDE_REVIEW, personal=True)],
) -> ReviewOut:
    """Clear, order training, or suspend the jurisdiction's sharing (from today; the
    flow stops forwarding its bookings to the immigration repository)."""
    review = reviews.decide(
        actor.session,
        review_id=review_id,
        decision=body.decision,
        note=body.note,
        supervisor=actor.user.username,
        at=utcnow(),
    )
    actor.touched(f"profiling_review:{review.id}")
    return _review(review)


class SafeguardRowOut(BaseModel):
    tcn: str
    booked_at: datetime
    evidence: list[str]
    status: str | None
    case_state: str | None
    detainer: str | None
    detainer_outcome: str | None
    breach: bool


class SafeguardsOut(BaseModel):
    summary: dict[str, int]
    rows: list[SafeguardRowOut]


@router.get("/citizens", response_model=SafeguardsOut)
def citizen_safeguards(
    actor: Annotated[Actor, requires(P.READ_OVERSIGHT, personal=True)],
) -> SafeguardsOut:
    """Every immigration match to a person with any evidence of U.S. citizenship, and what
    happened next; a detainer on a citizen or an undetermined status is a breach."""
    report = safeguards.compute(actor.session)
    actor.touched(*(f"booking:{row.tcn}" for row in report.rows))
    return SafeguardsOut(
        summary=report.summary,
        rows=[
            SafeguardRowOut(
                tcn=row.tcn,
                booked_at=row.booked_at,
                evidence=list(row.evidence),
                status=row.status,
                case_state=row.case_state,
                detainer=row.detainer,
                detainer_outcome=row.detainer_outcome,
                breach=row.breach,
            )
            for row in report.rows
        ],
    )


class ActivationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=40)
    civil_rights: str = Field(min_length=4, max_length=2000)
    lawsuits: str = Field(min_length=4, max_length=2000)
    training: str = Field(min_length=4, max_length=2000)


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: ActivationDecision
    note: str = Field(min_length=10, max_length=1000)


class ActivationReviewOut(BaseModel):
    id: int
    prepared_by: str
    prepared_at: datetime
    civil_rights: str
    lawsuits: str
    training: str
    projection: dict[str, Any]
    decision: ActivationDecision | None
    signed_by: str | None
    signed_at: datetime | None
    note: str | None


def _activation(review: ActivationReview) -> ActivationReviewOut:
    return ActivationReviewOut(
        id=review.id,
        prepared_by=review.prepared_by,
        prepared_at=review.prepared_at,
        civil_rights=review.civil_rights,
        lawsuits=review.lawsuits,
        training=review.training,
        projection=review.projection,
        decision=review.decision,
        signed_by=review.signed_by,
        signed_at=review.signed_at,
        note=review.note,
    )


@router.post("/activation-reviews", response_model=ActivationReviewOut, status_code=201)
def prepare_activation(
    body: ActivationIn, actor: Annotated[Actor, requires(P.DECIDE_REVIEW, personal=True)]
) -> ActivationReviewOut:
    """Prepare the pre-activation review of a jurisdiction not yet activated: its
    civil-rights record, lawsuits and training, with the monitor's projection."""
    review = participation.prepare_review(
        actor.session, prepared_by=actor.user.username, at=utcnow(), **body.model_dump()
    )
    return _activation(review)


@router.post("/activation-reviews/{review_id}/sign", response_model=ActivationReviewOut)
def sign_activation(
    review_id: RecordId,
    body: SignIn,
    actor: Annotated[Actor, requires(P.DECIDE_REVIEW, personal=True)],
) -> ActivationReviewOut:
    """Sign a review another person prepared; approval activates the jurisdiction today
    and the flow forwards its bookings from then on."""
    review = participation.sign_review(
        actor.session,
        review_id=review_id,
        decision=body.decision,
        note=body.note,
        supervisor=actor.user.username,
        at=utcnow(),
    )
    return _activation(review)
