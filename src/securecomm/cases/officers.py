"""What officers record on a case between the flow's steps: prosecutorial-discretion
factors (beside the priority, never changing it), counsel, a release from ICE custody."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from securecomm.cases import service as case_service
from securecomm.cases.models import Case, CaseState, Counsel
from securecomm.cases.rules import IN_CUSTODY, TERMINAL
from securecomm.decisions import Decision, Trace
from securecomm.exceptions import FieldProblem, IllegalTransitionError, InputError
from securecomm.interop.flows import record_decision
from securecomm.interop.models import DecisionRecord
from securecomm.priority.rules import DiscretionFactors


def _refuse_closed(case: Case, action: str) -> None:
    if case.state in TERMINAL:
        problem = FieldProblem("case_id", "case_closed", f"case {case.id} is {case.state}")
        raise InputError([problem], summary=f"cannot {action}")


def record_discretion(
    session: Session, *, case_id: int, factors: DiscretionFactors, officer: str, at: datetime
) -> Case:
    """Record prosecutorial-discretion factors beside the case's priority, which they
    never change; recording again replaces the earlier factors."""
    case = case_service.get_case(session, case_id)
    _refuse_closed(case, "record discretion")
    recorded = factors.recorded()
    priority = case.priority_category or "not a priority"
    trace = Trace(
        rule="discretion.recorded",
        outcome="shown_beside_priority",
        inputs={**recorded, "officer": officer},
        era=case.scheme_id,
        note=f"beside {priority} ({case.scheme_id}); the priority is not changed",
    )
    case.discretion = {**recorded, "recorded_by": officer}
    shown = ", ".join(f"{key}={value}" for key, value in recorded.items())
    _replace_decision(
        session,
        case=case,
        kind="discretion",
        decision=Decision(factors, (trace,)),
        outcome=f"{priority}; discretion: {shown or 'none'}",
        at=at,
    )
    case_service.log(session, case=case, at=at, note=f"{officer} recorded discretion: {shown}")
    return case


def _replace_decision(
    session: Session,
    *,
    case: Case,
    kind: str,
    decision: Decision[Any],
    outcome: str,
    at: datetime,
) -> None:
    """Decisions an officer may revise keep one record per case, the latest."""
    existing = session.scalar(
        select(DecisionRecord).where(DecisionRecord.case_id == case.id, DecisionRecord.kind == kind)
    )
    if existing is not None:
        session.delete(existing)
        session.flush()
    record_decision(session, kind=kind, decision=decision, outcome=outcome, at=at, case=case)


def record_counsel(
    session: Session, *, case_id: int, counsel_name: str | None, at: datetime
) -> Case:
    """A notice of appearance (EOIR-28) filed: the person is represented from now on;
    ``counsel_name=None`` records that counsel withdrew."""
    case = case_service.get_case(session, case_id)
    _refuse_closed(case, "record counsel")
    if counsel_name is not None and not counsel_name.strip():
        problem = FieldProblem("counsel_name", "blank", "name the attorney or representative")
        raise InputError([problem])
    case.counsel = Counsel.REPRESENTED if counsel_name else Counsel.UNREPRESENTED
    case.counsel_name = counsel_name.strip()[:100] if counsel_name else None
    note = f"EOIR-28 filed by {case.counsel_name}" if counsel_name else "counsel withdrew"
    case_service.log(session, case=case, at=at, note=note)
    return case


def release_from_custody(
    session: Session, *, case_id: int, on_bond: bool, officer: str, at: datetime
) -> Case:
    """ICE releases a detained person on bond or on recognisance; the bed is free again."""
    case = case_service.get_case(session, case_id)
    if case.state not in IN_CUSTODY or case.custody_at is None:
        target = CaseState.RELEASED_ON_BOND if on_bond else CaseState.RELEASED_ON_RECOGNIZANCE
        raise IllegalTransitionError("case", str(case.state), str(target))
    if at < case.custody_at:
        problem = FieldProblem("at", "before_custody", f"custody began {case.custody_at}")
        raise InputError([problem])
    to = CaseState.RELEASED_ON_BOND if on_bond else CaseState.RELEASED_ON_RECOGNIZANCE
    case.custody_ended_at = at
    case_service.close(
        session, case=case, to=to, at=at, note=f"{officer}: released from ICE custody ({to})"
    )
    return case
