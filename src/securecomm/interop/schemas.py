"""What the service gives about transactions: their state, answers, decisions, timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from securecomm.interop.models import DecisionRecord, OutboxMessage, Transaction


def summary_of(message_type: str, payload: dict[str, Any]) -> str:
    """What a message says, in a line a person reads at a glance."""
    if message_type == "SRE":
        if payload.get("srf") == "I":
            return (
                f"identified: FBI {payload.get('fbi')}, {payload.get('arrests_on_record')} arrests"
            )
        return "not identified: a new criminal record was made"
    if message_type == "ERRT":
        problems = payload.get("problems") or []
        first = problems[0]["field"] if problems else "the file"
        return f"refused: {len(problems)} problems, first at {first}"
    if message_type == "IDR-NM":
        return "no match in the immigration repository"
    if message_type == "IDR-IAR":
        status = str((payload.get("iar") or {}).get("status", "")).replace("_", " ")
        return f"immigration match; status: {status or 'not determined'}"
    if message_type == "IAQ":
        return f"status query, offence code {payload.get('off')}"
    if message_type.endswith("-CANCEL"):
        return f"{payload.get('form')} lifted"
    if message_type.endswith("-ANSWER"):
        return f"agency answer: {payload.get('response')}"
    if payload.get("form"):
        kind = "hold requested" if payload.get("requests_hold") else "notification only"
        return f"{payload['form']} lodged: {kind}"
    if message_type == "HELD":
        return "held for review after an unexpected fault"
    return message_type


class AnswerOut(BaseModel):
    """One message about a booking (SRE, ERRT, IDR, IAR, a detainer, ...)."""

    id: int
    message_type: str
    sender: str
    recipient: str
    sent_at: datetime
    delivered_at: datetime | None
    summary: str
    payload: dict[str, Any]

    @classmethod
    def of(cls, message: OutboxMessage) -> AnswerOut:
        return cls(
            id=message.id,
            message_type=message.message_type,
            sender=message.sender,
            recipient=message.recipient,
            sent_at=message.created_at,
            delivered_at=message.delivered_at,
            summary=summary_of(message.message_type, message.payload),
            payload=message.payload,
        )


class DecisionOut(BaseModel):
    """An automated (or a person's) decision with the trace of why: rule, inputs,
    thresholds, policy era."""

    kind: str
    outcome: str
    decided_at: datetime
    case_id: int | None
    traces: list[dict[str, Any]]

    @classmethod
    def of(cls, record: DecisionRecord) -> DecisionOut:
        return cls(
            kind=record.kind,
            outcome=record.outcome,
            decided_at=record.decided_at,
            case_id=record.case_id,
            traces=record.traces,
        )


class TransactionOut(BaseModel):
    """A booking's path through the flow (the federal view)."""

    tcn: str
    submission_id: int
    ori: str
    booked_at: datetime
    state: str
    criminal_identified: bool | None
    immigration_searched: bool | None
    immigration_matched: bool
    match_level: str | None
    status_category: str | None

    @classmethod
    def of(cls, transaction: Transaction) -> TransactionOut:
        return cls(
            tcn=transaction.tcn,
            submission_id=transaction.submission_id,
            ori=transaction.ori,
            booked_at=transaction.booked_at,
            state=transaction.state.value,
            criminal_identified=transaction.criminal_identified,
            immigration_searched=transaction.immigration_searched,
            immigration_matched=transaction.immigration_subject_id is not None,
            match_level=transaction.match_level,
            status_category=transaction.status_category,
        )


class TimelineEntry(BaseModel):
    at: datetime
    what: str
    detail: str = ""


class TransactionDetail(BaseModel):
    transaction: TransactionOut
    decisions: list[DecisionOut]
    answers: list[AnswerOut]
    timeline: list[TimelineEntry]
