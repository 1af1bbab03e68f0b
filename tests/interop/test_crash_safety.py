"""Kill the worker with SIGKILL mid-run, restart it, and show every transaction finished
exactly once: no lost booking, no duplicated arrest, identity, message or case."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from world_fixtures import small_world

from securecomm.booking.models import Submission, SubmissionState
from securecomm.cases.models import Case
from securecomm.database import Database
from securecomm.interop.models import MailboxMessage, OutboxMessage, Transaction
from securecomm.oversight import statistics
from securecomm.repositories.models import Arrest, CriminalSubject
from securecomm.simulation import runner, scoring

pytestmark = pytest.mark.system  # several processes at once: `make system`

KILLS = 3


def _start_worker(db_url: str, docket: Path, log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "securecomm", "worker", "--database-url", db_url]
    command += ["--gallery-dir", str(log.parent / "galleries")]  # unsaved rows reconciled
    with log.open("ab") as output:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [*command, "--court-docket", str(docket)],
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, "COLUMNS": "100"},
        )


def _done(database: Database) -> int:
    with database.session() as session:
        query = select(func.count()).where(
            Submission.state.in_([SubmissionState.DONE, SubmissionState.REJECTED])
        )
        return session.scalar(query) or 0


def test_sigkilled_worker_resumes_and_finishes_everything_exactly_once(
    database: Database, db_url: str, tmp_path: Path
) -> None:
    world = small_world()
    links = runner.load_reference(database, world)
    total = runner.enqueue_events(database, world, links, invalid_fraction=0.02)
    docket = runner.write_docket(world, tmp_path / "docket.json")
    log = tmp_path / "worker.log"

    kills = 0
    for kill in range(KILLS):
        target = total * (kill + 1) // (KILLS + 1)
        process = _start_worker(db_url, docket, log)
        deadline = time.monotonic() + 240
        while _done(database) < target and process.poll() is None:
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.05)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            process.wait()
            kills += 1
    assert kills == KILLS, "the worker finished before it could be killed"
    assert _done(database) < total

    final = _start_worker(db_url, docket, log)
    assert final.wait(timeout=600) == 0, log.read_text()[-3000:]
    assert _done(database) == total

    with database.session() as session:
        accepted = [e for e in world.bookings if e.tcn not in links.invalid_tcns]
        assert session.scalar(select(func.count()).select_from(Transaction)) == len(accepted)
        assert session.scalar(select(func.count()).select_from(Arrest)) == len(accepted) + sum(
            len({c.incident_id for c in r.history.charges}) for r in world.criminal_records
        )
        booked_people = {world.truth.booking_person[e.tcn] for e in accepted}
        new_people = booked_people - {r.person_id for r in world.criminal_records}
        subjects = session.scalar(select(func.count()).select_from(CriminalSubject))
        assert subjects == len(world.criminal_records) + len(new_people)
        assert session.scalar(select(func.count()).select_from(Case)) == session.scalar(
            select(func.count()).where(Transaction.immigration_subject_id.is_not(None))
        )
        outbox_count = session.scalar(select(func.count()).select_from(OutboxMessage))
        undelivered = session.scalar(
            select(func.count()).where(OutboxMessage.delivered_at.is_(None))
        )
        mailbox_count = session.scalar(select(func.count()).select_from(MailboxMessage))
        assert undelivered == 0
        assert mailbox_count == outbox_count
        actual = statistics.compute(session)
        expectation = scoring.expected_statistics(world, links)
        accuracy = scoring.score_identifications(session, world, links, expectation)
    assert scoring.mismatched_cells(actual, expectation.statistics) == []
    assert accuracy.missed_identifications == 0
    assert accuracy.wrong_identifications == 0
