"""The guard every worker step runs under.

A transient fault (the database restarting, a connection dropped, SQLite busy) is retried
with exponential backoff a bounded number of times. Any other unexpected error is a
fault of that one submission: it is marked ``failed`` with the error class, message and
step, its sender is told (an ERRT when the file itself could not be read, a "held for
review" notice otherwise), and the worker goes on. Nothing is deleted: the raw bytes
stay, and ``securecomm booking retry`` sends a failed submission round again once the
cause is fixed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from securecomm.audit import service as audit_service
from securecomm.auth import service as auth_service
from securecomm.booking.models import Submission, SubmissionState
from securecomm.database import Database, utcnow
from securecomm.database.faults import is_store_full, is_transient
from securecomm.domain import AgencyRole
from securecomm.exceptions import NotFoundError, SecurecommError
from securecomm.interop import outbox
from securecomm.interop.addresses import UNKNOWN_FOLDER, answer_folder

log = logging.getLogger("securecomm.worker")

ACCEPT_STEP = "accept"  # reading the file: a fault here is the file's


class WorkerStoppedError(SecurecommError):
    """The store itself is unavailable: the worker stops (a restart resumes)."""


class StoreUnavailableError(WorkerStoppedError):
    """A transient fault outlasted its retries and the store does not answer: the
    submission is not at fault and stays open; the worker waits for the store."""


@dataclass
class StepTracker:
    """Which step of the submission is running (for the failure record)."""

    step: str = "claim"


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff for transient faults."""

    retries: int = 6  # 12.6 s in all: a database restart takes a few seconds
    first_pause: float = 0.2
    factor: float = 2.0

    def attempts(self) -> Iterator[int]:
        yield from range(1, self.retries + 2)

    def again(self, attempt: int) -> bool:
        return attempt <= self.retries

    def wait(self, attempt: int) -> None:
        time.sleep(self.first_pause * self.factor ** (attempt - 1))


def store_answers(database: Database) -> bool:
    try:
        with database.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        if is_transient(error) or isinstance(error, DBAPIError):
            return False
        raise
    return True


def wait_for_store(database: Database, patience: float) -> None:
    """Wait up to ``patience`` seconds for the store to answer again (a restart, a
    failover); :class:`WorkerStoppedError` if it does not."""
    deadline = time.monotonic() + patience
    pause = 0.25
    while not store_answers(database):
        if time.monotonic() >= deadline:
            where = database.engine.url.render_as_string(hide_password=True)
            raise WorkerStoppedError(
                f"the database at {where} has not answered for {patience:.0f} s; run the "
                "worker again once it is back: it resumes where it stopped"
            )
        time.sleep(pause)
        pause = min(pause * 2, 5.0)
    log.warning("the store answers again; the worker goes on")


def is_outage(error: BaseException) -> bool:
    """The store stopped answering or has no room (after the step's retries, or outside
    any step)."""
    return isinstance(error, StoreUnavailableError) or is_transient(error) or is_store_full(error)


def fail_submission(
    database: Database, submission_id: int, error: BaseException, *, step: str, attempts: int
) -> None:
    """Hold one submission for review and tell its sender; raises
    :class:`WorkerStoppedError` when even that cannot be written."""
    reason = f"{type(error).__name__} at step {step}"
    log.error("submission %s failed: %s", submission_id, reason)  # no personal data
    try:
        with database.session() as session:
            submission = session.get_one(Submission, submission_id)
            if submission.state not in (SubmissionState.RECEIVED, SubmissionState.PROCESSING):
                return
            _mark_failed(session, submission, error, step=step, attempts=attempts)
    except Exception as fault:
        if not is_transient(fault):
            raise
        where = database.engine.url.render_as_string(hide_password=True)
        raise WorkerStoppedError(
            f"the database at {where} is unavailable ({type(fault).__name__}); "
            "run the worker again once it is back: it resumes where it stopped"
        ) from None


def _notice_sender(session: Session) -> str:
    try:
        return auth_service.agency_for_role(session, AgencyRole.CRIMINAL_REPOSITORY).ori
    except NotFoundError:  # a store with no agencies yet
        return UNKNOWN_FOLDER


def _mark_failed(
    session: Session, submission: Submission, error: BaseException, *, step: str, attempts: int
) -> None:
    at = utcnow()
    submission.state = SubmissionState.FAILED
    submission.attempts += attempts
    submission.claimed_by = None
    submission.claimed_until = None
    submission.failure = {
        "error": type(error).__name__,
        "message": str(error)[:500],
        "step": step,
        "at": at.isoformat(),
        "attempts": attempts,
    }
    file_at_fault = step == ACCEPT_STEP
    notice = "ERRT" if file_at_fault else "HELD"
    text = (
        f"the file could not be read ({type(error).__name__}): {str(error)[:200]}"
        if file_at_fault
        else "the submission could not be processed and is held for review; "
        "no answer will follow until an operator has retried it"
    )
    recipient = answer_folder(submission.sender)
    outbox.enqueue(
        session,
        message_type=notice,
        control_number=submission.external_key,
        sender=_notice_sender(session),
        recipient=recipient,
        created_at=submission.event_at,
        payload={
            "tcr": submission.external_key,
            "messages": [text[:300]],
            "problems": [{"field": "(submission)", "rule": f"failed.{step}", "message": text}],
        },
        submission_id=submission.id,
    )
    audit_service.record(
        session,
        kind="submission.failed",
        actor="worker",
        occurred_at=at,
        summary=f"submission {submission.id} held for review: {type(error).__name__} at {step}",
        details={"step": step, "error": type(error).__name__, "attempts": attempts},
    )


__all__ = [
    "ACCEPT_STEP",
    "RetryPolicy",
    "StepTracker",
    "StoreUnavailableError",
    "WorkerStoppedError",
    "fail_submission",
    "is_outage",
    "store_answers",
    "wait_for_store",
]
