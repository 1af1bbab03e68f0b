"""Case data access: state changes through the transition table, the timeline, lookups
and the capacity already taken (seats on transport runs, beds over a stay)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from securecomm.cases.models import (
    Case,
    CaseEvent,
    CaseState,
    Detainer,
    DocketEntry,
    TransportRun,
)
from securecomm.cases.rules import check_transition
from securecomm.database.paging import page_of
from securecomm.database.rows import by_unique
from securecomm.domain import CourtOutcome, CriminalHistoryFact
from securecomm.exceptions import NotFoundError
from securecomm.interop.models import Jurisdiction, Transaction
from securecomm.repositories import service as repository_service
from securecomm.repositories.models import CriminalSubject


def move(session: Session, *, case: Case, to: CaseState, at: datetime, note: str) -> None:
    """Change a case's state through the transition table and log it on the timeline."""
    previous = CaseState(case.state) if case.state is not None else None
    check_transition(previous, to)
    case.state = to
    session.add(
        CaseEvent(case_id=case.id, occurred_at=at, previous=previous, current=to, note=note[:300])
    )


def close(session: Session, *, case: Case, to: CaseState, at: datetime, note: str) -> None:
    """Move a case to a closing state and record when it closed."""
    move(session, case=case, to=to, at=at, note=note)
    case.closed_at = at


def history_as_of(session: Session, case: Case, at: datetime) -> CriminalHistoryFact:
    """The booked person's criminal history as it stood on ``at``."""
    transaction = session.get_one(Transaction, case.transaction_id)
    subject = session.get_one(CriminalSubject, transaction.criminal_subject_id)
    return repository_service.history(subject).as_of(at.date())


