"""After the booking: the court's disposition, release, the detainer answer, ICE custody,
the hearing and its outcome. One persisted step at a time, like the booking flow.

A release before trial (bail, own recognisance) is a submission of its own and takes the
same steps from "applied" on; the disposition that follows it then only records the
charges' outcomes (and a second release when the sentence kept the person in custody).

    received -> applied (charges disposed or release before trial; release recorded)
             -> released (local agency answers the detainer; ICE assumes custody on a
                          transport run with a seat and a bed before the hold deadline,
                          or the hold lapses)
             -> hearing (hearing scheduled for a person in ICE custody: mode, counsel)
             -> decided (the immigration court's outcome; the bed is free again)

Officers and analysts act on cases between steps: ``cases.officers`` (discretion,
counsel, release from custody), ``cases.analyst`` (an "unable to determine" status),
``cases.lodging`` (detainers lodged, signed, answered, lifted). Every state change goes
through ``cases.rules``; every decision is stored with its trace.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from securecomm.audit import service as audit_service
from securecomm.booking import service as booking_service
from securecomm.booking.models import Submission
from securecomm.booking.schemas import DispositionDocument, ReleaseDocument
from securecomm.cases import lodging, logistics
from securecomm.cases import service as case_service
from securecomm.cases.models import Case, CaseState, Counsel, Detainer, HearingMode
from securecomm.cases.ports import ImmigrationCourt
from securecomm.cases.rules import OUTCOME_STATES
from securecomm.database.locks import custody_lock
from securecomm.database.rows import by_unique
from securecomm.decisions import Decision, Trace
from securecomm.detainers import hold_clock
from securecomm.detainers import rules as detainer_rules
from securecomm.domain import (
    ConvictionLevel,
    DetainerPolicy,
    Disposition,
    LeaResponse,
)
from securecomm.exceptions import FieldProblem, InputError
from securecomm.interop.flows import record_decision
from securecomm.interop.models import Transaction, TransactionState
from securecomm.priority import rules as priority_rules
from securecomm.repositories import service as repository_service
from securecomm.repositories.models import Arrest, ImmigrationSubject

STEP_APPLIED = "applied"
STEP_RELEASED = "released"
STEP_HEARING = "hearing"
STEP_DECIDED = "decided"
_WITHOUT_CASE = "securecomm.cases.without_case"  # session.info: TCNs found with no case


def _transaction(session: Session, tcn: str) -> Transaction:
    transaction = by_unique(session, Transaction, Transaction.tcn, tcn)
    if transaction is None or transaction.state is not TransactionState.COMPLETED:
        problem = FieldProblem("tcn", "unknown_booking", f"no completed booking with TCN {tcn}")
        raise InputError([problem], summary="disposition for an unknown booking")
    return transaction


def _arrest(
    session: Session, tcn: str, release_at: datetime | None, *, with_charges: bool
) -> tuple[Transaction, Arrest]:
    transaction = _transaction(session, tcn)
    arrest = repository_service.arrest_by_incident(session, tcn, with_charges=with_charges)
    if arrest is None:
        raise InputError([FieldProblem("tcn", "no_arrest", f"no arrest for {tcn}")])
    if release_at is not None and release_at < transaction.booked_at:
        problem = FieldProblem("release_at", "before_booking", "release precedes the booking")
        raise InputError([problem])
    return transaction, arrest


def apply_release(session: Session, submission: Submission) -> ReleaseDocument:
    """Record a release before trial; the charges stay pending until the disposition."""
    document = booking_service.parse_release(submission.raw)
    transaction, arrest = _arrest(session, document.tcn, document.release_at, with_charges=False)
    arrest.released_on = document.release_at.date()
    audit_service.record(
        session,
        kind="jail.release",
        actor="local_agency",
        occurred_at=document.release_at,
        summary=f"{document.tcn}: released before trial ({document.basis})",
        transaction_id=transaction.id,
    )
    submission.step = STEP_APPLIED
    return document


def apply_disposition(session: Session, submission: Submission) -> DispositionDocument:
    """Record the court's disposition of each charge on the criminal history."""
    document = booking_service.parse_disposition(submission.raw)
    transaction, arrest = _arrest(session, document.tcn, document.release_at, with_charges=True)
    by_position = {charge.position: charge for charge in arrest.charges}
    problems = [
        FieldProblem(f"outcomes.{i}.position", "no_such_charge", f"no charge {o.position}")
        for i, o in enumerate(document.outcomes)
        if o.position not in by_position
    ]
    if problems:
        raise InputError(problems, summary="disposition does not fit the booking")
    for outcome in document.outcomes:
        charge = by_position[outcome.position]
        charge.disposition = outcome.disposition
        charge.disposition_date = document.decided_at.date()
        charge.sentence_days = (
            outcome.sentence_days if outcome.disposition is Disposition.CONVICTED else None
        )
    if document.release_at is not None:
        arrest.released_on = document.release_at.date()
    audit_service.record(
        session,
        kind="court.disposition",
        actor="court",
        occurred_at=document.decided_at,
        summary=f"{document.tcn}: " + ", ".join(str(o.disposition) for o in document.outcomes),
        transaction_id=transaction.id,
    )
    submission.step = STEP_APPLIED
    return document


