"""How long the booking agency and ICE waited for each answer: the time from the booking
to the answer's arrival, per kind of answer, read from the messages actually sent."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from securecomm.auth.models import Agency
from securecomm.domain import AgencyRole
from securecomm.interop.models import OutboxMessage, Transaction


@dataclass(frozen=True)
class AnswerTimes:
    answer: str  # message type and who received it
    answers: int
    median_minutes: float
    p90_minutes: float
    p99_minutes: float
    max_minutes: float


def answer_times(session: Session) -> list[AnswerTimes]:
    """Minutes from booking to arrival: each answer the booking agency received (after
    the state bureau's relay where there is one), and the IDR+IAR at the field office."""
    query = (
        select(
            OutboxMessage.message_type,
            OutboxMessage.recipient,
            OutboxMessage.created_at,
            Agency.role,
            Transaction.ori,
            Transaction.booked_at,
        )
        .join(Transaction, OutboxMessage.transaction_id == Transaction.id)
        .join(Agency, Agency.ori == OutboxMessage.recipient)
    )
    waits: dict[str, list[float]] = defaultdict(list)
    for message_type, recipient, sent_at, role, booking_ori, booked_at in session.execute(query):
        if recipient == booking_ori:
            label = f"{message_type} to the booking agency"
        elif role is AgencyRole.ICE_FIELD_OFFICE:
            label = f"{message_type} to the ICE field office"
        else:
            continue  # a leg on the way (the state bureau), not an arrival
        waits[label].append((sent_at - booked_at).total_seconds() / 60)
    return [_summarise(label, minutes) for label, minutes in sorted(waits.items())]


def _summarise(label: str, minutes: list[float]) -> AnswerTimes:
    values = np.asarray(minutes)
    p50, p90, p99 = np.percentile(values, [50, 90, 99])
    return AnswerTimes(
        answer=label,
        answers=len(minutes),
        median_minutes=round(float(p50), 1),
        p90_minutes=round(float(p90), 1),
        p99_minutes=round(float(p99), 1),
        max_minutes=round(float(values.max()), 1),
    )
