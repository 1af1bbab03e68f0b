"""``/api/v1/redress``: complaints filed by the public (no sign-in, rate-limited), and the
redress officer's work on them: take up, correct the records, find no error, refer,
answer in writing."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from securecomm.api.errors import ERROR_RESPONSES
from securecomm.api.params import RecordId
from securecomm.api.ratelimit import client_key
from securecomm.api.security import PUBLIC, Actor, requires
from securecomm.auth.roles import P
from securecomm.cases import service as case_service
from securecomm.database import utcnow
from securecomm.domain import StatusCategory
from securecomm.interop.models import Transaction
from securecomm.oversight import redress, redress_corrections
from securecomm.oversight.models import Complaint, ComplaintKind, ComplaintState

router = APIRouter(prefix="/api/v1/redress", tags=["redress"], responses=ERROR_RESPONSES)

NEXT_STEPS = (
    "A redress officer will acknowledge your complaint within 5 days and decide it within "
    "30. If the records are wrong they are corrected everywhere they were used, and you "
    "get a written answer either way. Keep your reference: with it you can see where "
    "your complaint stands at /redress/status."
)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ComplaintIn(_Body):
    kind: ComplaintKind
    filed_by: Literal["person", "lawyer"]
    complainant: str = Field(min_length=2, max_length=120)
    contact: str = Field(min_length=5, max_length=200, description="e-mail or postal address")
    booking_tcn: str | None = Field(
        default=None, pattern=r"^[A-Z0-9][A-Z0-9\-]{9,39}$", description="booking number"
    )
    statement: str = Field(min_length=20, max_length=4000)


class ReceiptOut(BaseModel):
    reference: str
    kind: ComplaintKind
    filed_at: datetime
    acknowledge_by: datetime
    decide_by: datetime
    next_steps: str


class StatusOut(BaseModel):
    reference: str
    state: ComplaintState
    filed_at: datetime
    decide_by: datetime
    answered_at: datetime | None
    answer: str | None


class EventOut(BaseModel):
    at: datetime
    actor: str
    action: str
    note: str


class BookingFactsOut(BaseModel):
    tcn: str
    booked_at: datetime
    matched: bool
    status: str | None
    case_state: str | None
    detainer: str | None


class ComplaintOut(BaseModel):
    id: int
    reference: str
    kind: ComplaintKind
    filed_by: str
    complainant: str
    contact: str
    statement: str
    state: ComplaintState
    filed_at: datetime
    acknowledge_by: datetime
    decide_by: datetime
    overdue: list[str]
    assigned_to: str | None
    booking: BookingFactsOut | None
    corrections: list[dict[str, object]]
    answer: str | None
    answered_at: datetime | None
    events: list[EventOut]


class NoteIn(_Body):
    note: str = Field(min_length=10, max_length=1000)


class CorrectionIn(NoteIn):
    wrong_match: bool = False
    split_identity: bool = False  # the booking was added to someone else's identity
    merge_with: str | None = Field(default=None, pattern=r"^[0-9A-Za-z]{1,12}$")  # FBI number
    citizen: StatusCategory | None = None
    lift_detainer: bool = False


class AnswerIn(_Body):
    text: str = Field(min_length=40, max_length=4000)


@router.post("/complaints", response_model=ReceiptOut, status_code=201)
def file_complaint(
    body: ComplaintIn, request: Request, actor: Annotated[Actor, requires(PUBLIC)]
) -> ReceiptOut:
    """File a complaint (no sign-in): wrong identity, a citizen detained, a detainer in
    error, mistreatment, or a request for prosecutorial discretion."""
    request.app.state.public_limiter.hit(client_key(request))
    complaint = redress.file_complaint(actor.session, at=utcnow(), **body.model_dump())
    return receipt(complaint)


def receipt(complaint: Complaint) -> ReceiptOut:
    return ReceiptOut(
        reference=complaint.reference,
        kind=complaint.kind,
        filed_at=complaint.filed_at,
        acknowledge_by=complaint.acknowledge_by,
        decide_by=complaint.decide_by,
        next_steps=NEXT_STEPS,
    )


@router.get("/complaints/by-reference/{reference}", response_model=StatusOut)
def complaint_status(
    reference: Annotated[str, Path(pattern=r"^R-[A-Z0-9]{5}-[A-Z0-9]{5}$")],
    request: Request,
    actor: Annotated[Actor, requires(PUBLIC)],
) -> StatusOut:
    """Where a complaint stands, and its written answer once sent (the reference is the
    complainant's receipt; nothing else about them is shown)."""
    request.app.state.public_limiter.hit(client_key(request))
    complaint = redress.by_reference(actor.session, reference)
    redress.record_public_read(actor.session, complaint, at=utcnow())
    return StatusOut(
        reference=complaint.reference,
        state=complaint.state,
        filed_at=complaint.filed_at,
        decide_by=complaint.decide_by,
        answered_at=complaint.answered_at,
        answer=complaint.answer,
    )


@router.get("/complaints", response_model=list[ComplaintOut])
def list_complaints(
    actor: Annotated[Actor, requires(P.READ_COMPLAINTS, personal=True)],
    state: ComplaintState | None = None,
) -> list[ComplaintOut]:
    """Complaints, the nearest decision deadline first."""
    found = redress.complaints(actor.session, state=state)
    actor.touched(*(f"complaint:{c.id}" for c in found))
    return [complaint_out(actor, c) for c in found]


@router.get("/complaints/{complaint_id}", response_model=ComplaintOut)
def get_complaint(
    complaint_id: RecordId, actor: Annotated[Actor, requires(P.READ_COMPLAINTS, personal=True)]
) -> ComplaintOut:
    complaint = redress.get_complaint(actor.session, complaint_id)
    actor.touched(f"complaint:{complaint.id}")
    return complaint_out(actor, complaint)


def complaint_out(actor: Actor, complaint: Complaint) -> ComplaintOut:
    return ComplaintOut(
        id=complaint.id,
        reference=complaint.reference,
        kind=complaint.kind,
        filed_by=complaint.filed_by,
        complainant=complaint.complainant,
        contact=complaint.contact,
        statement=complaint.statement,
        state=complaint.state,
        filed_at=complaint.filed_at,
        acknowledge_by=complaint.acknowledge_by,
        decide_by=complaint.decide_by,
        overdue=redress.overdue(complaint, utcnow()),
        assigned_to=complaint.assigned_to,
        booking=_booking(actor, complaint),
        corrections=complaint.corrections,
        answer=complaint.answer,
        answered_at=complaint.answered_at,
        events=[
            EventOut(at=e.at, actor=e.actor, action=e.action, note=e.note)
            for e in redress.events(actor.session, complaint.id)
        ],
    )


def _booking(actor: Actor, complaint: Complaint) -> BookingFactsOut | None:
    if complaint.transaction_id is None:
        return None
    transaction = actor.session.get_one(Transaction, complaint.transaction_id)
    actor.touched(f"booking:{transaction.tcn}")
    case = case_service.case_for_transaction(actor.session, transaction.id)
    detainer = case.detainer if case is not None else None
    return BookingFactsOut(
        tcn=transaction.tcn,
        booked_at=transaction.booked_at,
        matched=transaction.immigration_subject_id is not None,
        status=transaction.status_category,
        case_state=str(case.state) if case is not None else None,
        detainer=f"{detainer.form} ({detainer.response or 'no answer yet'})" if detainer else None,
    )


Worker = Annotated[Actor, requires(P.WORK_COMPLAINTS, personal=True)]


@router.post("/complaints/{complaint_id}/take-up", response_model=ComplaintOut)
def take_up(complaint_id: RecordId, actor: Worker) -> ComplaintOut:
    """Begin the review (acknowledges the complaint)."""
    complaint = redress.take_up(
        actor.session, complaint_id=complaint_id, officer=actor.user.username, at=utcnow()
    )
    return complaint_out(actor, complaint)


@router.post("/complaints/{complaint_id}/correct", response_model=ComplaintOut)
def correct(complaint_id: RecordId, body: CorrectionIn, actor: Worker) -> ComplaintOut:
    """Confirm the error and correct the records: rule out a wrong match for good, split
    the booking off a criminal identity that was someone else's or merge the person's two
    identities (the match level is decided again on the corrected history), record a
    citizen's status (and the citizenship on the immigration record), lift a detainer;
    an open case built on the error closes."""
    complaint = redress_corrections.correct(
        actor.session,
        complaint_id=complaint_id,
        officer=actor.user.username,
        at=utcnow(),
        wrong_match=body.wrong_match,
        split_identity=body.split_identity,
        merge_with=body.merge_with,
        citizen=body.citizen,
        lift_detainer=body.lift_detainer,
        note=body.note,
    )
    return complaint_out(actor, complaint)


@router.post("/complaints/{complaint_id}/not-confirmed", response_model=ComplaintOut)
def not_confirmed(complaint_id: RecordId, body: NoteIn, actor: Worker) -> ComplaintOut:
    """The records were checked and no error was found (say what was checked)."""
    complaint = redress.not_confirmed(
        actor.session,
        complaint_id=complaint_id,
        officer=actor.user.username,
        at=utcnow(),
        note=body.note,
    )
    return complaint_out(actor, complaint)


@router.post("/complaints/{complaint_id}/refer", response_model=ComplaintOut)
def refer(complaint_id: RecordId, body: NoteIn, actor: Worker) -> ComplaintOut:
    """Refer mistreatment to the inspector, a discretion request to the field office."""
    complaint = redress.refer(
        actor.session,
        complaint_id=complaint_id,
        officer=actor.user.username,
        at=utcnow(),
        note=body.note,
    )
    return complaint_out(actor, complaint)


@router.post("/complaints/{complaint_id}/answer", response_model=ComplaintOut)
def answer(complaint_id: RecordId, body: AnswerIn, actor: Worker) -> ComplaintOut:
    """Send the written answer (once the complaint is decided)."""
    complaint = redress.answer(
        actor.session,
        complaint_id=complaint_id,
        officer=actor.user.username,
        text=body.text,
        at=utcnow(),
    )
    return complaint_out(actor, complaint)