def log(session: Session, *, case: Case, at: datetime, note: str) -> None:
    """A timeline entry that changes no state (counsel filed, discretion recorded, ...)."""
    session.add(
        CaseEvent(
            case_id=case.id,
            occurred_at=at,
            previous=case.state,
            current=case.state,
            note=note[:300],
        )
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
    return by_unique(session, Case, Case.transaction_id, transaction_id)


def get_case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFoundError(f"no case {case_id}")
    return case


def jurisdiction_of(session: Session, case: Case) -> Jurisdiction:
    transaction = session.get_one(Transaction, case.transaction_id)
    return session.get_one(Jurisdiction, transaction.jurisdiction_id)


def timeline(session: Session, case_id: int) -> list[CaseEvent]:
    query = select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
    return list(session.scalars(query))


def list_cases(
    session: Session,
    *,
    state: CaseState | None = None,
    jurisdiction: str | None = None,
    limit: int = 100,
) -> list[tuple[Case, Jurisdiction]]:
    """Cases oldest first, optionally in one state and/or one jurisdiction (by code)."""
    query = (
        select(Case, Jurisdiction)
        .join(Transaction, Case.transaction_id == Transaction.id)
        .join(Jurisdiction, Transaction.jurisdiction_id == Jurisdiction.id)
        .order_by(Case.opened_at, Case.id)
        .limit(limit)
    )
    if state is not None:
        query = query.where(Case.state == state)
    if jurisdiction is not None:
        query = query.where(Jurisdiction.code == jurisdiction)
    return [(case, place) for case, place in session.execute(query)]


# The field office's open work: proposals to act on, warrants to sign, detainers lodged.
OPEN_WORK = (CaseState.DETAINER_PROPOSED, CaseState.AWAITING_APPROVAL, CaseState.DETAINER_LODGED)


def work_queue(
    session: Session,
    *,
    field_office: str | None = None,
    limit: int = 100,
    offset: int = 0,
    states: tuple[CaseState, ...] = (CaseState.DETAINER_LODGED,),
) -> list[Case]:
    """The field office's open cases in enforcement order: the scheme's rank first (the
    Morton memo's Levels 1 and 2 before Level 3), then the oldest."""
    query = (
        select(Case)
        .where(Case.state.in_(states))
        .order_by(Case.priority_rank.is_(None), Case.priority_rank, Case.opened_at, Case.id)
        .limit(limit)
        .offset(offset)
    )
    if field_office is not None:
        query = query.where(Case.field_office == field_office)
    return list(session.scalars(query))


def count_cases(
    session: Session, *, field_offices: frozenset[str] | None, states: tuple[CaseState, ...]
) -> int:
    query = select(func.count()).select_from(Case)
    if states:
        query = query.where(Case.state.in_(states))
    if field_offices is not None:
        query = query.where(Case.field_office.in_(field_offices))
    return session.scalar(query) or 0


def cases_in_scope(
    session: Session,
    *,
    field_offices: frozenset[str] | None,
    states: tuple[CaseState, ...] = (),
    limit: int,
    offset: int,
) -> tuple[list[tuple[Case, Transaction, Jurisdiction]], int]:
    """Cases of the given field offices (None: all), newest first, and how many."""
    query = (
        select(Case, Transaction, Jurisdiction)
        .join(Transaction, Case.transaction_id == Transaction.id)
        .join(Jurisdiction, Transaction.jurisdiction_id == Jurisdiction.id)
        .order_by(Case.opened_at.desc(), Case.id.desc())
    )
    if states:
        query = query.where(Case.state.in_(states))
    if field_offices is not None:
        query = query.where(Case.field_office.in_(field_offices))
    return page_of(session, query, limit=limit, offset=offset, entities=False)


def case_in_scope(session: Session, case_id: int, field_offices: frozenset[str] | None) -> Case:
    """One case of the given field offices; any other is "not found"."""
    case = session.get(Case, case_id)
    if case is None or (field_offices is not None and case.field_office not in field_offices):
        raise NotFoundError(f"no case {case_id}")
    return case


def detainers_with(
    session: Session, *, oris: frozenset[str] | None, limit: int, offset: int
) -> tuple[list[tuple[Detainer, Case, Transaction]], int]:
    """Detainers lodged with the given agencies (None: all), newest first."""
    query = (
        select(Detainer, Case, Transaction)
        .join(Case, Detainer.case_id == Case.id)
        .join(Transaction, Case.transaction_id == Transaction.id)
    )
    if oris is not None:
        query = query.where(Transaction.ori.in_(oris))
    ordered = query.order_by(Detainer.lodged_at.desc(), Detainer.id.desc())
    return page_of(session, ordered, limit=limit, offset=offset, entities=False)


def detainer_with(
    session: Session, detainer_id: int, oris: frozenset[str] | None
) -> tuple[Detainer, Case, Transaction]:
    detainer = session.get(Detainer, detainer_id)
    case = session.get(Case, detainer.case_id) if detainer else None
    transaction = session.get(Transaction, case.transaction_id) if case else None
    if detainer is None or case is None or transaction is None:
        raise NotFoundError(f"no detainer {detainer_id}")
    if oris is not None and transaction.ori not in oris:
        raise NotFoundError(f"no detainer {detainer_id}")
    return detainer, case, transaction


def transport_run(
    session: Session, *, state: str, departs_at: datetime, seats: int
) -> TransportRun:
    """The run leaving ``state`` at ``departs_at``, created the first time a seat is booked."""
    query = select(TransportRun).where(
        TransportRun.state == state, TransportRun.departs_at == departs_at
    )
    run = session.scalar(query)
    if run is None:
        run = TransportRun(state=state, departs_at=departs_at, seats=seats)
        session.add(run)
        session.flush()
    return run


def record_docket(session: Session, outcomes: Mapping[str, CourtOutcome], *, source: str) -> int:
    """Store the court's decision for each FIN (a later docket replaces an earlier one);
    returns how many entries were new or changed."""
    stored = {entry.fin: entry for entry in session.scalars(select(DocketEntry))}
    changed = 0
    for fin, outcome in outcomes.items():
        entry = stored.get(fin)
        if entry is None:
            session.add(DocketEntry(fin=fin, outcome=outcome, source=source))
        elif entry.outcome is not outcome:
            entry.outcome, entry.source = outcome, source
        else:
            continue
        changed += 1
    session.flush()
    return changed


def docket(session: Session) -> dict[str, CourtOutcome]:
    return {entry.fin: entry.outcome for entry in session.scalars(select(DocketEntry))}


class DatabaseCapacity:
    """:class:`securecomm.cases.logistics.CapacityView` over the stored cases."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def seats_taken(self, state: str, departs_at: datetime) -> int:
        query = (
            select(func.count(Case.id))
            .join(TransportRun, Case.transport_run_id == TransportRun.id)
            .where(TransportRun.state == state, TransportRun.departs_at == departs_at)
        )
        return self._session.scalar(query) or 0

    def beds_busy(self, facility_code: str, start: datetime, end: datetime) -> set[int]:
        query = select(Case.bed_number).where(
            Case.facility_code == facility_code,
            Case.bed_number.is_not(None),
            Case.custody_at < end,
            or_(Case.custody_ended_at.is_(None), Case.custody_ended_at > start),
        )
        return {bed for bed in self._session.scalars(query) if bed is not None}
