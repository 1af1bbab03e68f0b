"""The service's latency against the demo world, over HTTP on loopback: p50/p95 of the
main reads (as the roles that make them) and of submission acceptance (a CAR stored,
202, the answer to follow). Targets: reads p95 under 50 ms, acceptance p95 under 100 ms.
The audit log's append and verify cost per event: benchmarks/bench_audit.py.

    .venv/bin/python benchmarks/bench_service.py [--database-url URL] [--requests 200] [--json]

Without --database-url the demo world (`securecomm demo`'s defaults) is built first in a
scratch directory. The service runs in one uvicorn process with no worker (acceptance is
measured alone); the client makes one request at a time.
"""

from __future__ import annotations

import argparse
import json
import secrets
import socket
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from sqlalchemy import select

from securecomm.api.app import create_app
from securecomm.api.ratelimit import SlidingWindowLimiter
from securecomm.auth.cli import init_deployment
from securecomm.cases.models import Case
from securecomm.database import Database, open_database
from securecomm.interop.models import Transaction
from securecomm.repositories.models import CriminalSubject, ImmigrationSubject
from securecomm.simulation import live
from securecomm.simulation.demo import DemoOptions, run_demo
from securecomm.simulation.demo_users import ensure_demo_users

PURPOSE = "service benchmark"


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _world(url: str | None, scratch: Path) -> Database:
    if url is not None:
        return open_database(url)
    options = DemoOptions(output_dir=scratch)
    database = open_database(f"sqlite:///{scratch / 'demo.sqlite'}")
    run_demo(database, options, lambda phase, done, total: None)
    return database


def _samples(database: Database) -> dict[str, Any]:
    with database.session() as session:
        case = session.scalars(select(Case).order_by(Case.id.desc())).first()
        transaction = session.scalars(
            select(Transaction).where(Transaction.immigration_subject_id.is_not(None))
        ).first()
        assert case is not None
        assert transaction is not None
        return {
            "case": case.id,
            "office": case.field_office,
            "tcn": transaction.tcn,
            "submission": transaction.submission_id,
            "agency": transaction.ori,
            "fin": session.scalar(select(ImmigrationSubject.fin)),
            "fbi": session.scalar(select(CriminalSubject.fbi_number)),
        }


def _cars(database: Database, ori: str, count: int) -> list[bytes]:
    """``count`` new CAR files from one agency: its people booked again, each a new TCN."""
    with database.session() as session:
        booked = list(
            session.scalars(select(Transaction.id).where(Transaction.ori == ori).limit(20))
        )
    start = datetime.now(UTC).replace(microsecond=0)
    return [
        live.rebooking_car(
            database,
            booked[n % len(booked)],
            at=start + timedelta(seconds=n),
            tcn_suffix=f"{n:05d}",
        )[0]
        for n in range(count)
    ]


def run(url: str | None, requests: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as scratch:
        database = _world(url, Path(scratch))
        with database.session() as session:
            init_deployment(session)
            logins = {login.username: login for login in ensure_demo_users(session)}
        samples = _samples(database)
        app = create_app(
            database,
            cookie_secure=False,
            signin_limiter=SlidingWindowLimiter(attempts=10_000, seconds=60),
        )
        port = _free_port()
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        try:
            return _measure(f"http://127.0.0.1:{port}", database, logins, samples, requests)
        finally:
            server.should_exit = True
            thread.join(30)
            database.dispose()


def _measure(
    base: str, database: Database, logins: dict[str, Any], samples: dict[str, Any], requests: int
) -> dict[str, Any]:
    client = httpx.Client(base_url=base, timeout=30)

    def token(username: str) -> dict[str, str]:
        answer = client.post(
            "/api/v1/auth/token",
            json={"username": username, "password": logins[username].password, "purpose": PURPOSE},
        )
        answer.raise_for_status()
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    analyst, auditor = token("analyst"), token("auditor")
    reads = {
        "bookings list (auditor)": ("/api/v1/bookings", auditor),
        "booking with answers": (f"/api/v1/bookings/{samples['submission']}", auditor),
        "transaction with decisions": (f"/api/v1/transactions/{samples['tcn']}", analyst),
        "case explanation": (f"/api/v1/cases/{samples['case']}", analyst),
        "field office work queue": ("/api/v1/cases/work-queue", analyst),
        "status centre queue": ("/api/v1/status/queue", analyst),
        "immigration record": (f"/api/v1/immigration-records/{samples['fin']}", analyst),
        "criminal record": (f"/api/v1/criminal-records/{samples['fbi']}", analyst),
        "audit events (first page)": ("/api/v1/audit/events", auditor),
    }
    results: dict[str, Any] = {}
    for name, (path, headers) in reads.items():
        client.get(path, headers=headers).raise_for_status()  # warm
        timings = []
        for _ in range(requests):
            began = time.perf_counter()
            answer = client.get(path, headers=headers)
            timings.append(time.perf_counter() - began)
            answer.raise_for_status()
        results[name] = _percentiles(timings)
    clerk = _clerk(client, database, samples["agency"])
    timings = []
    for raw in _cars(database, samples["agency"], requests):
        began = time.perf_counter()
        answer = client.post("/api/v1/bookings", content=raw, headers=clerk)
        timings.append(time.perf_counter() - began)
        assert answer.status_code == 202, answer.text
    accepted = _percentiles(timings)
    worst_read = max(value["p95_ms"] for value in results.values())
    return {
        "requests_each": requests,
        "reads": results,
        "worst_read_p95_ms": worst_read,
        "submission_accepted": accepted,
        "targets": {"read_p95_ms": 50, "accepted_p95_ms": 100},
        "met": worst_read < 50 and accepted["p95_ms"] < 100,
    }


def _clerk(client: httpx.Client, database: Database, ori: str) -> dict[str, str]:
    from securecomm.auth import accounts
    from securecomm.auth import service as auth_service
    from securecomm.auth.roles import Role

    username = f"bench-clerk-{secrets.token_hex(3)}"  # a store may hold an earlier run's
    with database.session() as session:
        accounts.create_user(
            session,
            username=username,
            full_name="Bench Clerk",
            agency=auth_service.agency_by_ori(session, ori),
            roles={Role.BOOKING_OFFICER},
            password="a benchmark password",
            must_change_password=False,
        )
    answer = client.post(
        "/api/v1/auth/token",
        json={"username": username, "password": "a benchmark password", "purpose": PURPOSE},
    )
    answer.raise_for_status()
    return {
        "Authorization": f"Bearer {answer.json()['access_token']}",
        "Content-Type": "application/octet-stream",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.database_url, args.requests)
    sys.stdout.write(json.dumps(result, indent=None if args.json else 2) + "\n")


if __name__ == "__main__":
    main()
