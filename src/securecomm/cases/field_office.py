"""The ICE field office on the IDR+IAR: priority, the detainer decision, the case."""

from __future__ import annotations

from sqlalchemy.orm import Session

from securecomm.auth import service as auth_service
from securecomm.cases import lodging
from securecomm.cases import service as case_service
from securecomm.cases.models import Case, CaseState
from securecomm.detainers import rules as detainer_rules
from securecomm.domain import AgencyRole
from securecomm.interop.clock import Leg, ServiceClock, after
from securecomm.interop.context import (
    FlowContext,
    State,
    audit_step,
    history_of,
    record_decision,
)
from securecomm.interop.jurisdictions import jurisdiction_ref
from securecomm.interop.models import Transaction
from securecomm.priority import rules as priority_rules
from securecomm.repositories import service as repository_service
from securecomm.repositories.models import ImmigrationSubject
from securecomm.status import rules as status_rules


def field_office_step(session: Session, transaction: Transaction, context: FlowContext) -> None:
    """The booking flow's last step (RESPONDED -> COMPLETED)."""
    field_office_decides(
        session, transaction, context.clock, officers_decide=context.officers_decide
    )


def field_office_decides(
    session: Session,
    transaction: Transaction,
    clock: ServiceClock,
    *,
    officers_decide: bool = False,
) -> None:
    """Priority under the scheme in force, then the detainer decision; opens the case.

    The rules are applied as of the booking day (the facts the IAR reported); the case,
    the decisions and any detainer are dated when the officer has read the IDR+IAR.
    Where officers decide, a detainer the rules call for is proposed to them instead of
    lodged (``cases.lodging``)."""
    subject = session.get_one(ImmigrationSubject, transaction.immigration_subject_id)
    on = transaction.booked_at.date()
    decided_at = after(
        clock,
        transaction.booked_at,
        transaction.tcn,
        Leg.IMMIGRATION_SEARCH,
        Leg.STATUS_DETERMINATION,
        Leg.FIELD_OFFICE_REVIEW,
    )
    encounters = repository_service.encounter_facts(subject)
    history = history_of(session, transaction)
    status = status_rules.determine_status(encounters=encounters, history=history, as_of=on)
    priority = priority_rules.assess_priority(
        history=history, status=status.value, encounters=encounters, as_of=on
    )
    jurisdiction = jurisdiction_ref(session, transaction.jurisdiction_id)
    detainer = detainer_rules.decide_detainer(
        status=status.value,
        priority=priority.value,
        on=on,
        policy=jurisdiction.detainer_policy,
    )
    office = auth_service.agency_for_role(
        session, AgencyRole.ICE_FIELD_OFFICE, state=jurisdiction.state
    ).ori
    initial = _initial_case_state(status.value, detainer.value, officers_decide)
    case = Case(
        transaction_id=transaction.id,
        immigration_subject_id=subject.id,
        field_office=office,
        state=initial,
        opened_at=decided_at,
        scheme_id=priority.value.scheme_id,
        priority_category=priority.value.category,
        priority_rank=priority.value.rank,
        match_level=transaction.match_level,
        detainer_proposal=(
            lodging.proposal_of(detainer.value) if initial is CaseState.DETAINER_PROPOSED else {}
        ),
    )
    case_service.open_case(session, case=case, at=decided_at, note=detainer.value.reason)
    record_decision(
        session,
        kind="priority",
        decision=priority,
        outcome=priority.value.category or "not a priority",
        at=decided_at,
        transaction=transaction,
        case=case,
    )
    record_decision(
        session,
        kind="detainer",
        decision=detainer,
        outcome=str(detainer.value.form) if detainer.value.lodge else "no detainer",
        at=decided_at,
        transaction=transaction,
        case=case,
    )
    if initial is CaseState.DETAINER_LODGED:
        lodging.lodge(session, case, transaction, detainer.value, decided_at)
    audit_step(
        session,
        transaction,
        kind="field_office.decided",
        actor=office,
        summary=f"case {case.id}: {initial}; {detainer.value.reason}",
        at=decided_at,
    )
    transaction.state = State.COMPLETED


def _initial_case_state(
    status: status_rules.StatusDetermination,
    detainer: detainer_rules.DetainerDecision,
    officers_decide: bool,
) -> CaseState:
    if status.category.is_citizen:
        return CaseState.NO_ACTION_CITIZEN
    if status.needs_analyst:
        return CaseState.ANALYST_REVIEW
    if detainer.lodge:
        return CaseState.DETAINER_PROPOSED if officers_decide else CaseState.DETAINER_LODGED
    return CaseState.NOT_PRIORITY
