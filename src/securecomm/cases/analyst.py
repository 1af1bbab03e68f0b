"""The status centre's analysts: the cases whose status the rules could not determine,
and the finding that resolves one (a citizen ends with no action, never a detainer)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from securecomm.cases import lodging
from securecomm.cases import service as case_service
from securecomm.cases.models import Case, CaseState
from securecomm.cases.schemas import AnalystFinding
from securecomm.decisions import Decision, Trace
from securecomm.detainers import rules as detainer_rules
from securecomm.exceptions import IllegalTransitionError
from securecomm.interop.flows import record_decision
from securecomm.interop.models import Transaction
from securecomm.priority import rules as priority_rules
from securecomm.repositories import service as repository_service
from securecomm.repositories.models import ImmigrationSubject
from securecomm.status import rules as status_rules


def analyst_queue(session: Session) -> list[Case]:
    """Cases whose status the rules could not determine, oldest first."""
    query = (
        select(Case).where(Case.state == CaseState.ANALYST_REVIEW).order_by(Case.opened_at, Case.id)
    )
    return list(session.scalars(query))


def resolve_analyst_review(
    session: Session,
    *,
    case_id: int,
    finding: AnalystFinding,
    analyst: str,
    at: datetime,
    officers_decide: bool = False,
) -> Case:
    """Apply an analyst's status finding: a citizen ends with no action (never a detainer);
    a determined status re-runs priority and the detainer decision under the scheme in
    force on the day of the review. Where officers decide, a detainer the rules call for
    is proposed to them rather than lodged."""
    case = case_service.get_case(session, case_id)
    if case.state is not CaseState.ANALYST_REVIEW:
        raise IllegalTransitionError("case", str(case.state), "analyst resolution")
    transaction = session.get_one(Transaction, case.transaction_id)
    status = _analyst_status(session, case, transaction, finding, analyst, at)
    if status.category.is_citizen:
        note = f"analyst {analyst}: U.S. citizen, no action"
        case_service.close(session, case=case, to=CaseState.NO_ACTION_CITIZEN, at=at, note=note)
        return case
    subject = session.get_one(ImmigrationSubject, case.immigration_subject_id)
    history = case_service.history_as_of(session, case, at)
    priority = priority_rules.assess_priority(
        history=history,
        status=status,
        encounters=repository_service.encounter_facts(subject),
        as_of=at.date(),
    )
    detainer = detainer_rules.decide_detainer(
        status=status,
        priority=priority.value,
        on=at.date(),
        policy=case_service.jurisdiction_of(session, case).detainer_policy,
    )
    case.scheme_id = priority.value.scheme_id
    case.priority_category = priority.value.category
    case.priority_rank = priority.value.rank
    category = priority.value.category or "not a priority"
    record_decision(
        session, kind="priority_after_review", decision=priority, outcome=category, at=at, case=case
    )
    lodged = str(detainer.value.form) if detainer.value.lodge else "no detainer"
    record_decision(
        session, kind="detainer_after_review", decision=detainer, outcome=lodged, at=at, case=case
    )
    if not detainer.value.lodge:
        case_service.close(
            session, case=case, to=CaseState.NOT_PRIORITY, at=at, note=detainer.value.reason
        )
        return case
    arrest = repository_service.arrest_by_incident(session, transaction.tcn)
    if arrest is not None and arrest.released_on is not None:
        note = f"detainer not lodged: released by the local agency on {arrest.released_on}"
        case_service.close(
            session, case=case, to=CaseState.RELEASED_BEFORE_REVIEW, at=at, note=note
        )
        return case
    if officers_decide:
        lodging.propose(session, case, detainer.value, at)
    else:
        lodging.lodge(session, case, transaction, detainer.value, at)
    return case


def _analyst_status(
    session: Session,
    case: Case,
    transaction: Transaction,
    finding: AnalystFinding,
    analyst: str,
    at: datetime,
) -> status_rules.StatusDetermination:
    status = status_rules.StatusDetermination(
        category=finding.category,
        removable=finding.removable,
        probable_cause=finding.probable_cause,
        evidence=(f"analyst {analyst}: {finding.evidence}",),
        needs_analyst=False,
    )
    trace = Trace(
        rule="status.analyst_review",
        outcome=finding.category.value,
        inputs={
            "analyst": analyst,
            "removable": finding.removable,
            "probable_cause": finding.probable_cause,
        },
        note=finding.evidence,
    )
    record_decision(
        session,
        kind="analyst_status",
        decision=Decision(status, (trace,)),
        outcome=finding.category.value,
        at=at,
        case=case,
    )
    transaction.status_category = finding.category.value
    return status
