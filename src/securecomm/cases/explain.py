"""Why a case is where it is: every stored decision with its trace, and the timeline.

The decisions are the booking's (identification, activation, match level, status) and
the case's own (priority, detainer, discretion, the local agency's answer, custody
pickup, hearing, outcome), in the order they were taken.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from securecomm.cases import logistics
from securecomm.cases import service as case_service
from securecomm.cases.models import Case, CaseState, TransportRun
from securecomm.cases.rules import TERMINAL
from securecomm.cases.schemas import (
    CaseExplanation,
    CaseSummary,
    CustodyView,
    DecisionView,
    DetainerView,
    EventView,
    HearingView,
)
from securecomm.interop.models import DecisionRecord, Jurisdiction, Transaction
from securecomm.repositories.models import ImmigrationSubject


def summary(case: Case, transaction: Transaction, jurisdiction: Jurisdiction) -> CaseSummary:
    detainer = case.detainer
    return CaseSummary(
        id=case.id,
        tcn=transaction.tcn,
        jurisdiction=jurisdiction.code,
        state=case.state.value,
        opened_at=case.opened_at,
        scheme_id=case.scheme_id,
        priority_category=case.priority_category,
        priority_rank=case.priority_rank,
        match_level=case.match_level,
        detainer_form=detainer.form.value if detainer else None,
        detainer_response=detainer.response.value if detainer and detainer.response else None,
    )


def summary_of(session: Session, case: Case) -> CaseSummary:
    transaction = session.get_one(Transaction, case.transaction_id)
    return summary(case, transaction, case_service.jurisdiction_of(session, case))


def list_summaries(
    session: Session, *, state: CaseState | None, jurisdiction: str | None, limit: int
) -> list[CaseSummary]:
    rows = case_service.list_cases(session, state=state, jurisdiction=jurisdiction, limit=limit)
    return [
        summary(case, session.get_one(Transaction, case.transaction_id), place)
        for case, place in rows
    ]


def _decisions(session: Session, case: Case) -> list[DecisionView]:
    query = (
        select(DecisionRecord)
        .where(
            or_(
                DecisionRecord.case_id == case.id,
                DecisionRecord.transaction_id == case.transaction_id,
            )
        )
        .order_by(DecisionRecord.decided_at, DecisionRecord.id)
    )
    return [
        DecisionView(
            kind=record.kind,
            outcome=record.outcome,
            decided_at=record.decided_at,
            traces=list(record.traces),
        )
        for record in session.scalars(query)
    ]


def detainer_view(case: Case) -> DetainerView | None:
    detainer = case.detainer
    if detainer is None:
        return None
    return DetainerView(
        id=detainer.id,
        form=detainer.form.value,
        requests_hold=detainer.requests_hold,
        probable_cause=detainer.probable_cause,
        warrant=detainer.warrant,
        lodged_at=detainer.lodged_at,
        release_at=detainer.release_at,
        hold_deadline=detainer.hold_deadline,
        response=detainer.response.value if detainer.response else None,
        response_note=detainer.response_note,
        responded_at=detainer.responded_at,
        answered_by=detainer.answered_by,
        pickup_at=detainer.pickup_at,
        cancelled_at=detainer.cancelled_at,
        cancel_reason=detainer.cancel_reason,
    )


def _custody(session: Session, case: Case) -> CustodyView:
    run = session.get(TransportRun, case.transport_run_id) if case.transport_run_id else None
    name = logistics.facility(case.facility_code).name if case.facility_code else None
    return CustodyView(
        custody_at=case.custody_at,
        conviction_level=case.custody_level,
        facility_code=case.facility_code,
        facility_name=name,
        bed_number=case.bed_number,
        transport_departs_at=run.departs_at if run else None,
        custody_ended_at=case.custody_ended_at,
    )


def explain_case(session: Session, case_id: int) -> CaseExplanation:
    """Everything decided about case ``case_id`` and why (NotFoundError if unknown)."""
    case = case_service.get_case(session, case_id)
    transaction = session.get_one(Transaction, case.transaction_id)
    jurisdiction = session.get_one(Jurisdiction, transaction.jurisdiction_id)
    subject = session.get_one(ImmigrationSubject, case.immigration_subject_id)
    return CaseExplanation(
        case=summary(case, transaction, jurisdiction),
        fin=subject.fin,
        field_office=case.field_office,
        status_category=transaction.status_category,
        discretion=dict(case.discretion),
        detainer=detainer_view(case),
        custody=_custody(session, case),
        hearing=HearingView(
            hearing_on=case.hearing_on,
            mode=case.hearing_mode.value if case.hearing_mode else None,
            counsel=case.counsel.value if case.counsel else None,
            counsel_name=case.counsel_name,
        ),
        outcome=case.state.value if case.state in TERMINAL else None,
        outcome_level=case.outcome_level,
        closed_at=case.closed_at,
        decisions=_decisions(session, case),
        timeline=[
            EventView(
                occurred_at=event.occurred_at,
                previous=event.previous,
                current=event.current,
                note=event.note,
            )
            for event in case_service.timeline(session, case.id)
        ],
    )
