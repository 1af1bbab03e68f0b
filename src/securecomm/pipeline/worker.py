"""The worker: drives every stored submission through its flow, oldest first.

Submissions are taken oldest first (event time, then sequence), each driven to its end
in committed groups of steps before the next is taken. Several workers may share a
database (``pipeline.claims``): on PostgreSQL side by side, one submission each, on
SQLite taking turns. Every step's state change is compare-and-set on the row's version,
the in-memory galleries are brought level with what other workers enrolled before each
booking, and a booking about to enrol a new identity re-checks, under the enrolment
lock, what was enrolled since its search (``interop.context``). Killed at any moment, a
worker's submission is taken up by another from its persisted state.

Every step runs under one guard (``interop.guard``): a transient database fault is
retried with backoff; any other unexpected error marks that submission ``failed`` with
the error and the step, tells the sender, and the worker goes on with the next one.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from securecomm.audit import chain as audit_chain
from securecomm.audit.signing import CheckpointSigner
from securecomm.biometrics import MatchParameters
from securecomm.biometrics.sharded import ShardedGallery
from securecomm.booking.models import (
    OPEN_PREDICATE,
    OPEN_STATES,
    Submission,
    SubmissionKind,
    SubmissionState,
)
from securecomm.cases.field_office import field_office_step
from securecomm.cases.ports import ImmigrationCourt
from securecomm.config import get_settings
from securecomm.database import Database, reference
from securecomm.database.faults import is_store_full, is_transient
from securecomm.database.notify import WorkListener
from securecomm.interop import broker, flows, guard, outbox
from securecomm.interop.clock import BookingTimeClock, ServiceClock
from securecomm.interop.models import Transaction, TransactionState
from securecomm.logs import correlation
from securecomm.metrics import STEP_SECONDS
from securecomm.pipeline import followups
from securecomm.pipeline.claims import Claimed, Claims
from securecomm.pipeline.galleries import open_galleries
from securecomm.repositories import prints as print_store

log = logging.getLogger("securecomm.worker")

# Every booking step: the routing steps, then the field office's decision.
STEPS: dict[TransactionState, flows.StepFn] = {
    **flows.STEPS,
    TransactionState.RESPONDED: field_office_step,
}
_TRANSACTION_OF = select(Transaction).where(Transaction.submission_id == bindparam("submission"))


@dataclass
class _Carried:
    """A booking's submission and transaction, from one group's unit of work to the
    next: committed by the last, so current (``expire_on_commit`` is off)."""

    submission: Submission
    transaction: Transaction | None

    def attach(self, session: Session) -> None:
        session.add(self.submission)
        if self.transaction is not None:
            session.add(self.transaction)


@dataclass
class WorkerReport:
    submissions: int = 0
    steps: int = 0
    messages_delivered: int = 0
    failed: int = 0  # submissions held for review after an unexpected fault
    retried: int = 0  # transient faults retried
    store_outages: int = 0  # times the store stopped answering and the worker waited

    def add(self, other: WorkerReport) -> None:
        for name, value in vars(other).items():
            setattr(self, name, getattr(self, name) + value)


class Worker:
    def __init__(
        self,
        database: Database,
        *,
        court: ImmigrationCourt,
        transport: outbox.Transport | None = None,
        params: MatchParameters | None = None,
        dispatch_every: int = 50,
        gallery_dir: Path | None = None,
        save_every: int = 500,
        retry: guard.RetryPolicy | None = None,
        lease: timedelta = timedelta(minutes=2),
        clock: ServiceClock | None = None,
        signer: CheckpointSigner | None = None,
        seal_every: int | None = None,
        officers_decide: bool = False,
        store_patience: float = 300.0,
        gallery_shards: int | None = None,
    ) -> None:
        """``gallery_dir`` keeps the galleries on disk between runs (opened and brought
        level with the database instead of rebuilt); without it they are rebuilt.
        ``officers_decide``: a detainer the rules call for waits for an ICE officer to
        lodge it (the service) instead of being lodged as the rules say (batch runs).
        ``store_patience``: seconds to wait for a store that stopped answering.
        ``gallery_shards``: split each gallery in this many Ray actors, rebuilt from the
        database (default: the setting; 0 keeps them in this process); with a
        ``gallery_dir`` each shard starts from its snapshot there (never written by the
        workers: `securecomm repositories snapshot` or `securecomm background` write it)."""
        self._store_patience = store_patience
        self._stopping = threading.Event()
        self._database = database
        self._officers_decide = officers_decide
        self._court = court
        self._transport = transport or broker.transport_from_settings(database)
        self._dispatch_every = dispatch_every
        self._save_every = save_every
        self._retry = retry or guard.RetryPolicy()
        self._clock = clock or BookingTimeClock()
        self._signer = signer or audit_chain.signer_from_settings()
        self._seal_every = seal_every or get_settings().audit_seal_every
        self.worker_id = f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.reader = f"worker:{self.worker_id}"  # the audit log's name for its gallery reads
        self._claims = Claims(database, self.worker_id, lease)
        self._listener = WorkListener(database.engine)
        opened = open_galleries(
            database,
            reader=self.reader,
            params=params,
            gallery_dir=gallery_dir,
            shards=get_settings().gallery_shards if gallery_shards is None else gallery_shards,
        )
        self.galleries = opened.galleries
        self.reconciled = opened.reconciled
        self._unrecorded_reads = opened.unrecorded_reads

    def close(self) -> None:
        """Give back what the worker holds outside its process (gallery shards, the
        connection that listens for work)."""
        self._listener.close()
        for gallery in (self.galleries.criminal, self.galleries.immigration):
            if isinstance(gallery, ShardedGallery):
                gallery.close()

    def _context(self) -> flows.FlowContext:
        return flows.FlowContext(self.galleries, self._clock, officers_decide=self._officers_decide)

    def save_galleries(self) -> None:
        """Persist stored galleries (a no-op for galleries rebuilt from the database)."""
        for gallery in (self.galleries.criminal, self.galleries.immigration):
            if gallery.path is not None:
                gallery.save()

    def pending(self) -> int:
        with self._database.session() as session:
            query = select(func.count()).select_from(Submission).where(OPEN_PREDICATE)
            return session.scalar(query) or 0

    def _run_once(
        self,
        *,
        limit: int | None,
        on_progress: Callable[[int], None] | None,
        after_each: Callable[[], object] | None,
        follow: bool,
        poll_seconds: float,
        done_before: int,
    ) -> WorkerReport:
        report = WorkerReport()
        self._record_start_reads()
        while (limit is None or report.submissions < limit) and not self._stopping.is_set():
            with self._claims.claim() as claimed:
                if claimed is not None:
                    self._drive_guarded(claimed, report)
            if claimed is None:
                if not follow:
                    break
                report.messages_delivered += self._dispatch()
                self._wait_for_work(poll_seconds)
                continue
            report.submissions += 1
            if report.submissions % self._dispatch_every == 0:
                report.messages_delivered += self._dispatch()
            if on_progress is not None:
                on_progress(done_before + report.submissions)
            if after_each is not None:
                after_each()
            if report.submissions % self._save_every == 0:
                self.save_galleries()
            if report.submissions % self._seal_every == 0:
                audit_chain.seal_now(self._database, self._signer)
        self.save_galleries()
        report.messages_delivered += self._dispatch()
        audit_chain.seal_now(self._database, self._signer)  # what this run recorded
        if isinstance(self._transport, outbox.ConnectedTransport):
            self._transport.close()  # opened again by the next run's first delivery
        return report

    def run(
        self,
        *,
        limit: int | None = None,
        on_progress: Callable[[int], None] | None = None,
        after_each: Callable[[], object] | None = None,
        follow: bool = False,
        poll_seconds: float = 1.0,
    ) -> WorkerReport:
        """Drive submissions until none is open (or ``limit``); with ``follow``, wait for
        more until :meth:`stop`. ``after_each`` runs between submissions, e.g. examiners
        deciding parked possible identifications. A store that stops answering (a
        restart, a full disk) is waited for, then the run goes on from the persisted
        states."""
        report = WorkerReport()
        outages_in_a_row = 0
        while True:
            try:
                report.add(
                    self._run_once(
                        limit=None if limit is None else limit - report.submissions,
                        on_progress=on_progress,
                        after_each=after_each,
                        follow=follow,
                        poll_seconds=poll_seconds,
                        done_before=report.submissions,
                    )
                )
                return report
            except Exception as error:
                if not guard.is_outage(error):
                    raise
                report.store_outages += 1
                log.warning("the store does not answer (%s); waiting", type(error).__name__)
                self.galleries.pending.clear()
                guard.wait_for_store(self._database, self._store_patience)
                # It answers, but a full disk answers too: each outage in a row waits longer.
                self._stopping.wait(min(0.25 * 2 ** min(outages_in_a_row, 6), 10.0))
                outages_in_a_row += 1

    def _record_start_reads(self) -> None:
        """The galleries' load at start, in the audit log with the run's first unit of
        work (a store that is full or restarting is waited for like any other write)."""
        if not self._unrecorded_reads:
            return
        with self._database.session() as session:
            for repository, subject_ids in self._unrecorded_reads.items():
                print_store.record_gallery_read(
                    session, reader=self.reader, repository=repository, subject_ids=subject_ids
                )
        self._unrecorded_reads = {}

    def _wait_for_work(self, poll_seconds: float) -> None:
        """Until new work is announced (PostgreSQL) or ``poll_seconds`` pass, in slices
        short enough that :meth:`stop` is heard."""
        if not self._listener.available:
            self._stopping.wait(poll_seconds)
            return
        deadline = time.monotonic() + poll_seconds
        while not self._stopping.is_set() and (left := deadline - time.monotonic()) > 0:
            if self._listener.wait(min(left, 0.5)):
                return

    def stop(self) -> None:
        """Finish the submission in hand, then return from :meth:`run` (any thread)."""
        self._stopping.set()

    def _dispatch(self) -> int:
        return outbox.dispatch(self._database, self._transport)

    def _drive_guarded(self, claimed: Claimed, report: WorkerReport) -> None:
        """Drive one submission; a transient fault is retried, anything else fails it."""
        tracker = guard.StepTracker()
        for attempt in self._retry.attempts():
            try:
                # The claim's copy of the row is current only until a unit commits.
                report.steps += self._drive(claimed, tracker, as_claimed=attempt == 1)
            except StaleDataError:
                self.galleries.pending.clear()
                return  # another worker moved it on: its step stands, this one rolled back
            except Exception as error:  # the guard: one bad submission never stops the queue
                self.galleries.pending.clear()
                if is_store_full(error):  # not this submission's fault: it stays open
                    raise guard.StoreUnavailableError("the store is full") from error
                if is_transient(error) and self._retry.again(attempt):
                    report.retried += 1
                    self._retry.wait(attempt)
                    continue
                if is_transient(error) and not guard.store_answers(self._database):
                    raise guard.StoreUnavailableError(str(error)[:200]) from error
                guard.fail_submission(
                    self._database, claimed.id, error, step=tracker.step, attempts=attempt
                )
                report.failed += 1
                return
            return

    def _drive(self, claimed: Claimed, tracker: guard.StepTracker, *, as_claimed: bool) -> int:
        token = correlation.set(claimed.tcn)  # every log line meanwhile carries the TCN
        try:
            with reference.read_as_of(*claimed.reference):  # as the claim read it
                first = claimed.submission_in if as_claimed else claimed.submission_read
                if claimed.kind is SubmissionKind.BOOKING:
                    return self._drive_booking(first, tracker)
                return followups.drive(self._database, first, tracker, self._court, self._claims)
        finally:
            correlation.reset(token)

    def _drive_booking(
        self, first: Callable[[Session], Submission], tracker: guard.StepTracker
    ) -> int:
        """Steps run in groups, one unit of work each: acceptance alone, then groups that
        end when a step enrolled a new identity (the galleries take it only once it is
        committed), when the booking waits for an examiner, or when it is done. A failure
        rolls its group back; the steps are deterministic and their messages keyed, so
        the group simply runs again. The submission and its transaction, as a group
        committed them, go on to the next group's unit without being read again (the
        version check still guards every change)."""
        steps = 0
        carried: _Carried | None = None
        while True:
            self.galleries.unit_syncs.clear()
            try:
                with self._database.session(hold_rows=True) as session:
                    if carried is None:
                        carried = _Carried(first(session), None)
                    else:
                        carried.attach(session)
                    done, finished = self._booking_group(session, carried, tracker)
                    steps += done
            except BaseException:
                self.galleries.pending.clear()
                self.galleries.undo_unit_syncs()
                raise
            self.galleries.apply_pending()
            if finished:
                return steps

    def _booking_group(
        self, session: Session, carried: _Carried, tracker: guard.StepTracker
    ) -> tuple[int, bool]:
        """Run steps in one session; (steps run, whether the booking needs no more now:
        then the claim ends in the same unit of work)."""
        steps, finished = self._group_steps(session, carried, tracker)
        if finished:
            self._claims.end(carried.submission)
        return steps, finished

    def _group_steps(
        self, session: Session, carried: _Carried, tracker: guard.StepTracker
    ) -> tuple[int, bool]:
        steps = 0
        submission = carried.submission
        while not self.galleries.pending:
            if submission.state is SubmissionState.RECEIVED:
                tracker.step = "accept"
                with STEP_SECONDS.labels("accept").time():
                    flows.accept_booking(session, submission)
                # Accepted is committed on its own: a later failure is retried from here.
                return steps + 1, submission.state not in OPEN_STATES
            if submission.state is not SubmissionState.PROCESSING:
                return steps, True
            if carried.transaction is None:
                carried.transaction = session.scalars(
                    _TRANSACTION_OF, {"submission": submission.id}
                ).one()
            transaction = carried.transaction
            if transaction.state.terminal:
                submission.state = SubmissionState.DONE
                followups.release_parked(session, transaction.tcn)
                return steps, True
            before = transaction.state
            tracker.step = str(before)
            if before is TransactionState.VALIDATED:
                self.galleries.sync(session)  # what other workers enrolled
            with STEP_SECONDS.labels(str(before)).time():
                STEPS[before](session, transaction, self._context())
            steps += 1
            if transaction.state is before:  # an examiner has not decided yet
                submission.state = SubmissionState.PARKED
                return steps, True
        return steps, False