def _case(session: Session, tcn: str) -> Case | None:
    """The booking's case. A follow-up's steps never open one, so a booking found
    without a case is not asked about again by the next step of the same unit of work
    (most bookings have none: three lookups a follow-up were one)."""
    without_case: set[str] = session.info.setdefault(_WITHOUT_CASE, set())
    if tcn in without_case:
        return None
    case = case_service.case_for_transaction(session, _transaction(session, tcn).id)
    if case is None:
        without_case.add(tcn)
    return case


def _lodged_decision(detainer: Detainer) -> detainer_rules.DetainerDecision:
    return detainer_rules.DetainerDecision(
        lodge=True,
        form=detainer.form,
        requests_hold=detainer.requests_hold,
        probable_cause=detainer.probable_cause,
        warrant=detainer.warrant,
        reason="lodged detainer",
    )


def release(session: Session, submission: Submission) -> None:
    """The local agency releases the person and answers any detainer; ICE assumes custody
    on the first transport run with a seat and a bed before the hold deadline, or the
    hold lapses."""
    tcn, release_at = _release_of(submission)
    submission.step = STEP_RELEASED
    if release_at is None:
        return  # released before trial already; this disposition keeps nobody in custody
    case = _case(session, tcn)
    if case is not None and case.state in lodging.AWAITING_OFFICER:
        note = f"released by the local agency before a detainer was lodged ({case.state})"
        case_service.close(
            session, case=case, to=CaseState.RELEASED_BEFORE_REVIEW, at=release_at, note=note
        )
        return
    if case is None or case.state is not CaseState.DETAINER_LODGED or case.detainer is None:
        return
    detainer = case.detainer
    jurisdiction = case_service.jurisdiction_of(session, case)
    policy = DetainerPolicy(jurisdiction.detainer_policy)
    answer = lodging.agency_answer(detainer) or detainer_rules.lea_response(
        policy=policy, decision=_lodged_decision(detainer)
    )
    detainer.release_at = release_at
    detainer.hold_deadline = hold_clock.hold_deadline(release_at)
    detainer.responded_at = release_at
    record_decision(
        session,
        kind="lea_response",
        decision=answer,
        outcome=answer.value,
        at=release_at,
        case=case,
    )
    if answer.value is not LeaResponse.HONOURED:
        detainer.response = answer.value
        basis = detainer.answered_by or f"policy {policy.value}"
        detainer.response_note = detainer.response_note or f"{jurisdiction.code} {basis}"
        note = f"local agency {answer.value} the {detainer.form} ({basis})"
        case_service.close(
            session, case=case, to=CaseState.RELEASED_BY_LEA, at=release_at, note=note
        )
        return
    custody_lock(session)  # beds and seats: one release's plan at a time
    plan = logistics.plan_custody(
        state=jurisdiction.state,
        release_at=release_at,
        view=case_service.DatabaseCapacity(session),
        requests_hold=detainer.requests_hold,
        rank=case.priority_rank,
    )
    outcome = "lapsed" if plan.value.lapses else plan.value.reason
    if plan.value.lapses and not detainer.requests_hold:
        outcome = "not present at release"
    record_decision(
        session, kind="custody_plan", decision=plan, outcome=outcome, at=release_at, case=case
    )
    if plan.value.pickup_at is None:
        if detainer.requests_hold:
            _lapse(session, case, detainer, plan.value)
        else:
            _released_unmet(session, case, detainer, plan.value)
        return
    _assume_custody(session, case, detainer, plan.value, state=jurisdiction.state)


def _release_of(submission: Submission) -> tuple[str, datetime | None]:
    """The booking a submission releases the person from, and when (None: it does not)."""
    document = booking_service.parse_followup(submission.kind, submission.raw)
    return document.tcn, document.release_at


def _released_unmet(
    session: Session, case: Case, detainer: Detainer, plan: logistics.CustodyPlan
) -> None:
    """A notification was honoured (the release time was given) but ICE was not there:
    the person leaves at release, nobody is held and nothing lapses."""
    detainer.response = LeaResponse.HONOURED
    detainer.response_note = plan.reason
    note = f"released at {plan.hold_deadline.isoformat()} after notifying ICE: {plan.reason}"
    case_service.close(
        session, case=case, to=CaseState.RELEASED_BY_LEA, at=plan.hold_deadline, note=note
    )


