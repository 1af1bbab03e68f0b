"""What every fault run shares: a store loaded with a world, worker processes to start
and kill, and the after-recovery check (nothing lost, nothing twice, the audit log
verifies), reported as one row per fault."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from securecomm.audit import chain as audit_chain
from securecomm.booking.models import Submission, SubmissionKind, SubmissionState
from securecomm.database import Database, open_database
from securecomm.interop.models import MailboxMessage, OutboxMessage, Transaction
from securecomm.repositories.models import ExaminerReview, ReviewStatus
from securecomm.simulation import runner
from securecomm.simulation.generate import build_world
from securecomm.simulation.world import World

REPORT = Path(os.environ.get("SECURECOMM_FAULTS_REPORT", "out/faults.json"))
OPEN = (SubmissionState.RECEIVED, SubmissionState.PROCESSING)
SPAWNED: list[subprocess.Popen[bytes]] = []  # reaped after each run, even a failed one


def spawn(
    arguments: list[str], log: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """A ``securecomm`` process writing to ``log``; the run's teardown ends it if the run
    did not (a failed run must not leave processes working on the next run's store)."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "securecomm", *arguments],
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, "COLUMNS": "100", **(env or {})},
        )
    SPAWNED.append(process)
    return process


def reap_spawned() -> None:
    while SPAWNED:
        process = SPAWNED.pop()
        if process.poll() is None:
            process.kill()
        process.wait()


@cache
def world(people: int = 500) -> World:
    return build_world(people=people, start=date(2008, 10, 1), end=date(2018, 12, 31), seed=17)


def load(url: str, tmp_path: Path) -> tuple[int, Path]:
    """The world's reference data and every event as a stored submission; returns how
    many were stored and the court docket the workers read."""
    database = open_database(url)
    links = runner.load_reference(database, world())
    stored = runner.enqueue_events(database, world(), links)
    database.dispose()
    return stored, runner.write_docket(world(), tmp_path / "docket.json")


@dataclass
class Workers:
    """``securecomm worker`` processes on one store, their output kept in files."""

    url: str
    docket: Path
    logs: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(
        self, count: int = 1, *, follow: bool = False, env: dict[str, str] | None = None
    ) -> None:
        for _ in range(count):
            arguments = ["worker", "--database-url", self.url, "--court-docket", str(self.docket)]
            log = self.logs / f"worker{len(self.processes)}.log"
            self.processes.append(spawn([*arguments, *(["--follow"] if follow else [])], log, env))

    def kill(self, number: int) -> None:
        self.processes[number].send_signal(signal.SIGKILL)
        self.processes[number].wait()

    def wait(self, timeout: float = 900) -> list[int]:
        """Every process's exit code once all have ended."""
        return [process.wait(timeout=timeout) for process in self.processes]

    def output(self, number: int) -> str:
        return (self.logs / f"worker{number}.log").read_text(errors="replace")[-3000:]


def settled(database: Database) -> int:
    """Submissions no longer open."""
    with database.session() as session:
        query = select(func.count()).where(Submission.state.not_in(OPEN))
        return session.scalar(query) or 0


