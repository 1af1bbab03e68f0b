"""Two and four ``securecomm worker`` processes on one database (SQLite and PostgreSQL):
every submission gets exactly one final answer, no decision, message or audit event is
written twice, and the statistics equal a single-worker run of the same world."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import func, select
from world_fixtures import small_world

from securecomm.audit.models import AuditEvent
from securecomm.booking.models import Submission, SubmissionState
from securecomm.database import Database, open_database
from securecomm.interop.models import DecisionRecord, OutboxMessage
from securecomm.oversight import statistics
from securecomm.pipeline.worker import Worker
from securecomm.simulation import runner
from securecomm.simulation.court import SimulatedImmigrationCourt

pytestmark = pytest.mark.system  # several processes at once: `make system`


@cache
def _single_worker_cells() -> dict[str, int]:
    """The same world through one worker (computed once per session)."""
    database = open_database(f"sqlite:///{tempfile.mkdtemp()}/single.sqlite")
    world = small_world()
    links = runner.load_reference(database, world)
    runner.enqueue_events(database, world, links, invalid_fraction=0.02)
    Worker(database, court=SimulatedImmigrationCourt(world)).run()
    with database.session() as session:
        cells = statistics.compute(session).cells()
    database.dispose()
    return cells


@pytest.mark.parametrize("workers", [2, 4])
def test_several_workers_finish_everything_once_with_single_worker_statistics(
    database: Database,
    db_url: str,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    workers: int,
) -> None:
    world = small_world()
    links = runner.load_reference(database, world)
    total = runner.enqueue_events(database, world, links, invalid_fraction=0.02)
    docket = runner.write_docket(world, tmp_path / "docket.json")
    command = [sys.executable, "-m", "securecomm", "worker", "--database-url", db_url]
    logs = [tmp_path / f"worker{n}.log" for n in range(workers)]
    processes = []
    for log in logs:
        with log.open("wb") as output:
            processes.append(
                subprocess.Popen(
                    [*command, "--court-docket", str(docket)],
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    env={**os.environ, "COLUMNS": "100"},
                )
            )
    _all_end_cleanly(processes, logs)

    with database.session() as session:
        states = dict(
            session.execute(select(Submission.state, func.count()).group_by(Submission.state)).all()
        )
        assert set(states) <= {SubmissionState.DONE, SubmissionState.REJECTED}, states
        assert sum(states.values()) == total
        duplicated_decisions = session.execute(
            select(DecisionRecord.transaction_id, DecisionRecord.case_id, DecisionRecord.kind)
            .group_by(DecisionRecord.transaction_id, DecisionRecord.case_id, DecisionRecord.kind)
            .having(func.count() > 1)
        ).all()
        assert duplicated_decisions == []
        duplicated_events = session.execute(
            select(AuditEvent.transaction_id, AuditEvent.case_id, AuditEvent.kind)
            .where(AuditEvent.transaction_id.is_not(None))
            .group_by(AuditEvent.transaction_id, AuditEvent.case_id, AuditEvent.kind)
            .having(func.count() > 1)
        ).all()
        assert duplicated_events == []
        undelivered = session.scalar(
            select(func.count()).where(OutboxMessage.delivered_at.is_(None))
        )
        assert undelivered == 0
        cells = statistics.compute(session).cells()
    assert cells == _single_worker_cells()


def test_two_workers_with_gallery_shards_give_the_single_worker_statistics(
    database: Database, db_url: str, tmp_path: Path
) -> None:
    """Each worker's galleries split in three Ray actors, rebuilt from the database."""
    world = small_world()
    links = runner.load_reference(database, world)
    total = runner.enqueue_events(database, world, links, invalid_fraction=0.02)
    docket = runner.write_docket(world, tmp_path / "docket.json")
    command = [sys.executable, "-m", "securecomm", "worker", "--database-url", db_url]
    command += ["--court-docket", str(docket), "--shards", "3"]
    logs = [tmp_path / f"worker{n}.log" for n in range(2)]
    processes = []
    for log in logs:
        with log.open("wb") as output:
            processes.append(
                subprocess.Popen(
                    command, stdout=output, stderr=subprocess.STDOUT, env={**os.environ}
                )
            )
    _all_end_cleanly(processes, logs)
    with database.session() as session:
        done = session.scalar(
            select(func.count()).where(
                Submission.state.in_([SubmissionState.DONE, SubmissionState.REJECTED])
            )
        )
        assert done == total
        assert statistics.compute(session).cells() == _single_worker_cells()


def _all_end_cleanly(processes: list[subprocess.Popen[bytes]], logs: list[Path]) -> None:
    """Each worker exits 0; one that failed does not leave the others running into the
    next test's store."""
    try:
        for process, log in zip(processes, logs, strict=True):
            assert process.wait(timeout=600) == 0, log.read_text()[-3000:]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
            process.wait()
