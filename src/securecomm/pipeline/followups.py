"""Releases and dispositions: what the jail tells after a booking, applied to its case.

A follow-up waits (parked) while its booking waits for an examiner, and is released
when the booking completes. Its steps only read and write that booking's case, so they
run as one unit of work (a failure runs them again).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session

from securecomm.booking import service as booking_service
from securecomm.booking.models import OPEN_STATES, Submission, SubmissionKind, SubmissionState
from securecomm.cases import flows as case_flows
from securecomm.cases.ports import ImmigrationCourt
from securecomm.database import Database
from securecomm.database.deferred import savepoint
from securecomm.database.rows import by_unique
from securecomm.exceptions import InputError
from securecomm.interop import guard
from securecomm.interop.models import Transaction
from securecomm.metrics import STEP_SECONDS
from securecomm.pipeline.claims import Claims


def _parked_until_booking_settles(session: Session, submission: Submission) -> bool:
    """A follow-up for a booking still waiting on an examiner waits with it."""
    # locked: its worker may be finishing it now. Read whole, it is the row the steps
    # after look up (by_unique then answers from the session).
    booking = by_unique(session, Transaction, Transaction.tcn, submission.external_key, lock=True)
    if booking is None or booking.state.terminal:
        return False
    submission.state = SubmissionState.PARKED
    return True


def release_parked(session: Session, tcn: str) -> None:
    """The booking is done: its parked follow-ups may go."""
    session.execute(_RELEASE_PARKED, {"tcn": tcn})


# Run by every booking that finishes, built once. It changes other submissions than the
# unit's own: nothing pending bears on it, so it does not flush the unit's changes
# first (they go with the commit, one flush for the unit).
_RELEASE_PARKED = (
    update(Submission)
    .where(
        Submission.kind.in_((SubmissionKind.RELEASE, SubmissionKind.DISPOSITION)),
        Submission.external_key == bindparam("tcn"),
        Submission.state == SubmissionState.PARKED,
    )
    .values(state=SubmissionState.RECEIVED, version=Submission.version + 1)
    .execution_options(autoflush=False)
)


def drive(
    database: Database,
    submission_of: Callable[[Session], Submission],
    tracker: guard.StepTracker,
    court: ImmigrationCourt,
    claims: Claims,
) -> int:
    """Run a release or disposition to its end in one unit of work, or park it while its
    booking waits on an examiner; the claim ends with that unit. ``submission_of`` puts
    the claimed submission in the unit. The steps run."""
    with database.session(hold_rows=True) as session:
        submission = submission_of(session)
        steps = _drive(session, submission, tracker, court)
        claims.end(submission)
    return steps


def _drive(
    session: Session, submission: Submission, tracker: guard.StepTracker, court: ImmigrationCourt
) -> int:
    if _parked_until_booking_settles(session, submission):
        return 0
    steps = 0
    while submission.state in OPEN_STATES:
        tracker.step = f"{submission.kind}:{submission.step or 'received'}"
        with STEP_SECONDS.labels(tracker.step).time():
            if submission.state is SubmissionState.RECEIVED:
                _receive(session, submission)
            else:
                _step(session, submission, court)
        steps += 1
    return steps


def _receive(session: Session, submission: Submission) -> None:
    """The step that judges what the agency sent: a refusal rejects the follow-up and
    leaves no partial change (a savepoint). The later steps act on what this one
    accepted in the same unit of work; an error there is the flow's, not the sender's,
    and fails the whole unit (the worker's guard records it)."""
    try:
        with savepoint(session):
            refused = booking_service.receipt_problems(submission)
            if refused:  # too large, or a TCN another disposition already used
                raise InputError(refused)
            if submission.kind is SubmissionKind.RELEASE:
                case_flows.apply_release(session, submission)
            else:
                case_flows.apply_disposition(session, submission)
            submission.state = SubmissionState.PROCESSING
    except InputError as error:
        booking_service.reject(submission, error.problems)


def _step(session: Session, submission: Submission, court: ImmigrationCourt) -> None:
    if submission.step == case_flows.STEP_APPLIED:
        case_flows.release(session, submission)
    elif submission.step == case_flows.STEP_RELEASED:
        case_flows.schedule_hearing(session, submission)
    elif submission.step == case_flows.STEP_HEARING:
        case_flows.decide(session, submission, court)
    else:
        submission.state = SubmissionState.DONE
