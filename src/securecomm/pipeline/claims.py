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
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Integer,
    Row,
    Table,
    bindparam,
    exists,
    inspect,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.orm import Session, make_transient_to_detached

from securecomm.booking.models import OPEN_PREDICATE, Submission, SubmissionKind
from securecomm.database import Database, utcnow
from securecomm.database.locks import (
    lock_connection,
    order_lock,
    runs_in_parallel,
    unlock_or_drop,
)
from securecomm.database.reference import stamp_columns

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
    reference: tuple[str, int]  # the reference tables' revision at the claim
    # The submission's columns as the claim's UPDATE left them.
    columns: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, row: Row[Any]) -> Claimed:
        found = row._mapping
        return cls(
            row.id,
            row.kind,
            row.external_key,
            (row.reference_epoch, row.reference_revision),
            {column.key: found[column.key] for column in _SUBMISSIONS.c},
        )

    def submission_in(self, session: Session) -> Submission:
        """The claimed submission in ``session`` as the claim returned it, with no read:
        the row as loaded, so a change is compare-and-set on the version it had."""
        values = {_ATTRIBUTE_OF[column]: value for column, value in self.columns.items()}
        submission = Submission(**values)
        make_transient_to_detached(submission)
        session.add(submission)
        return submission

    def submission_read(self, session: Session) -> Submission:
        """The claimed submission read again (when a unit after the claim committed)."""
        return session.get_one(Submission, self.id)


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
        # The claim's reads run on it too, each committing alone: they need no snapshot
        # (a row gone or moved on meanwhile is simply not claimed).
        with lock_connection(self._database.engine) as connection:
            claimed = self._claim_free(connection)
            try:
                yield claimed
            finally:
                if claimed is not None:
                    unlock_or_drop(connection, SUBMISSION_LOCK_SPACE, claimed.id)

    def _claim_free(self, connection: Connection) -> Claimed | None:
        skip = 0
        while True:
            free = _free_ids(connection, offset=skip)
            if not free:
                return None
            for submission_id in free:
                if _try_lock(connection, submission_id):
                    claimed = self._mark_claimed(connection, submission_id)
                    if claimed is not None:
                        return claimed
                    # Finished by another worker meanwhile.
                    unlock_or_drop(connection, SUBMISSION_LOCK_SPACE, submission_id)
            skip += len(free)

    def _mark_claimed(self, connection: Connection, submission_id: int) -> Claimed | None:
        """Record the claim on a submission still open, in one statement; None if it is
        no longer open. A worker whose lock went with its connection (a database
        restart) may still be driving it: the claim moves the row's version on, so that
        worker loses its next step to the version check."""
        claimed = connection.execute(_STAMP_IF_OPEN, self._stamp(submission_id)).first()
        return None if claimed is None else Claimed.of(claimed)

    def _claim_oldest(self) -> Claimed | None:
        """Under the order lock: a lease left by another worker is one whose worker
        died, and is taken over (a worker that lost its lock and went on would lose
        every step to the version check)."""
        with self._database.engine.begin() as connection:
            oldest = connection.execute(_OLDEST_OPEN).first()
            if oldest is None:
                return None
            if oldest.claimed_by not in (None, self._worker_id):
                log.warning("submission %s: taking over from %s", oldest.id, oldest.claimed_by)
            return Claimed.of(connection.execute(_STAMP, self._stamp(oldest.id)).one())

    def _stamp(self, submission_id: int) -> dict[str, object]:
        """The claim's parameters (statements below)."""
        return {
            "submission": submission_id,
            "worker": self._worker_id,
            "until": utcnow() + self._lease,
        }

    def end(self, submission: Submission) -> None:
        """The claim ends with the drive, written by the drive's last unit of work with
        the submission's last change (a claim another worker took over is left alone).
        A drive that fails ends its claim with the failure (``guard.fail_submission``)."""
        if submission.claimed_by == self._worker_id:
            submission.claimed_by = None
            submission.claimed_until = None


def _free_ids(connection: Connection, *, offset: int) -> list[int]:
    """The next open submissions in order that wait for no earlier open submission of
    the same booking (one indexed query, whatever the backlog)."""
    return list(connection.scalars(_NEXT_FREE, {"skip": offset}))


def _try_lock(connection: Connection, submission_id: int) -> bool:
    taken = connection.scalar(_TRY_LOCK, {"space": SUBMISSION_LOCK_SPACE, "id": submission_id})
    return bool(taken)


# The claim's statements, built once: on the table (no row loaded into a session, no
# flush), with the open states written as the partial index's own predicate.
_SUBMISSIONS = cast(Table, Submission.__table__)
_TRY_LOCK = text("SELECT pg_try_advisory_lock(:space, :id)")
_IN_ORDER = (_SUBMISSIONS.c.event_at, _SUBMISSIONS.c.seq, _SUBMISSIONS.c.id)
# An earlier open submission of the same booking (a follow-up waits for its booking,
# or for the follow-up before it): its state test qualified, the index's own words.
_EARLIER = _SUBMISSIONS.alias("earlier")
_EARLIER_OPEN = text(f"earlier.{OPEN_PREDICATE.text}")
_NEXT_FREE = (
    select(_SUBMISSIONS.c.id)
    .where(
        OPEN_PREDICATE,
        ~exists().where(
            _EARLIER.c.external_key == _SUBMISSIONS.c.external_key,
            _EARLIER_OPEN,
            tuple_(_EARLIER.c.event_at, _EARLIER.c.seq, _EARLIER.c.id) < tuple_(*_IN_ORDER),
        ),
    )
    .order_by(*_IN_ORDER)
    .offset(bindparam("skip", type_=Integer))
    .limit(CANDIDATES)
)
# SQLite's planner, without ANALYZE statistics, takes the index on state and sorts
# every open submission at each claim (1 ms with 1,000 open of 50,000); named, the
# partial index gives the oldest at once (0.03 ms). SQLite's own words: this statement
# runs only there.
_OLDEST_OPEN = text(
    "SELECT id, claimed_by FROM submissions INDEXED BY ix_submissions_open_order "
    f"WHERE {OPEN_PREDICATE.text} ORDER BY event_at, seq, id LIMIT 1"
).columns(_SUBMISSIONS.c.id, _SUBMISSIONS.c.claimed_by)
# The claim as one UPDATE giving back the submission, whole (the first unit of work
# takes it from here), and the reference tables' revision, which the units of work
# then need not ask for.
_STAMP = (
    update(_SUBMISSIONS)
    .where(_SUBMISSIONS.c.id == bindparam("submission"))
    .values(
        claimed_by=bindparam("worker"),
        claimed_until=bindparam("until"),
        version=_SUBMISSIONS.c.version + 1,
    )
    .returning(*_SUBMISSIONS.c, *stamp_columns())
)
# Submission's attribute for each of its columns.
_ATTRIBUTE_OF = {
    attribute.columns[0].key: attribute.key for attribute in inspect(Submission).column_attrs
}
_STAMP_IF_OPEN = _STAMP.where(OPEN_PREDICATE)