def wait_until(condition: Callable[[], bool], *, timeout: float = 300, every: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the condition was not reached in time")
        time.sleep(every)


def in_flight(database: Database, pid: int | None = None) -> list[int]:
    """Submissions a worker has claimed and not finished (of one process, if given)."""
    query = select(Submission.id).where(
        Submission.state.in_(OPEN), Submission.claimed_by.is_not(None)
    )
    if pid is not None:
        query = query.where(Submission.claimed_by.like(f"%:{pid}:%"))
    with database.session() as session:
        return list(session.scalars(query))


def finished(database: Database, submission_ids: list[int]) -> bool:
    with database.session() as session:
        query = select(func.count()).where(
            Submission.id.in_(submission_ids), Submission.state.in_(OPEN)
        )
        return not session.scalar(query)


@dataclass
class Outcome:
    """After recovery: what was lost and what happened twice (each should be zero)."""

    submissions: int
    lost: int  # accepted and still open, failed, or finished without its answer
    duplicated: int  # a second transaction, delivery or answer for one submission
    awaiting_examiner: int  # parked on a pending examiner review (waiting, not lost)
    audit_verified: bool
    details: dict[str, object]  # counts, and the recorded fault of each failed submission


def outcome(database: Database) -> Outcome:
    with database.session() as session:
        states = dict(
            session.execute(select(Submission.state, func.count()).group_by(Submission.state)).all()
        )
        open_ = sum(states.get(state, 0) for state in OPEN)
        failed = states.get(SubmissionState.FAILED, 0)
        parked = states.get(SubmissionState.PARKED, 0)
        stranded = _parked_without_a_pending_review(session)
        unanswered = _bookings_without_an_answer(session)
        second_transactions = session.scalar(
            select(func.count()).select_from(
                select(Transaction.submission_id)
                .group_by(Transaction.submission_id)
                .having(func.count() > 1)
                .subquery()
            )
        )
        undelivered = session.scalar(
            select(func.count()).where(OutboxMessage.delivered_at.is_(None))
        )
        delivered = session.scalar(
            select(func.count()).where(OutboxMessage.delivered_at.is_not(None))
        )
        mailbox = session.scalar(select(func.count()).select_from(MailboxMessage))
        verification = audit_chain.verify(session, audit_chain.signer_from_settings().public_key)
        failures = _failures(session)
    details: dict[str, object] = {
        "open": open_,
        "failed": failed,
        "parked": parked,
        "parked_without_pending_review": stranded,
        "bookings_without_answer": unanswered,
        "second_transactions": second_transactions or 0,
        "undelivered": undelivered or 0,
        "delivered": delivered or 0,
        "mailbox": mailbox or 0,
        "failures": failures,
    }
    return Outcome(
        submissions=sum(states.values()),
        lost=open_ + failed + unanswered + (undelivered or 0) + stranded,
        duplicated=(second_transactions or 0) + max((mailbox or 0) - (delivered or 0), 0),
        awaiting_examiner=parked,
        audit_verified=verification.ok,
        details=details,
    )


def _failures(session: Session) -> list[dict[str, object]]:
    """Each failed submission's recorded fault (error class, message, step): a red fault
    run must say what broke, since the next fault's schema reset wipes the store."""
    rows = session.execute(
        select(Submission.id, Submission.external_key, Submission.failure).where(
            Submission.state == SubmissionState.FAILED
        )
    )
    return [{"id": id_, "key": key, **failure} for id_, key, failure in rows]


def _parked_without_a_pending_review(session: Session) -> int:
    """Parked submissions (a booking, or a follow-up waiting for it) whose booking has
    no examiner review pending: nothing would ever wake them."""
    waiting = set(
        session.scalars(
            select(Transaction.tcn)
            .join(ExaminerReview, ExaminerReview.transaction_id == Transaction.id)
            .where(ExaminerReview.status == ReviewStatus.PENDING)
        )
    )
    parked = session.scalars(
        select(Submission.external_key).where(Submission.state == SubmissionState.PARKED)
    )
    return sum(tcn not in waiting for tcn in parked)


def _bookings_without_an_answer(session: Session) -> int:
    """Finished bookings with no criminal answer (SRE) or refusal (ERRT) in the outbox."""
    keys = session.scalars(
        select(OutboxMessage.key).where(OutboxMessage.message_type.in_(("SRE", "ERRT")))
    )
    answered = {key.rsplit(":", 2)[0] for key in keys}  # TCN (or digest):TYPE:RECIPIENT
    finished_bookings = session.scalars(
        select(Submission.external_key).where(
            Submission.kind == SubmissionKind.BOOKING,
            Submission.state.in_((SubmissionState.DONE, SubmissionState.REJECTED)),
        )
    )
    return sum(tcn not in answered for tcn in finished_bookings)


def report(fault: str, *, in_flight: int, result: Outcome, recovered_in: float) -> None:
    """One row of the fault report (``make faults`` prints the table at the end)."""
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    rows = json.loads(REPORT.read_text()) if REPORT.exists() else []
    rows = [row for row in rows if row["fault"] != fault]
    rows.append(
        {
            "fault": fault,
            "in_flight": in_flight,
            "lost": result.lost,
            "duplicated": result.duplicated,
            "recovered_seconds": round(recovered_in, 2),
            "submissions": result.submissions,
            "audit_verified": result.audit_verified,
            "outcome": asdict(result)["details"],
        }
    )
    REPORT.write_text(json.dumps(rows, indent=2) + "\n")
