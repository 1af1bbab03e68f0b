"""After the booking: the court's disposition, release, the detainer answer, ICE custody,
the hearing and its outcome. One persisted step at a time, like the booking flow.

    received -> applied (charges disposed, release recorded)
             -> released (local agency answers the detainer; ICE assumes custody or not)
             -> hearing (hearing scheduled for a person in ICE custody)
             -> decided (the immigration court's outcome)
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from securecomm.audit import service as audit_service
from securecomm.booking import service as booking_service
from securecomm.booking.models import Submission
from securecomm.booking.schemas import DispositionDocument
from securecomm.cases import service as case_service
from securecomm.cases.models import Case, CaseState
from securecomm.cases.ports import ImmigrationCourt
from securecomm.cases.rules import OUTCOME_STATES
from securecomm.decisions import Decision
from securecomm.detainers import rules as detainer_rules
from securecomm.domain import ConvictionLevel, DetainerPolicy, Disposition, LeaResponse
from securecomm.exceptions import FieldProblem, InputError
from securecomm.interop.flows import record_decision
from securecomm.interop.models import Jurisdiction, Transaction, TransactionState
from securecomm.priority import rules as priority_rules
from securecomm.repositories import service as repository_service
from securecomm.repositories.models import CriminalSubject, ImmigrationSubject

# How long after release the field office takes custody when the hold is honoured; well
# inside the 48-hour window, so a hold lapses only when a jurisdiction fails to notify.
ICE_PICKUP_DELAY = timedelta(hours=6)
# Days from ICE custody to the first master-calendar hearing.
DAYS_TO_HEARING = 30

STEP_APPLIED = "applied"
STEP_RELEASED = "released"
STEP_HEARING = "hearing"
STEP_DECIDED = "decided"


def _transaction(session: Session, tcn: str) -> Transaction:
    transaction = session.scalar(select(Transaction).where(Transaction.tcn == tcn))
    if transaction is None or transaction.state is not TransactionState.COMPLETED:
        problem = FieldProblem("tcn", "unknown_booking", f"no completed booking with TCN {tcn}")
        raise InputError([problem], summary="disposition for an unknown booking")
    return transaction


def apply_disposition(session: Session, submission: Submission) -> DispositionDocument:
    """Record the court's disposition of each charge on the criminal history."""
    document = booking_service.parse_disposition(submission.raw)
    transaction = _transaction(session, document.tcn)
    arrest = repository_service.arrest_by_incident(session, document.tcn)
    if arrest is None:
        raise InputError([FieldProblem("tcn", "no_arrest", f"no arrest for {document.tcn}")])
    if document.release_at < transaction.booked_at:
        problem = FieldProblem("release_at", "before_booking", "release precedes the booking")
        raise InputError([problem])
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
    transaction = _transaction(session, tcn)
    return case_service.case_for_transaction(session, transaction.id)


def release(session: Session, submission: Submission) -> None:
    """The local agency releases the person and answers any detainer."""
    document = booking_service.parse_disposition(submission.raw)
    case = _case(session, document.tcn)
    submission.step = STEP_RELEASED
    if case is None or case.state is not CaseState.DETAINER_LODGED or case.detainer is None:
        return
    detainer = case.detainer
    transaction = session.get_one(Transaction, case.transaction_id)
    jurisdiction = session.get_one(Jurisdiction, transaction.jurisdiction_id)
    decision = detainer_rules.DetainerDecision(
        lodge=True,
        form=detainer.form,
        requests_hold=detainer.requests_hold,
        probable_cause=detainer.probable_cause,
        warrant=detainer.warrant,
        reason="lodged detainer",
    )
    answer = detainer_rules.lea_response(
        policy=DetainerPolicy(jurisdiction.detainer_policy), decision=decision
    )
    release_at = document.release_at
    detainer.release_at = release_at
    detainer.hold_deadline = detainer_rules.hold_deadline(release_at)
    detainer.response = answer.value
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
        case_service.move(
            session,
            case=case,
            to=CaseState.RELEASED_BY_LEA,
            at=release_at,
            note=f"local agency {answer.value} the {detainer.form}",
        )
        case.closed_at = release_at
        return
    custody_at = release_at + ICE_PICKUP_DELAY
    if detainer_rules.lapsed(release_at=release_at, assumed_custody_at=custody_at, now=custody_at):
        case_service.move(
            session,
            case=case,
            to=CaseState.RELEASED_BY_LEA,
            at=release_at,
            note="hold lapsed before ICE assumed custody",
        )
        case.closed_at = release_at
        return
    level = _conviction_level(session, case, custody_at)
    record_decision(
        session, kind="custody_level", decision=level, outcome=level.value, at=custody_at, case=case
    )
    case.custody_at = custody_at
    case.custody_level = level.value
    case_service.move(
        session,
        case=case,
        to=CaseState.IN_ICE_CUSTODY,
        at=custody_at,
        note=f"ICE assumed custody; conviction level {level.value}",
    )


def _conviction_level(session: Session, case: Case, at: datetime) -> Decision[ConvictionLevel]:
    transaction = session.get_one(Transaction, case.transaction_id)
    subject = session.get_one(CriminalSubject, transaction.criminal_subject_id)
    history = repository_service.history(subject).as_of(at.date())
    return priority_rules.conviction_level(history, as_of=at.date())


def schedule_hearing(session: Session, submission: Submission) -> None:
    document = booking_service.parse_disposition(submission.raw)
    case = _case(session, document.tcn)
    submission.step = STEP_HEARING
    if case is None or case.state is not CaseState.IN_ICE_CUSTODY or case.custody_at is None:
        return
    case.hearing_on = (case.custody_at + timedelta(days=DAYS_TO_HEARING)).date()
    case_service.move(
        session,
        case=case,
        to=CaseState.HEARING_SCHEDULED,
        at=case.custody_at,
        note=f"master calendar hearing on {case.hearing_on}",
    )


def decide(session: Session, submission: Submission, court: ImmigrationCourt) -> None:
    document = booking_service.parse_disposition(submission.raw)
    case = _case(session, document.tcn)
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
    case.closed_at = decided_at
    record_decision(
        session, kind="outcome_level", decision=level, outcome=level.value, at=decided_at, case=case
    )
    case_service.move(
        session,
        case=case,
        to=OUTCOME_STATES[outcome],
        at=decided_at,
        note=f"immigration court: {outcome}",
    )
