"""Redress: a person or their lawyer files a complaint; a redress officer takes it up
within the deadline, checks the records, and either corrects them, finds no error, or
refers it; the complainant gets a written answer. A confirmed error flows back into the
records (``redress_corrections``); the statistics change and the report says by how
much (``revisions``). Every step is a complaint event and an audit event."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from securecomm.audit import service as audit_service
from securecomm.cases import service as case_service
from securecomm.exceptions import FieldProblem, InputError, NotFoundError
from securecomm.interop.models import Transaction
from securecomm.oversight.models import (
    Complaint,
    ComplaintEvent,
    ComplaintKind,
    ComplaintState,
)

ACKNOWLEDGE_WITHIN = timedelta(days=5)
DECIDE_WITHIN = timedelta(days=30)
DECIDED = frozenset(
    {ComplaintState.CORRECTED, ComplaintState.NOT_CONFIRMED, ComplaintState.REFERRED}
)
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
    step(session, complaint, actor="public", action="filed", at=at, note=f"filed; {found}")
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


def record_public_read(session: Session, complaint: Complaint, *, at: datetime) -> None:
    """Someone holding the reference read the complaint's state and answer: audited like
    every read of personal data (no sign-in, so the actor is "public")."""
    audit_service.record(
        session,
        kind="redress.status_read",
        actor="public",
        occurred_at=at,
        summary=f"complaint {complaint.reference}: state read by reference",
        records=[f"complaint:{complaint.id}"],
    )


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
    require_state(complaint, {ComplaintState.RECEIVED}, "take up")
    complaint.state = ComplaintState.IN_REVIEW
    complaint.assigned_to = officer
    step(session, complaint, actor=officer, action="taken_up", at=at, note="review begun")
    return complaint


def transaction_of(session: Session, complaint: Complaint) -> Transaction | None:
    if complaint.transaction_id is None:
        return None
    return session.get(Transaction, complaint.transaction_id)


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
    transaction = transaction_of(session, complaint)
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
    require_state(complaint, {ComplaintState.IN_REVIEW}, str(state))
    if len(note.strip()) < 10:
        raise InputError([FieldProblem("note", "redress.reason", "say why (10+ characters)")])
    complaint.state = state
    step(session, complaint, actor=officer, action=state.value, at=at, note=note.strip())
    return complaint


def answer(
    session: Session, *, complaint_id: int, officer: str, text: str, at: datetime
) -> Complaint:
    """The written answer to the complainant, once the complaint is decided."""
    complaint = get_complaint(session, complaint_id)
    require_state(complaint, set(DECIDED), "answer")
    if complaint.answered_at is not None:
        raise InputError([FieldProblem("answer", "redress.answered", "already answered")])
    if len(text.strip()) < 40:
        raise InputError([FieldProblem("text", "redress.answer", "write the answer in full")])
    complaint.answer = text.strip()
    complaint.answered_at = at
    step(session, complaint, actor=officer, action="answered", at=at, note="written answer sent")
    return complaint


def require_state(complaint: Complaint, states: set[ComplaintState], action: str) -> None:
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


def step(
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
