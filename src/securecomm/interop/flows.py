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
from securecomm.interop.clock import ServiceClock
from securecomm.interop.context import FlowContext, Galleries, State, record_decision
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
    "FlowContext",
    "Galleries",
    "State",
    "StepFn",
    "accept_booking",
    "answering",
    "examiner_decision",
    "record_decision",
]

StepFn = Callable[[Session, Transaction, FlowContext], None]


def _searching(step: Callable[[Session, Transaction, Galleries], None]) -> StepFn:
    def run(session: Session, transaction: Transaction, context: FlowContext) -> None:
        step(session, transaction, context.galleries)

    return run


def answering(step: Callable[[Session, Transaction, ServiceClock], None]) -> StepFn:
    def run(session: Session, transaction: Transaction, context: FlowContext) -> None:
        step(session, transaction, context.clock)

    return run


STEPS: dict[TransactionState, StepFn] = {
    State.VALIDATED: _searching(criminal_search),
    State.AWAITING_CRIMINAL_EXAMINER: _searching(resume_criminal),
    State.AWAITING_IMMIGRATION_EXAMINER: _searching(resume_immigration),
    State.CRIMINAL_SEARCHED: answering(criminal_answer),
    State.CRIMINAL_ANSWERED: _searching(immigration_search),
    State.IMMIGRATION_SEARCHED: answering(answer_or_query),
    State.STATUS_QUERIED: answering(determine_status),
    State.STATUS_DETERMINED: answering(respond),
}
# The last step, RESPONDED -> COMPLETED, is the field office's: it opens a case, so it
# lives in ``cases.field_office`` and the worker (``pipeline.worker``) adds it.
