"""Throughput with several worker processes sharing one PostgreSQL store (issue 17).

For each worker count, a fresh database gets the demo's world (published population,
template-level bookings, a court docket), then that many ``securecomm worker`` processes
are started together and timed until the last one exits. Reported: submissions and
bookings per second, with and without the processes' start-up (measured as a worker
started on the finished store, which finds nothing to do), and checks that every
submission ended once: no open submission left, no decision, audit event or message
written twice.

    .venv/bin/python benchmarks/bench_workers.py [--workers 1,2,4] [--people 3000]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench_flow import _postgres
from sqlalchemy import func, select

from securecomm.audit.models import AuditEvent
from securecomm.booking.models import Submission, SubmissionState
from securecomm.database import open_database
from securecomm.interop.models import DecisionRecord, OutboxMessage
from securecomm.simulation import runner
from securecomm.simulation.generate import build_world
from securecomm.simulation.world import BookingEvent


def _start_workers(count: int, url: str, docket: Path, logs: Path) -> list[subprocess.Popen[bytes]]:
    command = [sys.executable, "-m", "securecomm", "worker", "--database-url", url]
    processes = []
    for number in range(count):
        with (logs / f"worker{number}.log").open("wb") as output:
            processes.append(
                subprocess.Popen(
                    [*command, "--court-docket", str(docket)],
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    env={**os.environ, "COLUMNS": "100"},
                )
            )
    return processes


def _wait(processes: list[subprocess.Popen[bytes]], logs: Path) -> None:
    for number, process in enumerate(processes):
        if process.wait(timeout=3600) != 0:
            log = (logs / f"worker{number}.log").read_text()[-3000:]
            raise SystemExit(f"worker {number} failed:\n{log}")


def _checks(url: str) -> dict[str, int]:
    database = open_database(url)
    with database.session() as session:
        states = dict(
            session.execute(select(Submission.state, func.count()).group_by(Submission.state)).all()
        )
        twice_decided = session.execute(
            select(DecisionRecord.scope).group_by(DecisionRecord.scope).having(func.count() > 1)
        ).all()
        twice_audited = session.execute(
            select(AuditEvent.key)
            .where(AuditEvent.key.is_not(None))
            .group_by(AuditEvent.key)
            .having(func.count() > 1)
        ).all()
        undelivered = session.scalar(
            select(func.count()).where(OutboxMessage.delivered_at.is_(None))
        )
    database.dispose()
    return {
        "open": states.get(SubmissionState.RECEIVED, 0),
        "processing": states.get(SubmissionState.PROCESSING, 0),
        "parked": states.get(SubmissionState.PARKED, 0),
        "failed": states.get(SubmissionState.FAILED, 0),
        "duplicated_decisions": len(twice_decided),
        "duplicated_audit_events": len(twice_audited),
        "undelivered_messages": undelivered or 0,
    }


def run(workers: int, people: int, seed: int, server: str) -> dict[str, Any]:
    url = _postgres(server)
    world = build_world(people=people, start=date(2008, 10, 1), end=date(2018, 12, 31), seed=seed)
    bookings = sum(isinstance(e, BookingEvent) for e in world.events)
    database = open_database(url)
    links = runner.load_reference(database, world)
    submissions = runner.enqueue_events(database, world, links)
    database.dispose()
    with tempfile.TemporaryDirectory() as scratch:
        logs = Path(scratch)
        docket = runner.write_docket(world, logs / "docket.json")
        began = time.perf_counter()
        _wait(_start_workers(workers, url, docket, logs), logs)
        wall = time.perf_counter() - began
        began = time.perf_counter()
        _wait(_start_workers(1, url, docket, logs), logs)  # nothing left: start-up alone
        startup = time.perf_counter() - began
    working = max(wall - startup, 1e-9)
    return {
        "workers": workers,
        "people": people,
        "bookings": bookings,
        "submissions": submissions,
        "wall_seconds": round(wall, 1),
        "startup_seconds": round(startup, 1),
        "bookings_per_second": round(bookings / wall, 2),
        "bookings_per_second_after_startup": round(bookings / working, 2),
        "submissions_per_second_after_startup": round(submissions / working, 2),
        **_checks(url),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=2008)
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--json", action="store_true")
    arguments = parser.parse_args()
    results = [
        run(int(count), arguments.people, arguments.seed, arguments.postgres)
        for count in arguments.workers.split(",")
    ]
    if arguments.json:
        print(json.dumps(results, indent=2))
        return
    for result in results:
        print(
            f"{result['workers']} worker(s): {result['bookings']} bookings, "
            f"{result['submissions']} submissions in {result['wall_seconds']} s "
            f"(start-up {result['startup_seconds']} s): "
            f"{result['bookings_per_second_after_startup']} bookings/s after start-up; "
            f"parked {result['parked']}, failed {result['failed']}, duplicated "
            f"{result['duplicated_decisions']} decisions / "
            f"{result['duplicated_audit_events']} audit events, "
            f"undelivered {result['undelivered_messages']}"
        )


if __name__ == "__main__":
    main()
