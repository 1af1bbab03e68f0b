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
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import ColumnElement, Connection, select, text, update
from sqlalchemy.sql.dml import ReturningUpdate

from securecomm.booking.models import (
    OPEN_PREDICATE,
    OPEN_STATES,
    Submission,
    SubmissionKind,
)
from securecomm.database import Database, utcnow
from securecomm.database.locks import order_lock, runs_in_parallel, unlock_or_drop

log = logging.getLogger("securecomm.worker")
# The first key of the two-key advisory locks on submissions (the second is the id).
SUBMISSION_LOCK_SPACE = 0x5EC0
CANDIDATES = 16  # open submissions looked at per claim (more when all are taken)


@dataclass(frozen=True)
class Claimed:
    """A submission a worker now drives alone, with what it needs to start on it."""

    id: int
    kind: SubmissionKind
    tcn: str  # the booking's TCN (a follow-up's booking)


class Claims:
    """A worker's claims: ``claim()`` yields the submission it now drives alone (None
    when none is open and free), and gives the claim up when the block ends."""

    def __init__(self, database: Database, worker_id: str, lease: timedelta) -> None:
        self._database = database
        self._worker_id = worker_id
        self._lease = lease
        self._parallel = runs_in_parallel(database.engine)

    @contextmanager
    def claim(self) -> Iterator[Claimed | None]:
        if not self._parallel:
            with order_lock(self._database.engine):
                yield self._claim_oldest()
            return
        # The lock lives on this connection: held while the block runs, then given back.
        with self._database.engine.connect() as connection:
            claimed = self._claim_free(connection)
            try:
                yield claimed
            finally:
                if claimed is not None:
                    unlock_or_drop(connection, SUBMISSION_LOCK_SPACE, claimed.id)

    def _claim_free(self, connection: Connection) -> Claimed | None:
        skip = 0
        while True:
            free, scanned = self._open_ids(offset=skip)
            if not scanned:
                return None
            for submission_id in free:
                if _try_lock(connection, submission_id):
                    claimed = self._mark_claimed(submission_id)
                    if claimed is not None:
                        return claimed
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
                .where(OPEN_PREDICATE)
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
                    OPEN_PREDICATE,
                )
                .order_by(Submission.event_at, Submission.seq, Submission.id)
            ):
                first_open.setdefault(key, submission_id)
        # A candidate finished by another worker since the first query is simply not free.
        free = [number for number, key in candidates if first_open.get(key) == number]
        return free, len(candidates)

    def _mark_claimed(self, submission_id: int) -> Claimed | None:
        """Record the claim on a submission still open, in one statement; None if it is
        no longer open. A worker whose lock went with its connection (a database
        restart) may still be driving it: the claim moves the row's version on, so that
        worker loses its next step to the version check."""
        with self._database.session() as session:
            claimed = session.execute(
                self._stamp(Submission.id == submission_id, Submission.state.in_(OPEN_STATES))
            ).first()
        return None if claimed is None else Claimed(claimed.id, claimed.kind, claimed.external_key)

    def _claim_oldest(self) -> Claimed | None:
        """Under the order lock: a lease left by another worker is one whose worker
        died, and is taken over (a worker that lost its lock and went on would lose
        every step to the version check)."""
        with self._database.session() as session:
            oldest = session.execute(
                select(Submission.id, Submission.claimed_by)
                .where(OPEN_PREDICATE)
                .order_by(Submission.event_at, Submission.seq, Submission.id)
                .limit(1)
            ).first()
            if oldest is None:
                return None
            if oldest.claimed_by not in (None, self._worker_id):
                log.warning("submission %s: taking over from %s", oldest.id, oldest.claimed_by)
            claimed = session.execute(self._stamp(Submission.id == oldest.id)).one()
            return Claimed(claimed.id, claimed.kind, claimed.external_key)

    def _stamp(self, *where: ColumnElement[bool]) -> ReturningUpdate[int, SubmissionKind, str]:
        """The claim as one UPDATE (no row loaded into the session, no flush), giving
        back what the worker needs to start on the submission."""
        return (
            update(Submission)
            .where(*where)
            .values(
                claimed_by=self._worker_id,
                claimed_until=utcnow() + self._lease,
                version=Submission.version + 1,
            )
            .returning(Submission.id, Submission.kind, Submission.external_key)
            .execution_options(synchronize_session=False)
        )

    def end(self, submission: Submission) -> None:
        """The claim ends with the drive, written by the drive's last unit of work with
        the submission's last change (a claim another worker took over is left alone).
        A drive that fails ends its claim with the failure (``guard.fail_submission``)."""
        if submission.claimed_by == self._worker_id:
            submission.claimed_by = None
            submission.claimed_until = None


def _try_lock(connection: Connection, submission_id: int) -> bool:
    taken = connection.scalar(
        text("SELECT pg_try_advisory_lock(:space, :id)"),
        {"space": SUBMISSION_LOCK_SPACE, "id": submission_id},
    )
    connection.commit()
    return bool(taken)
