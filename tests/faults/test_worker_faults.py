"""Faults while two workers share a PostgreSQL store: a worker killed with SIGKILL in the
middle of a submission, the database server restarted under them, and a Ray actor
holding a gallery shard killed during searches. After recovery
every accepted submission has exactly one final answer, nothing happened twice, every
message was delivered once, and the audit log verifies."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from harness import Workers, finished, in_flight, load, outcome, report, settled, wait_until
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from securecomm.database import Database, open_database


def test_a_worker_killed_mid_submission_loses_nothing(fault_store: str, tmp_path: Path) -> None:
    stored, docket = load(fault_store, tmp_path)
    database = open_database(fault_store)
    workers = Workers(fault_store, docket, tmp_path)
    workers.start(2)
    victim = workers.processes[0].pid
    wait_until(lambda: settled(database) > stored // 4)
    wait_until(lambda: _stopped_mid_submission(database, victim))
    workers.kill(0)
    killed_at = time.monotonic()
    held = in_flight(database, victim)  # claimed by the dead worker, not finished
    workers.start(1)  # as a supervisor would; the survivor takes the held one over at once
    wait_until(lambda: finished(database, held))
    recovered = time.monotonic() - killed_at
    codes = workers.wait()
    assert codes[1:] == [0, 0], workers.output(1) + workers.output(2)

    result = outcome(database)
    report(
        "worker killed (SIGKILL) mid-submission",
        in_flight=len(held),
        result=result,
        recovered_in=recovered,
    )
    database.dispose()
    assert held, "the worker was killed between submissions: nothing was in flight"
    assert result.submissions == stored
    assert (result.lost, result.duplicated) == (0, 0), result.details
    assert result.details["failed"] == 0
    assert result.audit_verified


def _stopped_mid_submission(database: Database, pid: int) -> bool:
    """Freeze the worker and keep it frozen if it holds a submission; otherwise let it go
    on (it finishes a submission in milliseconds: between a look and a kill it may have
    finished the one it held)."""
    os.kill(pid, signal.SIGSTOP)
    if in_flight(database, pid):
        return True
    os.kill(pid, signal.SIGCONT)
    return False


def _cluster() -> list[str]:
    """The local PostgreSQL cluster's version and name (Debian's pg_ctlcluster)."""
    if shutil.which("pg_lsclusters") is None:
        pytest.skip("no pg_ctlcluster here to restart PostgreSQL with")
    line = subprocess.run(
        ["pg_lsclusters", "--no-header"], check=True, capture_output=True, text=True
    ).stdout.split("\n")[0]
    version, name = line.split()[:2]
    return [version, name]


def _settled_or_none(database: Database) -> int | None:
    try:
        return settled(database)
    except DBAPIError:
        return None


def test_postgresql_restarted_under_two_workers_loses_nothing(
    fault_store: str, tmp_path: Path
) -> None:
    if make_url(fault_store).host not in ("127.0.0.1", "localhost", None):
        pytest.skip("the fault run restarts only a PostgreSQL server on this machine")
    cluster = _cluster()
    stored, docket = load(fault_store, tmp_path)
    database = open_database(fault_store)
    workers = Workers(fault_store, docket, tmp_path)
    workers.start(2)
    wait_until(lambda: settled(database) > stored // 4)
    flying = len(in_flight(database))
    restarted_at = time.monotonic()
    subprocess.run(["pg_ctlcluster", *cluster, "restart"], check=True, timeout=120)
    database.engine.dispose()  # the test's own pooled connections died with the server
    before = _settled_or_none(database) or 0
    wait_until(lambda: (_settled_or_none(database) or 0) > before, timeout=120)
    recovered = time.monotonic() - restarted_at
    codes = workers.wait()
    assert codes == [0, 0], workers.output(0) + workers.output(1)

    result = outcome(database)
    report(
        "PostgreSQL restarted during a run", in_flight=flying, result=result, recovered_in=recovered
    )
    database.dispose()
    assert result.submissions == stored
    assert (result.lost, result.duplicated) == (0, 0), result.details
    assert result.details["failed"] == 0
    assert result.audit_verified


def _shard_processes() -> list[int]:
    """Processes of gallery shard actors (Ray titles them after the actor's class)."""
    found = subprocess.run(
        ["pgrep", "-f", "ray::GalleryShard"], capture_output=True, text=True, check=False
    )
    return [int(pid) for pid in found.stdout.split()]


def test_a_gallery_shard_killed_during_searches_loses_nothing(
    fault_store: str, tmp_path: Path
) -> None:
    stored, docket = load(fault_store, tmp_path)
    database = open_database(fault_store)
    workers = Workers(fault_store, docket, tmp_path)
    workers.start(2, env={"SECURECOMM_GALLERY_SHARDS": "3"})
    wait_until(lambda: settled(database) > stored // 4 and len(_shard_processes()) >= 12)
    flying = len(in_flight(database))
    shards_before = set(_shard_processes())
    victim = sorted(shards_before)[0]
    os.kill(victim, signal.SIGKILL)
    killed_at = time.monotonic()
    before = settled(database)
    wait_until(lambda: len(set(_shard_processes()) - shards_before) >= 1, timeout=120)
    wait_until(lambda: settled(database) > before, timeout=120)
    recovered = time.monotonic() - killed_at
    codes = workers.wait()
    assert codes == [0, 0], workers.output(0) + workers.output(1)

    result = outcome(database)
    report(
        "gallery shard (Ray actor) killed mid-search",
        in_flight=flying,
        result=result,
        recovered_in=recovered,
    )
    database.dispose()
    assert result.submissions == stored
    assert (result.lost, result.duplicated) == (0, 0), result.details
    assert result.details["failed"] == 0
    assert result.audit_verified
