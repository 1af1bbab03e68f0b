"""Redress: a person or their lawyer files a complaint; a redress officer takes it up
within the deadline, checks the records, and either corrects them, finds no error, or
refers it; the complainant gets a written answer. A confirmed error flows back: a wrong
match is ruled out for good (later searches drop it), the transaction loses the match,
a lodged detainer is lifted, an open case closes as resting on an error, a citizen's
immigration record gains the citizenship it lacked; the statistics change and the
report says by how much. Every step is a complaint event and an audit event."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from securecomm.audit import service as audit_service
from securecomm.cases import lodging
from securecomm.cases import service as case_service
from securecomm.cases.models import CaseState
from securecomm.cases.rules import IN_CUSTODY, TERMINAL
from securecomm.domain import EncounterKind, StatusCategory
from securecomm.exceptions import FieldProblem, InputError, NotFoundError
from securecomm.interop.models import Transaction
from securecomm.oversight.models import (
    Complaint,
    ComplaintEvent,
    ComplaintKind,
    ComplaintState,
)
from securecomm.repositories.models import Encounter, MatchExclusion

ACKNOWLEDGE_WITHIN = timedelta(days=5)
DECIDE_WITHIN = timedelta(days=30)
DECIDED = frozenset(
    {ComplaintState.CORRECTED, ComplaintState.NOT_CONFIRMED, ComplaintState.REFERRED}
)
CITIZENSHIP_EVIDENCE = {
    StatusCategory.CITIZEN_BY_NATURALISATION: EncounterKind.NATURALISATION,
    StatusCategory.CITIZEN_BY_DERIVATION: EncounterKind.DERIVED_CITIZENSHIP,
}
_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


def file_complaint(
    session: Session,
    *,
    kind: ComplaintKind,
    filed_by: str,
    complainant: str,
    contact: str,
    statement: str,
    booking_tcn: str | None,
    at: datetime,
) -> Complaint:
    """Record a complaint as filed; the reference is what the complainant keeps."""
    transaction = None
    if booking_tcn:
        transaction = session.scalar(select(Transaction).where(Transaction.tcn == booking_tcn))
    complaint = Complaint(
        reference=_new_reference(session),
        kind=kind,
        filed_at=at,
        filed_by=filed_by,
        complainant=complainant.strip(),
        contact=contact.strip(),
        booking_tcn=booking_tcn or None,
        statement=statement.strip(),
        state=ComplaintState.RECEIVED,
        acknowledge_by=at + ACKNOWLEDGE_WITHIN,
        decide_by=at + DECIDE_WITHIN,
        transaction_id=transaction.id if transaction else None,
        corrections=[],
    )
    session.add(complaint)
    session.flush()
    found = "the booking was found" if transaction else "no booking named or found"
    _step(session, complaint, actor="public", action="filed", at=at, note=f"filed; {found}")
    return complaint


def _new_reference(session: Session) -> str:
    while True:
        code = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(10))
        reference = f"R-{code[:5]}-{code[5:]}"
        if session.scalar(select(Complaint.id).where(Complaint.reference == reference)) is None:
            return reference


def by_reference(session: Session, reference: str) -> Complaint:
    complaint = session.scalar(
        select(Complaint).where(Complaint.reference == reference.strip().upper())
    )
    if complaint is None:
        raise NotFoundError("no complaint has that reference: check it against your receipt")
    return complaint


def get_complaint(session: Session, complaint_id: int) -> Complaint:
    complaint = session.get(Complaint, complaint_id)
    if complaint is None:
        raise NotFoundError(f"complaint {complaint_id} not found")
    return complaint


def complaints(session: Session, *, state: ComplaintState | None = None) -> Sequence[Complaint]:
    query = select(Complaint).order_by(Complaint.decide_by, Complaint.id)
    if state is not None:
        query = query.where(Complaint.state == state)
    return session.scalars(query).all()


def events(session: Session, complaint_id: int) -> Sequence[ComplaintEvent]:
    return session.scalars(
        select(ComplaintEvent)
        .where(ComplaintEvent.complaint_id == complaint_id)
        .order_by(ComplaintEvent.at, ComplaintEvent.id)
    ).all()


def overdue(complaint: Complaint, now: datetime) -> list[str]:
    """The deadlines a complaint has missed (acknowledgement, decision)."""
    missed = []
    if complaint.state is ComplaintState.RECEIVED and now > complaint.acknowledge_by:
        missed.append("acknowledgement")
    if complaint.state in (ComplaintState.RECEIVED, ComplaintState.IN_REVIEW) and (
        now > complaint.decide_by
    ):
        missed.append("decision")
    return missed


def take_up(session: Session, *, complaint_id: int, officer: str, at: datetime) -> Complaint:
    complaint = get_complaint(session, complaint_id)
    _require(complaint, {ComplaintState.RECEIVED}, "take up")
    complaint.state = ComplaintState.IN_REVIEW
    complaint.assigned_to = officer
    _step(session, complaint, actor=officer, action="taken_up", at=at, note="review begun")
    return complaint


def correct(
    session: Session,
    *,
    complaint_id: int,
    officer: str,
    at: datetime,
    wrong_match: bool = False,
    citizen: StatusCategory | None = None,
    lift_detainer: bool = False,
    note: str,
) -> Complaint:
    """Confirm the error and correct every record it touched."""
    complaint = get_complaint(session, complaint_id)
    _require(complaint, {ComplaintState.IN_REVIEW}, "correct")
    transaction = _transaction(session, complaint)
    problems = _correction_problems(transaction, wrong_match, citizen, lift_detainer, note)
    if problems:
        raise InputError(problems, summary=f"cannot correct complaint {complaint.reference}")
    assert transaction is not None  # checked by _correction_problems
    reason = f"redress {complaint.reference}: {note.strip()}"
    applied: list[dict[str, Any]] = []
    if wrong_match:  # first: the status found belonged to the other identity
        applied.append(_rule_out_match(session, transaction, reason, officer, at))
    if citizen is not None:
        applied.append(_record_citizenship(session, transaction, citizen, reason, officer, at))
    if lift_detainer or wrong_match or citizen is not None:
        applied.extend(_close_case(session, transaction, reason, officer, at, citizen is not None))
    complaint.corrections = [*complaint.corrections, *applied]
    complaint.state = ComplaintState.CORRECTED
    summary = "; ".join(item["summary"] for item in applied)
    _step(session, complaint, actor=officer, action="corrected", at=at, note=summary)
    return complaint


def _correction_problems(
    transaction: Transaction | None,
    wrong_match: bool,
    citizen: StatusCategory | None,
    lift_detainer: bool,
    note: str,
) -> list[FieldProblem]:
    problems = []
    if not (wrong_match or citizen is not None or lift_detainer):
        problems.append(FieldProblem("corrections", "redress.nothing", "choose what to correct"))
    if transaction is None:
        problems.append(
            FieldProblem("booking_tcn", "redress.no_booking", "link the complaint to its booking")
        )
    elif wrong_match and transaction.immigration_subject_id is None:
        problems.append(FieldProblem("wrong_match", "redress.no_match", "the booking has no match"))
    if citizen is not None and not citizen.is_citizen:
        problems.append(FieldProblem("citizen", "redress.not_citizen", "a citizen category"))
    if len(note.strip()) < 10:
        problems.append(FieldProblem("note", "redress.reason", "say what was found (10+ chars)"))
    return problems


def _transaction(session: Session, complaint: Complaint) -> Transaction | None:
    if complaint.transaction_id is None:
        return None
    return session.get(Transaction, complaint.transaction_id)


def _record_citizenship(
    session: Session,
    transaction: Transaction,
    citizen: StatusCategory,
    reason: str,
    officer: str,
    at: datetime,
) -> dict[str, Any]:
    before = transaction.status_category
    transaction.status_category = citizen.value
    kind = CITIZENSHIP_EVIDENCE.get(citizen)
    if kind is not None and transaction.immigration_subject_id is not None:
        session.add(
            Encounter(
                subject_id=transaction.immigration_subject_id,
                kind=kind,
                day=at.date(),
                detail={"source": reason[:200], "recorded_by": officer},
            )
        )
    return {
        "action": "status_corrected",
        "tcn": transaction.tcn,
        "before": before,
        "after": citizen.value,
        "summary": f"status {before} corrected to {citizen.value}",
    }


def _rule_out_match(
    session: Session, transaction: Transaction, reason: str, officer: str, at: datetime
) -> dict[str, Any]:
    immigration_subject = transaction.immigration_subject_id
    level = transaction.match_level
    if transaction.criminal_subject_id is not None and immigration_subject is not None:
        session.add(
            MatchExclusion(
                criminal_subject_id=transaction.criminal_subject_id,
                immigration_subject_id=immigration_subject,
                reason=reason[:300],
                decided_by=officer,
                decided_at=at,
            )
        )
    transaction.immigration_subject_id = None
    transaction.match_level = None
    transaction.status_category = None  # the finding was about someone else
    figures = {"matches": -1, "matches_level_1" if level == "level_1" else "matches_level_2_3": -1}
    return {
        "action": "match_ruled_out",
        "tcn": transaction.tcn,
        "immigration_subject_id": immigration_subject,
        "figures": figures,
        "summary": "the match was ruled out and removed from the statistics",
    }


def _close_case(
    session: Session,
    transaction: Transaction,
    reason: str,
    officer: str,
    at: datetime,
    citizen_found: bool,
) -> list[dict[str, Any]]:
    case = case_service.case_for_transaction(session, transaction.id)
    if case is None:
        return []
    applied: list[dict[str, Any]] = []
    if case.state is CaseState.DETAINER_LODGED:
        lodging.cancel(
            session,
            case_id=case.id,
            reason=reason[:300],
            officer=officer,
            at=at,
            citizen_found=citizen_found,
        )
        applied.append(
            {
                "action": "detainer_lifted",
                "tcn": transaction.tcn,
                "figures": {"detainers_cancelled": 1},
                "summary": "detainer lifted",
            }
        )
    elif case.state not in TERMINAL:
        if case.state in IN_CUSTODY:
            case.custody_ended_at = at
        case_service.close(session, case=case, to=CaseState.CLOSED_IN_ERROR, at=at, note=reason)
        applied.append(
            {"action": "case_closed", "tcn": transaction.tcn, "summary": "case closed in error"}
        )
    else:  # a closed case keeps what happened; the timeline records the finding
        case_service.log(session, case=case, at=at, note=f"error confirmed: {reason}")
        applied.append(
            {"action": "case_annotated", "tcn": transaction.tcn, "summary": "closed case annotated"}
        )
    return applied


def not_confirmed(
    session: Session, *, complaint_id: int, officer: str, at: datetime, note: str
) -> Complaint:
    return _decide(session, complaint_id, ComplaintState.NOT_CONFIRMED, officer, at, note)


def refer(
    session: Session, *, complaint_id: int, officer: str, at: datetime, note: str
) -> Complaint:
    """Mistreatment goes to the agency's inspector; a discretion request to the field
    office, on the case's timeline where the officers deciding it will see it."""
    complaint = _decide(session, complaint_id, ComplaintState.REFERRED, officer, at, note)
    transaction = _transaction(session, complaint)
    case = case_service.case_for_transaction(session, transaction.id) if transaction else None
    if case is not None and complaint.kind is ComplaintKind.DISCRETION_REQUEST:
        case_service.log(
            session,
            case=case,
            at=at,
            note=f"prosecutorial discretion requested (redress {complaint.reference}): {note}",
        )
    return complaint


