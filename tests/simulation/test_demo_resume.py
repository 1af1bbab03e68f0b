"""kill -9 of ``securecomm demo`` mid-flow: the court's docket is in the store, so a
plain ``securecomm worker`` can finish the run, and running the same demo command again
resumes it; either way the result equals an uninterrupted run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from securecomm.auth.models import Agency
from securecomm.booking.models import Submission, SubmissionState
from securecomm.cases import service as case_service
from securecomm.database import Database, open_database
from securecomm.domain import AgencyRole
from securecomm.interop.models import Transaction
from securecomm.simulation import demo_store
from securecomm.simulation.demo import DemoOptions, run_demo
from securecomm.simulation.models import DemoRun, DemoStage

pytestmark = pytest.mark.system  # several processes at once: `make system`

WORLD = [
    *("--people", "90", "--seed", "5", "--population", "dense"),
    *("--start", "2010-06-01", "--end", "2016-06-30"),
    *("--large-world", "0"),
]
VOLATILE = {"seconds", "phase_seconds", "resumed_from"}


def _command(url: str, out: Path, *more: str) -> list[str]:
    return [sys.executable, "-m", "securecomm", *more, "--database-url", url]


def _demo(url: str, out: Path) -> list[str]:
    return [*_command(url, out, "demo", *WORLD, "--output-dir", str(out)), "--json"]


def _progress(database: Database) -> tuple[DemoStage | None, int, int]:
    with database.session() as session:
        run = session.scalars(select(DemoRun)).first()
        finished = session.scalar(
            select(func.count()).where(
                Submission.state.in_([SubmissionState.DONE, SubmissionState.REJECTED])
            )
        )
        total = session.scalar(select(func.count()).select_from(Submission))
    return (None if run is None else run.stage), finished or 0, total or 0


def _kill_mid_flow(url: str, out: Path) -> None:
    log = out / "demo.log"
    out.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as output:
        process = subprocess.Popen(
            _demo(url, out), stdout=output, stderr=subprocess.STDOUT, env=os.environ.copy()
        )
    database = open_database(url)
    try:
        deadline = time.monotonic() + 300
        while process.poll() is None:
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            stage, finished, total = _progress(database)
            if stage is DemoStage.RECEIVED and total and finished >= total // 3:
                break
            time.sleep(0.05)
        assert process.poll() is None, "the demo finished before it could be killed"
        process.send_signal(signal.SIGKILL)
        process.wait()
        stage, finished, total = _progress(database)
        assert stage is DemoStage.RECEIVED
        assert finished < total
        with database.session() as session:
            assert case_service.docket(session), "the court's docket is in the store"
    finally:
        database.dispose()


def _stable(summary: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in summary.items() if key not in VOLATILE}


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("clean")
    database = open_database(f"sqlite:///{out / 'clean.sqlite'}")
    try:
        options = DemoOptions(
            population="dense",
            people=90,
            seed=5,
            start=date(2010, 6, 1),
            end=date(2016, 6, 30),
            output_dir=out,
            large_world=0,
        )
        return run_demo(database, options).summary()
    finally:
        database.dispose()


def test_a_killed_demo_resumes_when_run_again(
    tmp_path: Path, uninterrupted: dict[str, Any]
) -> None:
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    _kill_mid_flow(url, tmp_path)
    again = subprocess.run(_demo(url, tmp_path), capture_output=True, text=True, check=False)
    assert again.returncode == 0, again.stderr[-3000:]
    summary = json.loads(again.stdout)
    assert summary["resumed_from"] == "received"
    assert summary["ground_truth_mismatches"] == 0
    assert _stable(summary) == _stable(uninterrupted)
    database = open_database(url)
    try:
        with database.session() as session:
            transactions = session.scalar(select(func.count()).select_from(Transaction))
        assert transactions == summary["bookings"] - summary["rejected_submissions"]
    finally:
        database.dispose()


def test_a_plain_worker_finishes_a_killed_demo_from_the_stored_docket(
    tmp_path: Path, uninterrupted: dict[str, Any]
) -> None:
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    _kill_mid_flow(url, tmp_path)
    worker = subprocess.run(
        _command(url, tmp_path, "worker", "--gallery-dir", str(tmp_path / "galleries")),
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,  # no out/court_docket.json to be found here
    )
    assert worker.returncode == 0, worker.stderr[-3000:]
    database = open_database(url)
    try:
        _stage, finished, total = _progress(database)
    finally:
        database.dispose()
    assert finished == total
    again = subprocess.run(_demo(url, tmp_path), capture_output=True, text=True, check=False)
    assert again.returncode == 0, again.stderr[-3000:]
    assert _stable(json.loads(again.stdout)) == _stable(uninterrupted)


def test_a_store_holding_work_no_demo_loaded_is_refused(tmp_path: Path) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'other.sqlite'}")
    try:
        with database.session() as session:
            session.add(Agency(ori="TX0000000", name="A sheriff", role=AgencyRole.LOCAL_AGENCY))
        with pytest.raises(demo_store.DemoStoreError, match="no demo loaded"):
            demo_store.stage_reached(database, DemoOptions().world_options())
    finally:
        database.dispose()


def test_a_store_holding_another_world_is_refused_by_name(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    database = open_database(url)
    try:
        ours = DemoOptions(people=90, seed=5).world_options()
        assert demo_store.stage_reached(database, ours) is None
        demo_store.mark(database, DemoStage.RECEIVED)
        other = DemoOptions(people=90, seed=6).world_options()
        with pytest.raises(demo_store.DemoStoreError, match="--seed 5"):
            demo_store.stage_reached(database, other)
        assert demo_store.resumable(database, ours)
        assert not demo_store.resumable(database, other)
    finally:
        database.dispose()
