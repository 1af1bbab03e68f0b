from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from securecomm.cases.models import Case, CaseEvent, CaseState
from securecomm.cases.rules import check_transition


def move(session: Session, *, case: Case, to: CaseState, at: datetime, note: str) -> None:
    """Change a case's state through the transition table and log it on the timeline."""
    previous = CaseState(case.state) if case.state is not None else None
    check_transition(previous, to)
    case.state = to
    session.add(
        CaseEvent(case_id=case.id, occurred_at=at, previous=previous, current=to, note=note[:300])
    )


def open_case(session: Session, *, case: Case, at: datetime, note: str) -> Case:
    """Store a new case in its opening state (checked against the transition table)."""
    check_transition(None, CaseState(case.state))
    session.add(case)
    session.flush()
    session.add(
        CaseEvent(
            case_id=case.id, occurred_at=at, previous=None, current=case.state, note=note[:300]
        )
    )
    return case


def case_for_transaction(session: Session, transaction_id: int) -> Case | None:
    return session.scalar(select(Case).where(Case.transaction_id == transaction_id))


def timeline(session: Session, case_id: int) -> list[CaseEvent]:
    query = select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
    return list(session.scalars(query))