def _decide(
    session: Session,
    complaint_id: int,
    state: ComplaintState,
    officer: str,
    at: datetime,
    note: str,
) -> Complaint:
    complaint = get_complaint(session, complaint_id)
    _require(complaint, {ComplaintState.IN_REVIEW}, str(state))
    if len(note.strip()) < 10:
        raise InputError([FieldProblem("note", "redress.reason", "say why (10+ characters)")])
    complaint.state = state
    _step(session, complaint, actor=officer, action=state.value, at=at, note=note.strip())
    return complaint


def answer(
    session: Session, *, complaint_id: int, officer: str, text: str, at: datetime
) -> Complaint:
    """The written answer to the complainant, once the complaint is decided."""
    complaint = get_complaint(session, complaint_id)
    _require(complaint, set(DECIDED), "answer")
    if complaint.answered_at is not None:
        raise InputError([FieldProblem("answer", "redress.answered", "already answered")])
    if len(text.strip()) < 40:
        raise InputError([FieldProblem("text", "redress.answer", "write the answer in full")])
    complaint.answer = text.strip()
    complaint.answered_at = at
    _step(session, complaint, actor=officer, action="answered", at=at, note="written answer sent")
    return complaint


def _require(complaint: Complaint, states: set[ComplaintState], action: str) -> None:
    if complaint.state not in states:
        allowed = ", ".join(sorted(s.value for s in states))
        raise InputError(
            [
                FieldProblem(
                    "state",
                    "redress.state",
                    f"cannot {action} a complaint that is {complaint.state.value} "
                    f"(only when {allowed})",
                )
            ],
            summary=f"complaint {complaint.reference}",
        )


def _step(
    session: Session, complaint: Complaint, *, actor: str, action: str, at: datetime, note: str
) -> None:
    session.add(
        ComplaintEvent(
            complaint_id=complaint.id, at=at, actor=actor[:64], action=action, note=note[:1000]
        )
    )
    audit_service.record(
        session,
        kind=f"redress.{action}",
        actor=actor,
        occurred_at=at,
        summary=f"complaint {complaint.reference} ({complaint.kind.value}): {action}",
        transaction_id=complaint.transaction_id,
        records=[f"complaint:{complaint.id}"],
        details={"note": note[:300]},
    )


def revisions(session: Session) -> dict[str, Any]:
    """What redress changed in the figures: corrections applied, and the net change."""
    applied = [
        item
        for complaint in session.scalars(
            select(Complaint).where(Complaint.state == ComplaintState.CORRECTED)
        )
        for item in complaint.corrections
    ]
    net: dict[str, int] = {}
    for item in applied:
        for figure, change in item.get("figures", {}).items():
            net[figure] = net.get(figure, 0) + int(change)
    kinds: dict[str, int] = {}
    for item in applied:
        kinds[item["action"]] = kinds.get(item["action"], 0) + 1
    return {"corrections": len(applied), "by_action": kinds, "net_change": net}
