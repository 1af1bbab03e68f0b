"""The booking flow, one persisted step at a time.

Each ``advance_*`` call runs exactly one step inside one unit of work: it reads the
transaction's persisted state, does that step's effects (rows, decisions, outbox
messages, audit events) and writes the next state, all committed together. A crash
anywhere loses at most the step in flight, which simply runs again; unique keys built
from the TCN (arrest incident, decision kind, outbox key) make a repeat harmless.

A possible identification (the band between identification and no identification)
parks the booking in an ``awaiting_*_examiner`` state until a fingerprint examiner
confirms or rejects the candidate; the worker then settles it as either.

    received -> validated -> [awaiting_criminal_examiner] -> criminal_searched
        -> criminal_answered
        -> (not activated) completed
        -> [awaiting_immigration_examiner] -> immigration_searched -> (no match) completed
                                 -> status_queried -> status_determined -> responded
                                 -> completed (field office decided; a case is open)
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from securecomm.interop.acceptance import accept_booking
from securecomm.interop.context import Galleries, State, record_decision
from securecomm.interop.field_office import field_office_decides
from securecomm.interop.models import Transaction, TransactionState
from securecomm.interop.searches import (
    criminal_answer,
    criminal_search,
    examiner_decision,
    immigration_search,
    resume_criminal,
    resume_immigration,
)
from securecomm.interop.status_query import answer_or_query, determine_status, respond

__all__ = [
    "STEPS",
    "Galleries",
    "State",
    "StepFn",
    "accept_booking",
    "examiner_decision",
    "record_decision",
]

StepFn = Callable[[Session, Transaction, Galleries], None]


def _without_galleries(step: Callable[[Session, Transaction], None]) -> StepFn:
    def run(session: Session, transaction: Transaction, _galleries: Galleries) -> None:
        step(session, transaction)

    return run


STEPS: dict[TransactionState, StepFn] = {
    State.VALIDATED: criminal_search,
    State.AWAITING_CRIMINAL_EXAMINER: resume_criminal,
    State.AWAITING_IMMIGRATION_EXAMINER: resume_immigration,
    State.CRIMINAL_SEARCHED: _without_galleries(criminal_answer),
    State.CRIMINAL_ANSWERED: immigration_search,
    State.IMMIGRATION_SEARCHED: _without_galleries(answer_or_query),
    State.STATUS_QUERIED: _without_galleries(determine_status),
    State.STATUS_DETERMINED: _without_galleries(respond),
    State.RESPONDED: _without_galleries(field_office_decides),
}
