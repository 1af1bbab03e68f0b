"""Faults at intake: a flood of malformed and oversized files through the service while
two workers run, and the disk of the data directory filling up. Every refusal names its
field and rule, never a traceback; nothing already accepted is lost; every accepted
booking gets exactly one final answer; the audit log verifies."""

from __future__ import annotations

import errno
import signal
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

from fastapi.testclient import TestClient
from harness import Workers, outcome, report, settled, wait_until, world
from sqlalchemy import func, select

from securecomm.api.app import create_app
from securecomm.api.ratelimit import SlidingWindowLimiter
from securecomm.auth.cli import init_deployment
from securecomm.booking.car import car_from_booking
from securecomm.booking.models import Submission
from securecomm.booking.schemas import BookingDocument
from securecomm.database import Database, open_database
from securecomm.pipeline.worker import Worker, WorkerReport
from securecomm.simulation import runner
from securecomm.simulation.court import SimulatedImmigrationCourt
from securecomm.simulation.demo_users import ensure_demo_users
from securecomm.simulation.hostile import hostile_files
from securecomm.simulation.world import BookingEvent, World

VALID = 60
HOSTILE = 400
OVERSIZED = 3
PURPOSE = "fault run: intake flood"


def _valid_cars(ori: str, source: World, count: int) -> list[bytes]:
    """The world's first bookings, as the signed-in officer's agency would send them."""
    events = [e for e in source.events if isinstance(e, BookingEvent)][:count]
    documents = [
        BookingDocument.model_validate({**runner.booking_document(e), "ori": ori}) for e in events
    ]
    return [car_from_booking(d, destination_ori=f"{ori[:2]}SIB0000") for d in documents]


def _signed_in(database: Database) -> tuple[TestClient, dict[str, str], str]:
    """The service over ``database`` (no worker of its own), a booking officer's token
    headers for sending files, and the officer's agency."""
    with database.session() as session:
        init_deployment(session)
        login = next(u for u in ensure_demo_users(session) if u.username == "booking1")
    app = create_app(
        database,
        cookie_secure=False,
        signin_limiter=SlidingWindowLimiter(attempts=1000, seconds=60),
    )
    client = TestClient(app)
    token = client.post(
        "/api/v1/auth/token",
        json={"username": login.username, "password": login.password, "purpose": PURPOSE},
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/octet-stream"}
    return client, headers, login.agency


def _refusal_is_specific(response_json: dict[str, object]) -> bool:
    error = response_json.get("error")
    if not isinstance(error, dict):
        return False
    problems = error.get("problems")
    return bool(problems) and all(p.get("field") and p.get("rule") for p in problems)


def test_a_flood_of_malformed_and_oversized_files_loses_nothing(
    fault_store: str, tmp_path: Path
) -> None:
    database = open_database(fault_store)
    runner.load_reference(database, world())
    client, headers, ori = _signed_in(database)
    docket = runner.write_docket(world(), tmp_path / "docket.json")
    workers = Workers(fault_store, docket, tmp_path)
    workers.start(2, follow=True)

    valid = _valid_cars(ori, world(), VALID)
    hostile = [h.raw for h in hostile_files(valid[:6], count=HOSTILE, seed=4242)]
    oversized = [b"1.001:%d" % n + bytes(33 * 1024 * 1024) for n in range(OVERSIZED)]
    flood = hostile + oversized
    statuses: Counter[int] = Counter()
    unspecific = 0
    for number, raw in enumerate(flood):
        if number % (len(flood) // VALID) == 0 and valid:  # the real bookings, in between
            answer = client.post("/api/v1/bookings", content=valid.pop(), headers=headers)
            assert answer.status_code == 202, answer.text
        response = client.post("/api/v1/bookings", content=raw, headers=headers)
        statuses[response.status_code] += 1
        if response.status_code >= 400 and not _refusal_is_specific(response.json()):
            unspecific += 1
    for raw in valid:
        assert client.post("/api/v1/bookings", content=raw, headers=headers).status_code == 202
    flood_ended = time.monotonic()
    with database.session() as session:
        accepted = session.scalar(select(func.count()).select_from(Submission)) or 0
    waiting = accepted - settled(database)  # accepted, not yet answered, as the flood ends
    wait_until(lambda: settled(database) >= accepted, timeout=600)
    recovered = time.monotonic() - flood_ended
    for process in workers.processes:
        process.send_signal(signal.SIGTERM)
    assert workers.wait() == [0, 0], workers.output(0) + workers.output(1)

    result = outcome(database)
    report(
        f"flood: {HOSTILE} malformed + {OVERSIZED} oversized files, {VALID} real",
        in_flight=waiting,
        result=result,
        recovered_in=recovered,
    )
    database.dispose()
    assert not [status for status in statuses if status >= 500], statuses
    assert statuses[413] == OVERSIZED, statuses
    assert unspecific == 0
    assert (result.lost, result.duplicated) == (0, 0), result.details
    assert result.audit_verified


def test_a_full_data_directory_refuses_clearly_and_keeps_what_it_accepted(
    tmp_path: Path,
) -> None:
    """The embedded store (SQLite) on a small file system of its own, filled up."""
    data = tmp_path / "data"
    data.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(data)], check=True)
    try:
        _fill_and_recover(data)
    finally:
        subprocess.run(["umount", "--lazy", str(data)], check=False)


def _fill_and_recover(data: Path) -> None:
    url = f"sqlite:///{data / 'store.sqlite'}"
    database = open_database(url)
    small = world(150)
    runner.load_reference(database, small)
    client, headers, ori = _signed_in(database)
    cars = _valid_cars(ori, small, 24)
    for raw in cars[:8]:
        assert client.post("/api/v1/bookings", content=raw, headers=headers).status_code == 202
    filler = _fill(data)
    refused = []
    for raw in cars[8:16]:
        response = client.post("/api/v1/bookings", content=raw, headers=headers)
        assert response.status_code in (503, 507), response.text
        assert _refusal_is_specific(response.json())
        refused.append(raw)

    worker = Worker(database, court=SimulatedImmigrationCourt(small))
    outcome_of_run: list[WorkerReport] = []
    running = threading.Thread(target=lambda: outcome_of_run.append(worker.run()))
    full_since = time.monotonic()
    running.start()
    time.sleep(3)  # the worker meets the full disk and waits, failing nothing
    filler.unlink()
    running.join(timeout=300)
    recovered = time.monotonic() - full_since
    assert outcome_of_run, "the worker did not finish once there was room again"
    for raw in refused + cars[16:]:
        assert client.post("/api/v1/bookings", content=raw, headers=headers).status_code == 202
    Worker(database, court=SimulatedImmigrationCourt(small)).run()

    result = outcome(database)
    report(
        "data directory full (embedded SQLite store)",
        in_flight=8,
        result=result,
        recovered_in=recovered,
    )
    database.dispose()
    assert outcome_of_run[0].store_outages >= 1
    assert result.details["failed"] == 0
    assert (result.lost, result.duplicated) == (0, 0), result.details
    assert result.audit_verified


def _fill(directory: Path) -> Path:
    """Write a file until the file system has no room left."""
    filler = directory / "filler"
    chunk = bytes(256 * 1024)
    with filler.open("wb") as handle:
        try:
            while True:
                handle.write(chunk)
                handle.flush()
        except OSError as error:
            if error.errno != errno.ENOSPC:
                raise
    return filler
