"""``/api/v1/cases``, ``/api/v1/detainers``, ``/api/v1/hearings``: the field office's work
and the holding agency's answer.

ICE officers see their own field office's cases; status analysts and auditors see every
case. Only ICE officers lodge and lift detainers; a form that goes with a warrant waits
for a supervisor other than the requesting officer. A local agency sees the detainers
lodged with it, and answers them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from securecomm.api.errors import ERROR_RESPONSES
from securecomm.api.pagination import Page, Window, window
from securecomm.api.params import RecordId
from securecomm.api.security import Actor, requires
from securecomm.auth.roles import P
from securecomm.auth.scope import booking_scope, case_scope
from securecomm.cases import explain as case_explain
from securecomm.cases import lodging
from securecomm.cases import officers as case_officers
from securecomm.cases import service as case_service
from securecomm.cases.models import Case, CaseState
from securecomm.cases.schemas import CaseExplanation, CaseSummary, DetainerView
from securecomm.database import utcnow
from securecomm.exceptions import FieldProblem, InputError
from securecomm.interop.models import Transaction
from securecomm.priority.rules import DiscretionFactors, InvalidDiscretionError

router = APIRouter(prefix="/api/v1", tags=["cases and detainers"], responses=ERROR_RESPONSES)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HoldClock(BaseModel):
    """The 48-hour hold (weekends and holidays not counted) from the release."""

    state: Literal["not_started", "running", "ended", "no_hold"]
    release_at: datetime | None
    deadline: datetime | None
    seconds_left: int | None


class WorkItem(BaseModel):
    case: CaseSummary
    proposed_form: str | None
    requested_by: str | None
    detainer: DetainerView | None
    hold_clock: HoldClock


def hold_clock(case: Case, now: datetime) -> HoldClock:
    """The lodged detainer's hold clock (or the proposed one's, which has not started)."""
    detainer = case.detainer
    requests_hold = (
        detainer.requests_hold
        if detainer is not None
        else bool(case.detainer_proposal.get("requests_hold"))
    )
    if not requests_hold:
        return HoldClock(state="no_hold", release_at=None, deadline=None, seconds_left=None)
    deadline = detainer.hold_deadline if detainer else None
    if detainer is None or detainer.release_at is None or deadline is None:
        return HoldClock(state="not_started", release_at=None, deadline=None, seconds_left=None)
    left = int((deadline - now).total_seconds())
    ended = left <= 0 or (detainer.pickup_at is not None and detainer.pickup_at <= now)
    return HoldClock(
        state="ended" if ended else "running",
        release_at=detainer.release_at,
        deadline=deadline,
        seconds_left=None if ended else left,
    )


def _summary(actor: Actor, case: Case) -> CaseSummary:
    return case_explain.summary_of(actor.session, case)


def _case(actor: Actor, case_id: int) -> Case:
    scope = case_scope(actor.user)
    return case_service.case_in_scope(actor.session, case_id, scope.oris)


@router.get("/cases", response_model=Page[CaseSummary])
def list_cases(
    actor: Annotated[Actor, requires(P.READ_CASES, personal=True)],
    at: Annotated[Window, Depends(window)],
    state: Annotated[CaseState | None, Query()] = None,
) -> Page[CaseSummary]:
    """Cases you may see, newest first."""
    scope = case_scope(actor.user)
    rows, total = case_service.cases_in_scope(
        actor.session,
        field_offices=scope.oris,
        states=(state,) if state else (),
        limit=at.limit,
        offset=at.offset,
    )
    actor.touched(*(f"case:{case.id}" for case, _, _ in rows))
    items = [case_explain.summary(case, tx, place) for case, tx, place in rows]
    return Page(items=items, total=total, limit=at.limit, offset=at.offset)


@router.get("/cases/work-queue", response_model=Page[WorkItem])
def work_queue(
    actor: Annotated[Actor, requires(P.READ_CASES, personal=True)],
    at: Annotated[Window, Depends(window)],
) -> Page[WorkItem]:
    """The open work in enforcement order (rank, then age), with each hold clock."""
    scope = case_scope(actor.user)
    now = utcnow()
    office = None if scope.oris is None else min(scope.oris)  # one field office, or all
    cases = case_service.work_queue(
        actor.session,
        field_office=office,
        limit=at.limit,
        offset=at.offset,
        states=case_service.OPEN_WORK,
    )
    items = [_work_item(actor, case, now) for case in cases]
    actor.touched(*(f"case:{item.case.id}" for item in items))
    total = case_service.count_cases(
        actor.session, field_offices=scope.oris, states=case_service.OPEN_WORK
    )
    return Page(items=items, total=total, limit=at.limit, offset=at.offset)


def _work_item(actor: Actor, case: Case, now: datetime) -> WorkItem:
    return WorkItem(
        case=_summary(actor, case),
        proposed_form=case.detainer_proposal.get("form") if case.detainer_proposal else None,
        requested_by=case.detainer_requested_by,
        detainer=case_explain.detainer_view(case),
        hold_clock=hold_clock(case, now),
    )


@router.get("/cases/{case_id}", response_model=CaseExplanation)
def get_case(
    case_id: RecordId, actor: Annotated[Actor, requires(P.READ_CASES, personal=True)]
) -> CaseExplanation:
    """Every decision on the case with its rule, inputs, thresholds and era; the timeline."""
    case = _case(actor, case_id)
    return case_explain.explain_case(actor.session, case.id)


# --------------------------------------------------------------------------- detainers


class ReasonIn(_Body):
    reason: str = Field(min_length=3, max_length=300)


class LiftIn(ReasonIn):
    citizen_found: bool = False


@router.post("/cases/{case_id}/detainer", response_model=CaseSummary)
def lodge_detainer(
    case_id: RecordId, actor: Annotated[Actor, requires(P.LODGE_DETAINER, personal=True)]
) -> CaseSummary:
    """Lodge the detainer the rules propose (a warrant form waits for a supervisor)."""
    case = _case(actor, case_id)
    lodging.request_lodging(
        actor.session, case_id=case.id, officer=actor.user.username, at=utcnow()
    )
    return _summary(actor, case)


@router.post("/cases/{case_id}/detainer/approve", response_model=CaseSummary)
def approve_detainer(
    case_id: RecordId, actor: Annotated[Actor, requires(P.APPROVE_DETAINER, personal=True)]
) -> CaseSummary:
    """Sign the warrant another officer asked for; the detainer is lodged."""
    case = _case(actor, case_id)
    lodging.approve(actor.session, case_id=case.id, supervisor=actor.user.username, at=utcnow())
    return _summary(actor, case)


@router.post("/cases/{case_id}/detainer/decline", response_model=CaseSummary)
def decline_detainer(
    case_id: RecordId,
    body: ReasonIn,
    actor: Annotated[Actor, requires(P.LODGE_DETAINER, personal=True)],
) -> CaseSummary:
    """Use discretion: do not lodge the proposed detainer (state why)."""
    case = _case(actor, case_id)
    lodging.decline_to_lodge(
        actor.session, case_id=case.id, officer=actor.user.username, reason=body.reason, at=utcnow()
    )
    return _summary(actor, case)


@router.post("/cases/{case_id}/detainer/lift", response_model=CaseSummary)
def lift_detainer(
    case_id: RecordId,
    body: LiftIn,
    actor: Annotated[Actor, requires(P.LIFT_DETAINER, personal=True)],
) -> CaseSummary:
    """Lift a lodged detainer before release (a citizen found: no action)."""
    case = _case(actor, case_id)
    lodging.cancel(
        actor.session,
        case_id=case.id,
        reason=body.reason,
        officer=actor.user.username,
        at=utcnow(),
        citizen_found=body.citizen_found,
    )
    return _summary(actor, case)


class DetainerOut(DetainerView):
    case_id: int
    tcn: str
    agency: str


@router.get("/detainers", response_model=Page[DetainerOut])
def list_detainers(
    actor: Annotated[Actor, requires(P.READ_BOOKINGS, personal=True)],
    at: Annotated[Window, Depends(window)],
) -> Page[DetainerOut]:
    """Detainers lodged with the agencies you may see, newest first."""
    scope = booking_scope(actor.session, actor.user)
    rows, total = case_service.detainers_with(
        actor.session, oris=scope.oris, limit=at.limit, offset=at.offset
    )
    actor.touched(*(f"case:{case.id}" for _, case, _ in rows))
    items = [_detainer_out(case, transaction) for _, case, transaction in rows]
    return Page(items=items, total=total, limit=at.limit, offset=at.offset)


def _detainer_out(case: Case, transaction: Transaction) -> DetainerOut:
    view = case_explain.detainer_view(case)
    assert view is not None  # rows come from detainers joined to their case
    return DetainerOut(
        **view.model_dump(), case_id=case.id, tcn=transaction.tcn, agency=transaction.ori
    )


class AnswerIn(_Body):
    honoured: bool
    note: str = Field(default="", max_length=300)


@router.post("/detainers/{detainer_id}/answer", response_model=DetainerOut)
def answer_detainer(
    detainer_id: RecordId,
    body: AnswerIn,
    actor: Annotated[Actor, requires(P.ANSWER_DETAINER, personal=True)],
) -> DetainerOut:
    """The holding agency honours or declines a detainer lodged with it."""
    scope = booking_scope(actor.session, actor.user)
    _, case, transaction = case_service.detainer_with(actor.session, detainer_id, scope.oris)
    lodging.answer(
        actor.session,
        case_id=case.id,
        honoured=body.honoured,
        user=actor.user.username,
        agency=actor.user.agency_ori,
        note=body.note,
        at=utcnow(),
    )
    actor.touched(f"case:{case.id}")
    return _detainer_out(case, transaction)


# --------------------------------------------------------------------------- case actions


class DiscretionIn(_Body):
    years_present: float | None = Field(default=None, ge=0, le=130)
    arrived_as_child: bool = False
    education: str | None = Field(default=None, max_length=100)
    military_service: bool = False
    family_ties: bool = False
    age: int | None = Field(default=None, ge=0, le=130)
    serious_health_condition: bool = False
    victim_or_witness: bool = False
    note: str = Field(default="", max_length=300)


@router.post("/cases/{case_id}/discretion", response_model=CaseSummary)
def record_discretion(
    case_id: RecordId,
    body: DiscretionIn,
    actor: Annotated[Actor, requires(P.MANAGE_CASES, personal=True)],
) -> CaseSummary:
    """Record prosecutorial-discretion factors beside the priority (which they never change)."""
    case = _case(actor, case_id)
    try:
        factors = DiscretionFactors(**body.model_dump())
    except InvalidDiscretionError as error:
        raise InputError([FieldProblem(error.field_name, "discretion", str(error))]) from None
    case_officers.record_discretion(
        actor.session, case_id=case.id, factors=factors, officer=actor.user.username, at=utcnow()
    )
    return _summary(actor, case)


class CounselIn(_Body):
    counsel_name: str | None = Field(default=None, max_length=100)


@router.post("/cases/{case_id}/counsel", response_model=CaseSummary)
def record_counsel(
    case_id: RecordId,
    body: CounselIn,
    actor: Annotated[Actor, requires(P.MANAGE_CASES, personal=True)],
) -> CaseSummary:
    """A notice of appearance (EOIR-28) filed, or counsel withdrew (``null``)."""
    case = _case(actor, case_id)
    case_officers.record_counsel(
        actor.session, case_id=case.id, counsel_name=body.counsel_name, at=utcnow()
    )
    return _summary(actor, case)


class ReleaseIn(_Body):
    on_bond: bool


@router.post("/cases/{case_id}/release", response_model=CaseSummary)
def release_from_custody(
    case_id: RecordId,
    body: ReleaseIn,
    actor: Annotated[Actor, requires(P.MANAGE_CASES, personal=True)],
) -> CaseSummary:
    """Release a detained person on bond or on recognisance; the bed is free again."""
    case = _case(actor, case_id)
    case_officers.release_from_custody(
        actor.session,
        case_id=case.id,
        on_bond=body.on_bond,
        officer=actor.user.username,
        at=utcnow(),
    )
    return _summary(actor, case)


class HearingOut(BaseModel):
    case_id: int
    hearing_on: str
    mode: str | None
    counsel: str | None
    facility: str | None


@router.get("/hearings", response_model=Page[HearingOut])
def list_hearings(
    actor: Annotated[Actor, requires(P.READ_CASES, personal=True)],
    at: Annotated[Window, Depends(window)],
) -> Page[HearingOut]:
    """Hearings on the detained docket of the cases you may see."""
    scope = case_scope(actor.user)
    rows, total = case_service.cases_in_scope(
        actor.session,
        field_offices=scope.oris,
        states=(CaseState.HEARING_SCHEDULED,),
        limit=at.limit,
        offset=at.offset,
    )
    items = [
        HearingOut(
            case_id=case.id,
            hearing_on=case.hearing_on.isoformat() if case.hearing_on else "",
            mode=case.hearing_mode.value if case.hearing_mode else None,
            counsel=case.counsel.value if case.counsel else None,
            facility=case.facility_code,
        )
        for case, _, _ in rows
    ]
    actor.touched(*(f"case:{item.case_id}" for item in items))
    return Page(items=items, total=total, limit=at.limit, offset=at.offset)