def _lapse(session: Session, case: Case, detainer: Detainer, plan: logistics.CustodyPlan) -> None:
    detainer.response = LeaResponse.LAPSED
    detainer.response_note = plan.reason
    note = f"hold lapsed at {plan.hold_deadline.isoformat()}: {plan.reason}"
    case_service.close(
        session, case=case, to=CaseState.HOLD_LAPSED, at=plan.hold_deadline, note=note
    )


def _assume_custody(
    session: Session, case: Case, detainer: Detainer, plan: logistics.CustodyPlan, *, state: str
) -> None:
    assert plan.pickup_at is not None  # a plan that does not lapse has a pickup
    schedule = logistics.transport_schedules()[state]
    assert plan.seat_run is not None
    run = case_service.transport_run(
        session, state=state, departs_at=plan.seat_run, seats=schedule.seats
    )
    detainer.response = LeaResponse.HONOURED
    detainer.pickup_at = plan.pickup_at
    level = _conviction_level(session, case, plan.pickup_at)
    record_decision(
        session,
        kind="custody_level",
        decision=level,
        outcome=level.value,
        at=plan.pickup_at,
        case=case,
    )
    case.custody_at = plan.pickup_at
    case.custody_level = level.value
    case.transport_run_id = run.id
    case.facility_code = plan.facility_code
    case.bed_number = plan.bed_number
    case_service.move(
        session,
        case=case,
        to=CaseState.IN_ICE_CUSTODY,
        at=plan.pickup_at,
        note=f"ICE assumed custody: {plan.reason}; conviction level {level.value}",
    )


def _conviction_level(session: Session, case: Case, at: datetime) -> Decision[ConvictionLevel]:
    return priority_rules.conviction_level(
        case_service.history_as_of(session, case, at), as_of=at.date()
    )


def schedule_hearing(session: Session, submission: Submission) -> None:
    """A master-calendar hearing on the detained docket: in person where the court sits
    in the facility, by video otherwise; counsel as recorded (none without an EOIR-28)."""
    tcn, _ = _release_of(submission)
    case = _case(session, tcn)
    submission.step = STEP_HEARING
    if case is None or case.state is not CaseState.IN_ICE_CUSTODY or case.custody_at is None:
        return
    mode = (
        logistics.facility(case.facility_code).hearing_mode
        if case.facility_code
        else HearingMode.IN_PERSON
    )
    case.hearing_on = logistics.hearing_date(case.custody_at)
    case.hearing_mode = mode
    if case.counsel is None:
        case.counsel = Counsel.UNREPRESENTED
    trace = Trace(
        rule="hearing.detained_docket",
        outcome=f"{case.hearing_on.isoformat()} {mode.value}",
        inputs={"custody_at": case.custody_at.isoformat(), "facility": case.facility_code},
        thresholds={"days_to_hearing": logistics.DAYS_TO_HEARING},
        note=f"counsel: {case.counsel.value}"
        + ("" if case.counsel is Counsel.REPRESENTED else " (no EOIR-28 notice of appearance)"),
    )
    record_decision(
        session,
        kind="hearing",
        decision=Decision(case.hearing_on, (trace,)),
        outcome=trace.outcome,
        at=case.custody_at,
        case=case,
    )
    case_service.move(
        session,
        case=case,
        to=CaseState.HEARING_SCHEDULED,
        at=case.custody_at,
        note=f"master calendar hearing on {case.hearing_on} ({mode.value}; {case.counsel.value})",
    )


def decide(session: Session, submission: Submission, court: ImmigrationCourt) -> None:
    tcn, _ = _release_of(submission)
    case = _case(session, tcn)
    submission.step = STEP_DECIDED
    if case is None or case.state is not CaseState.HEARING_SCHEDULED or case.hearing_on is None:
        return
    subject = session.get_one(ImmigrationSubject, case.immigration_subject_id)
    outcome = court.decide(fin=subject.fin, on=case.hearing_on)
    decided_at = datetime.combine(
        case.hearing_on, datetime.min.time(), tzinfo=case.opened_at.tzinfo
    )
    level = _conviction_level(session, case, decided_at)
    case.outcome_level = level.value
    case.custody_ended_at = decided_at
    record_decision(
        session, kind="outcome_level", decision=level, outcome=level.value, at=decided_at, case=case
    )
    court_trace = Trace(
        rule="court.immigration_judge",
        outcome=outcome.value,
        inputs={
            "fin": subject.fin,
            "hearing_on": case.hearing_on.isoformat(),
            "mode": case.hearing_mode.value if case.hearing_mode else None,
            "counsel": case.counsel.value if case.counsel else None,
        },
        note="decided by the immigration court (outside the system), recorded as received",
    )
    record_decision(
        session,
        kind="court_outcome",
        decision=Decision(outcome, (court_trace,)),
        outcome=outcome.value,
        at=decided_at,
        case=case,
    )
    case_service.close(
        session,
        case=case,
        to=OUTCOME_STATES[outcome],
        at=decided_at,
        note=f"immigration court: {outcome}",
    )
