"""Reading what the flow holds: jurisdictions, bookings and their answers as each scope
sees them (``auth.scope``), transactions and their decisions."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from securecomm.auth.scope import AgencyScope
from securecomm.booking.models import Submission, SubmissionKind, SubmissionState
from securecomm.database.paging import page_of
from securecomm.exceptions import FieldProblem, InputError, NotFoundError
from securecomm.interop.models import (
    DecisionRecord,
    Jurisdiction,
    OutboxMessage,
    Transaction,
    TransactionState,
)


def jurisdiction_by_code(
    session: Session, code: str, *, field: str = "jurisdiction"
) -> Jurisdiction:
    found = session.scalar(select(Jurisdiction).where(Jurisdiction.code == code))
    if found is None:
        problem = FieldProblem(field, "jurisdiction.unknown", f"no jurisdiction with code {code}")
        raise InputError([problem], summary="unknown jurisdiction")
    return found


# --------------------------------------------------------------------------- bookings as seen


def bookings(
    session: Session,
    scope: AgencyScope,
    *,
    state: SubmissionState | None,
    limit: int,
    offset: int,
    kind: SubmissionKind = SubmissionKind.BOOKING,
) -> tuple[list[Submission], int]:
    """Submissions sent by the agencies in ``scope``, newest first, and how many there are."""
    query = select(Submission).where(Submission.kind == kind)
    if scope.oris is not None:
        query = query.where(Submission.sender.in_(scope.oris))
    if state is not None:
        query = query.where(Submission.state == state)
    ordered = query.order_by(Submission.received_at.desc(), Submission.id.desc())
    return page_of(session, ordered, limit=limit, offset=offset)


def booking(session: Session, scope: AgencyScope, submission_id: int) -> Submission:
    """One submission the scope covers; any other is "not found" (its existence is not told)."""
    submission = session.get(Submission, submission_id)
    if submission is None or not scope.covers(submission.sender):
        raise NotFoundError(f"no submission {submission_id}")
    return submission


def booking_state(session: Session, scope: AgencyScope, submission_id: int) -> SubmissionState:
    """The state of one submission the scope covers, read without its file; any other is
    "not found", as in :func:`booking`."""
    found = session.execute(
        select(Submission.state, Submission.sender).where(Submission.id == submission_id)
    ).first()
    if found is None or not scope.covers(found.sender):
        raise NotFoundError(f"no submission {submission_id}")
    state: SubmissionState = found.state
    return state


def transaction_of(session: Session, submission_id: int) -> Transaction | None:
    return session.scalar(select(Transaction).where(Transaction.submission_id == submission_id))


def transaction_by_tcn(session: Session, tcn: str) -> Transaction:
    transaction = session.scalar(select(Transaction).where(Transaction.tcn == tcn))
    if transaction is None:
        raise NotFoundError(f"no transaction {tcn}")
    return transaction


def answers(
    session: Session, scope: AgencyScope, submission: Submission, transaction: Transaction | None
) -> list[OutboxMessage]:
    """The messages about a submission addressed to agencies in the scope, oldest first.
    Agencies see what was delivered to them; federal scopes see every leg."""
    about = [OutboxMessage.submission_id == submission.id]
    if transaction is not None:
        about.append(OutboxMessage.transaction_id == transaction.id)
    query = select(OutboxMessage).where(or_(*about))
    if scope.oris is not None:
        query = query.where(
            OutboxMessage.recipient.in_(scope.oris), OutboxMessage.delivered_at.is_not(None)
        )
    return list(session.scalars(query.order_by(OutboxMessage.created_at, OutboxMessage.id)))


def answer(
    session: Session, scope: AgencyScope, submission: Submission, message_id: int
) -> OutboxMessage:
    transaction = transaction_of(session, submission.id)
    for message in answers(session, scope, submission, transaction):
        if message.id == message_id:
            return message
    raise NotFoundError(f"no answer {message_id} for submission {submission.id}")


def transactions(
    session: Session,
    *,
    state: TransactionState | None,
    ori: str | None,
    limit: int,
    offset: int,
) -> tuple[list[Transaction], int]:
    """Every transaction (federal view), newest booking first."""
    query = select(Transaction)
    if state is not None:
        query = query.where(Transaction.state == state)
    if ori is not None:
        query = query.where(Transaction.ori == ori)
    ordered = query.order_by(Transaction.booked_at.desc(), Transaction.id.desc())
    return page_of(session, ordered, limit=limit, offset=offset)


def decisions_of(session: Session, transaction: Transaction) -> list[DecisionRecord]:
    query = select(DecisionRecord).where(DecisionRecord.transaction_id == transaction.id)
    return list(session.scalars(query.order_by(DecisionRecord.decided_at, DecisionRecord.id)))
