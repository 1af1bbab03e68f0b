"""No match: the IDR no-match answer. Match: the immigration query (IAQ), the status
centre's determination and the combined IDR+IAR answer.

A jurisdiction that has declined to receive immigration information about its arrestees
(as several did in 2010-2011) gets neither answer; the ICE field office still gets the
IDR+IAR, since fingerprint sharing itself is not optional. The withheld answer is a
decision with its reason, on the booking's record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from securecomm.auth import service as auth_service
from securecomm.booking.schemas import BookingDocument
from securecomm.decisions import Decision, JSONValue, Trace
from securecomm.domain import AgencyRole
from securecomm.interop import outbox
from securecomm.interop import rules as interop_rules
from securecomm.interop.clock import Leg, ServiceClock, after
from securecomm.interop.context import (
    State,
    audit_step,
    document_of,
    history_of,
    immigration_ori,
    record_decision,
    send_to_booking_agency,
)
from securecomm.interop.jurisdictions import Declaration, jurisdiction_ref
from securecomm.interop.models import DecisionRecord, Transaction
from securecomm.repositories import service as repository_service
from securecomm.repositories.models import ImmigrationSubject
from securecomm.status import rules as status_rules


def answer_or_query(session: Session, transaction: Transaction, clock: ServiceClock) -> None:
    """No match: an IDR no-match answer ends the transaction. Match: an IAQ to the
    status centre."""
    document = document_of(session, transaction)
    ident = immigration_ori(session)
    searched_at = after(clock, transaction.booked_at, transaction.tcn, Leg.IMMIGRATION_SEARCH)
    if transaction.immigration_subject_id is None:
        _answer_booking_agency(
            session,
            transaction,
            clock,
            message_type="IDR-NM",
            sender=ident,
            sent_at=searched_at,
            payload={"tcr": transaction.tcn, "result": "no match"},
        )
        transaction.state = State.COMPLETED
        return
    subject = session.get_one(ImmigrationSubject, transaction.immigration_subject_id)
    centre = auth_service.agency_for_role(session, AgencyRole.STATUS_CENTRE).ori
    most_serious = _most_serious_code(document)
    outbox.enqueue(
        session,
        message_type="IAQ",
        control_number=transaction.tcn,
        sender=ident,
        recipient=centre,
        created_at=searched_at,
        payload={
            "pur": "C",
            "atn": transaction.ori,
            "nam": document.name,
            "dob": document.dob.strftime("%Y%m%d"),
            "sex": document.sex,
            "pob": document.place_of_birth,
            "cus": "Y",
            "off": most_serious,
            "fin": subject.fin,
            "arn": subject.a_number,
        },
        transaction_id=transaction.id,
    )
    transaction.state = State.STATUS_QUERIED


def _most_serious_code(document: BookingDocument) -> str:
    """The IAQ's OFF field: the charge with the longest statutory maximum (0399 if none)."""
    if not document.charges:
        return "0399"
    return max(document.charges, key=lambda charge: charge.max_term_days).ncic_code


def determine_status(session: Session, transaction: Transaction, clock: ServiceClock) -> None:
    """The status centre's determination (as of the booking day), dated when it answers."""
    subject = session.get_one(ImmigrationSubject, transaction.immigration_subject_id)
    decision = status_rules.determine_status(
        encounters=repository_service.encounter_facts(subject),
        history=history_of(session, transaction),
        as_of=transaction.booked_at.date(),
    )
    determination = decision.value
    transaction.status_category = determination.category
    record_decision(
        session,
        kind="status",
        decision=decision,
        outcome=determination.category,
        at=answered_at(clock, transaction),
        transaction=transaction,
    )
    audit_step(
        session,
        transaction,
        kind="status.determined",
        actor="status_centre",
        summary=f"status {determination.category}; removable={determination.removable}",
        at=answered_at(clock, transaction),
    )
    transaction.state = State.STATUS_DETERMINED


def answered_at(clock: ServiceClock, transaction: Transaction) -> datetime:
    """When the status centre's IAR leaves: the IDENT search, then the determination."""
    return after(
        clock,
        transaction.booked_at,
        transaction.tcn,
        Leg.IMMIGRATION_SEARCH,
        Leg.STATUS_DETERMINATION,
    )


def respond(session: Session, transaction: Transaction, clock: ServiceClock) -> None:
    """The combined IDR+IAR goes to the ICE field office, and to the local agency through
    its state bureau."""
    subject = session.get_one(ImmigrationSubject, transaction.immigration_subject_id)
    status = session.scalars(
        select(DecisionRecord).where(
            DecisionRecord.transaction_id == transaction.id, DecisionRecord.kind == "status"
        )
    ).one()
    centre = auth_service.agency_for_role(session, AgencyRole.STATUS_CENTRE).ori
    jurisdiction = jurisdiction_ref(session, transaction.jurisdiction_id)
    office = auth_service.agency_for_role(
        session, AgencyRole.ICE_FIELD_OFFICE, state=jurisdiction.state
    ).ori
    payload: dict[str, Any] = {
        "tcr": transaction.tcn,
        "idr": {"result": "match", "fin": subject.fin, "a_number": subject.a_number},
        "iar": {"status": status.outcome, "evidence": _evidence(status)},
    }
    sent_at = answered_at(clock, transaction)
    outbox.enqueue(
        session,
        message_type="IDR-IAR",
        control_number=transaction.tcn,
        sender=centre,
        recipient=office,
        created_at=sent_at,
        payload=payload,
        transaction_id=transaction.id,
    )
    _answer_booking_agency(
        session,
        transaction,
        clock,
        message_type="IDR-IAR",
        sender=centre,
        sent_at=sent_at,
        payload=payload,
    )
    transaction.state = State.RESPONDED


def _answer_booking_agency(
    session: Session,
    transaction: Transaction,
    clock: ServiceClock,
    *,
    message_type: str,
    sender: str,
    sent_at: datetime,
    payload: dict[str, Any],
) -> None:
    """The immigration answer for the booking agency, unless its jurisdiction declined it."""
    declared = declined_information(session, transaction.jurisdiction_id, transaction.booked_at)
    if declared is None:
        send_to_booking_agency(
            session,
            transaction,
            clock,
            message_type=message_type,
            sender=sender,
            sent_at=sent_at,
            payload=payload,
        )
        return
    trace = Trace(
        rule="participation.declines_information",
        outcome=f"{message_type} withheld from the booking agency",
        inputs={"declared_on": declared.on.isoformat(), "declaration_id": declared.id},
        note="the jurisdiction declined to receive immigration information about its "
        "arrestees; the ICE field office is answered as always",
    )
    record_decision(
        session,
        kind="answer_withheld",
        decision=Decision(message_type, (trace,)),
        outcome=trace.outcome,
        at=sent_at,
        transaction=transaction,
    )
    audit_step(
        session,
        transaction,
        kind="immigration.answer_withheld",
        actor="immigration_repository",
        summary=trace.outcome,
    )


def declined_information(
    session: Session, jurisdiction_id: int, at: datetime
) -> Declaration | None:
    """The declaration in force at ``at`` if it declines immigration information."""
    latest = jurisdiction_ref(session, jurisdiction_id).declaration_in_force(at.date())
    declines = latest is not None and interop_rules.declines_information([latest.kind])
    return latest if declines else None


def _evidence(status: DecisionRecord) -> list[JSONValue]:
    return [trace.get("note", "") for trace in status.traces if trace.get("note")]
