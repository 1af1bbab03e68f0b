"""Which worker drives which submission.

On PostgreSQL workers run side by side. A worker claims a submission by taking a
session-level advisory lock on its id on a connection of its own, held while it drives
the submission: the server drops the lock the moment the worker's connection dies, so a
killed worker's submission is free again at once, with no lease to wait out. The oldest
open submissions are tried first, and a release or disposition is not claimed while an
earlier submission of the same booking is still open (it would act on a case that does
not exist yet, or out of turn).

On SQLite (one writer at a time) workers take turns under the order lock instead
(``database.locks``), one submission each, oldest first.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import Connection, select, text

from securecomm.booking.models import Submission, SubmissionState
from securecomm.database import Database, utcnow
from securecomm.database.locks import order_lock, runs_in_parallel, unlock_or_drop

log = logging.getLogger("securecomm.worker")
OPEN_STATES = (SubmissionState.RECEIVED, SubmissionState.PROCESSING)
# The first key of the two-key advisory locks on submissions (the second is the id).
SUBMISSION_LOCK_SPACE = 0x5EC0
CANDIDATES = 16  # open submissions looked at per claim (more when all are taken)


class Claims:
    """A worker's claims: ``claim()`` yields the id of the submission it now drives alone
    (None when none is open and free), and gives the claim up when the block ends."""

    def __init__(self, database: Database, worker_id: str, lease: timedelta) -> None:
        self._database = database
        self._worker_id = worker_id
        self._lease = lease
        self._parallel = runs_in_parallel(database.engine)

    @contextmanager
    def claim(self) -> Iterator[int | None]:
        if not self._parallel:
            with order_lock(self._database.engine):
                yield self._claim_oldest()
            return
        # The lock lives on this connection: held while the block runs, then given back.
        with self._database.engine.connect() as connection:
            submission_id = self._claim_free(connection)
            try:
                yield submission_id
            finally:
                if submission_id is not None:
                    unlock_or_drop(connection, SUBMISSION_LOCK_SPACE, submission_id)

    def _claim_free(self, connection: Connection) -> int | None:
        skip = 0
        while True:
            free, scanned = self._open_ids(offset=skip)
            if not scanned:
                return None
            for submission_id in free:
                if _try_lock(connection, submission_id):
                    if self._mark_claimed(submission_id):
                        return submission_id
                    # Finished by another worker meanwhile.
                    unlock_or_drop(connection, SUBMISSION_LOCK_SPACE, submission_id)
            skip += scanned

    def _open_ids(self, *, offset: int) -> tuple[list[int], int]:
        """Of the next open submissions in order, those not waiting for an earlier open
        submission of the same booking, and how many were looked at (two indexed
        queries, whatever the backlog)."""
        with self._database.session() as session:
            candidates = session.execute(
                select(Submission.id, Submission.external_key)
                .where(Submission.state.in_(OPEN_STATES))
                .order_by(Submission.event_at, Submission.seq, Submission.id)
                .offset(offset)
                .limit(CANDIDATES)
            ).all()
            if not candidates:
                return [], 0
            first_open: dict[str, int] = {}
            for submission_id, key in session.execute(
                select(Submission.id, Submission.external_key)
                .where(
                    Submission.external_key.in_({key for _, key in candidates}),
                    Submission.state.in_(OPEN_STATES),
                )
                .order_by(Submission.event_at, Submission.seq, Submission.id)
            ):
                first_open.setdefault(key, submission_id)
        # A candidate finished by another worker since the first query is simply not free.
        free = [number for number, key in candidates if first_open.get(key) == number]
        return free, len(candidates)

    def _mark_claimed(self, submission_id: int) -> bool:
        """Record the claim on a submission still open; False if it no longer is."""
        with self._database.session() as session:
            submission = session.get_one(Submission, submission_id)
            if submission.state not in OPEN_STATES:
                return False
            self._stamp(submission, utcnow())
            return True

    def _claim_oldest(self) -> int | None:
        """Under the order lock: a lease left by another worker is one whose worker
        died, and is taken over (a worker that lost its lock and went on would lose
        every step to the version check)."""
        with self._database.session() as session:
            query = (
                select(Submission)
                .where(Submission.state.in_(OPEN_STATES))
                .order_by(Submission.event_at, Submission.seq, Submission.id)
                .limit(1)
            )
            submission = session.scalar(query)
            if submission is None:
                return None
            self._stamp(submission, utcnow())
            return submission.id

    def _stamp(self, submission: Submission, now: datetime) -> None:
        if submission.claimed_by not in (None, self._worker_id):
            log.warning("submission %s: taking over from %s", submission.id, submission.claimed_by)
        submission.claimed_by = self._worker_id
        submission.claimed_until = now + self._lease


def _try_lock(connection: Connection, submission_id: int) -> bool:
    taken = connection.scalar(
        text("SELECT pg_try_advisory_lock(:space, :id)"),
        {"space": SUBMISSION_LOCK_SPACE, "id": submission_id},
    )
    connection.commit()
    return bool(taken)
