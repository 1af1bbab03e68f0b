"""What a worker's claim costs with a backlog: the statement that finds the next
submission to drive, timed over a store holding many submissions of which some are open,
with the planner's choice printed beside it.

    .venv/bin/python benchmarks/bench_claims.py [--submissions 50000] [--open-every 50]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--json]

The backlog is bookings each followed by a release and a disposition of the same TCN
(one in ``--open-every`` still open, the rest done). On SQLite the claim is "the oldest
open submission" (workers take turns); on PostgreSQL it is "the next open submissions
with no earlier open submission of the same booking", after ``ANALYZE``. The query is
timed alone (``--repeat`` times, mean), then whole claims are timed: find, lock, stamp
and give back, on a submission that stays open.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench_flow import _postgres as emptied_postgres  # a database of the bench's own
from sqlalchemy import Connection, insert, text

from securecomm.booking.models import Submission, SubmissionKind, SubmissionState
from securecomm.database import Database, open_database
from securecomm.database.locks import runs_in_parallel
from securecomm.pipeline import claims
from securecomm.pipeline.claims import Claims

BENCH_DATABASE = "securecomm_bench_claims"
KINDS = (SubmissionKind.BOOKING, SubmissionKind.RELEASE, SubmissionKind.DISPOSITION)


def _backlog(database: Database, submissions: int, open_every: int) -> int:
    start = datetime(2012, 1, 1, tzinfo=UTC)
    rows = [
        {
            "kind": KINDS[n % 3],
            "external_key": f"TCN-BACKLOG-{n // 3}",
            "event_at": start + timedelta(seconds=n),
            "seq": 0,
            "content_type": "application/json",
            "raw": b"{}",
            "state": SubmissionState.RECEIVED if n % open_every == 0 else SubmissionState.DONE,
            "errors": [],
        }
        for n in range(submissions)
    ]
    with database.engine.begin() as connection:
        connection.execute(insert(Submission), rows)
        if runs_in_parallel(database.engine):
            connection.execute(text("ANALYZE submissions"))
    return sum(1 for row in rows if row["state"] is SubmissionState.RECEIVED)


def _query(database: Database) -> tuple[Any, dict[str, Any], str]:
    """The claim's finding statement on this backend, its parameters, and the plan."""
    if runs_in_parallel(database.engine):
        statement: Any = claims._NEXT_FREE
        parameters: dict[str, Any] = {"skip": 0}
        explain = "EXPLAIN "
    else:
        statement, parameters, explain = claims._OLDEST_OPEN, {}, "EXPLAIN QUERY PLAN "
    compiled = str(statement.compile(database.engine, compile_kwargs={"literal_binds": True}))
    with database.engine.connect() as connection:
        plan = " | ".join(str(row[-1]) for row in connection.exec_driver_sql(explain + compiled))
    return statement, parameters, plan


def _mean_ms(connection: Connection, statement: Any, parameters: dict[str, Any], n: int) -> float:
    began = time.perf_counter()
    for _ in range(n):
        connection.execute(statement, parameters).all()
    return (time.perf_counter() - began) * 1000 / n


def run(url: str, submissions: int, open_every: int, repeat: int) -> dict[str, Any]:
    database = open_database(url)
    open_count = _backlog(database, submissions, open_every)
    statement, parameters, plan = _query(database)
    with database.engine.connect() as connection:
        query_ms = _mean_ms(connection, statement, parameters, repeat)
    worker = Claims(database, "bench-claims", timedelta(minutes=5))
    began = time.perf_counter()
    for _ in range(repeat):
        with worker.claim() as claimed:
            assert claimed is not None  # the oldest stays open: nothing drives it
    claim_ms = (time.perf_counter() - began) * 1000 / repeat
    database.dispose()
    return {
        "backend": database.engine.url.get_backend_name(),
        "submissions": submissions,
        "open": open_count,
        "query_ms": round(query_ms, 3),
        "claim_ms": round(claim_ms, 3),
        "plan": plan,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--submissions", type=int, default=50_000)
    parser.add_argument("--open-every", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--postgres", help="a PostgreSQL URL: its server hosts the run")
    parser.add_argument("--json", action="store_true")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = (
            emptied_postgres(arguments.postgres, database=BENCH_DATABASE)
            if arguments.postgres
            else f"sqlite:///{Path(scratch) / 'claims.sqlite'}"
        )
        result = run(url, arguments.submissions, arguments.open_every, arguments.repeat)
    if arguments.json:
        print(json.dumps(result, indent=2))
        return
    print(
        f"{result['backend']}: {result['open']} open of {result['submissions']} "
        f"submissions: the finding query {result['query_ms']} ms, a whole claim "
        f"{result['claim_ms']} ms\n  plan: {result['plan']}"
    )


if __name__ == "__main__":
    main()
