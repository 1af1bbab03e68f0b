"""Load test: booking files through the service at rising rates until it saturates
(issue 17). What users would run: locust against the service on loopback, PostgreSQL,
several ``securecomm worker --follow`` processes with galleries in Ray shards.

The store must hold a processed world (``securecomm demo --database-url URL``) and may
hold a background population (``securecomm repositories background --identities N
--shards S --gallery-dir D``: galleries of national size). This script then

1. signs up one clerk in each of the busiest agencies and writes the CAR files to send
   (the world's people booked again, template level, each with a new TCN);
2. starts a Ray head, the service (one process, no embedded worker) and the workers;
3. warms up (two bookings a worker answered), then runs locust headless with
   ``benchmarks/locustfile.py``: each stage offers one arrival rate for a fixed time;
4. waits for the queue to drain and checks every accepted booking ended exactly once;
5. reports, for each stage, the offered and achieved rate, p50/p95/p99 from sending
   to the final answer and the cores each kind of process used
   (``cpu_sampler.py``); the saturation point is the highest rate achieved (95 % of
   the offered rate or more) with p95 under 2 s; writes the JSON and a plot.

    .venv/bin/python benchmarks/bench_load.py --database-url URL [--gallery-dir D]
        [--shards 2] [--workers 2] [--rates 1,2,4,6,8] [--stage-seconds 60]
        [--out out/load] [--plot docs/images/load.png]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import matplotlib
import numpy as np
from bench_service import _free_port
from cpu_sampler import CpuSampler, add_cores
from sqlalchemy import func, select

from securecomm.auth import accounts
from securecomm.auth import service as auth_service
from securecomm.auth.roles import Role
from securecomm.booking.models import Submission, SubmissionState
from securecomm.database import Database, open_database
from securecomm.interop.models import Transaction
from securecomm.simulation import live

matplotlib.use("Agg")
import matplotlib.pyplot as plt

BIN = Path(sys.executable).parent
HERE = Path(__file__).parent
PASSWORD = "a load test password"
# Clerks in the busiest agencies; each file books again a different earlier booking of
# theirs as long as there are enough (a probe searched again finds its candidates'
# features cached, so repeats would flatter the figures).
AGENCIES = 16
PER_AGENCY_PEOPLE = 1_000


def _plan(database: Database, out: Path, bookings: int) -> Path:
    """Clerks and CAR files; the plan's path (read by the locustfile)."""
    with database.session() as session:
        busiest = session.execute(
            select(Transaction.ori, func.count())
            .group_by(Transaction.ori)
            .order_by(func.count().desc())
            .limit(AGENCIES)
        ).all()
        clerks = {}
        people: dict[str, list[int]] = {}
        for ori, _ in busiest:
            username = f"load-{ori.lower()}-{secrets.token_hex(2)}"
            accounts.create_user(
                session,
                username=username,
                full_name="Load Test Clerk",
                agency=auth_service.agency_by_ori(session, ori),
                roles={Role.BOOKING_OFFICER},
                password=PASSWORD,
                must_change_password=False,
            )
            clerks[ori] = {"username": username, "password": PASSWORD}
            people[ori] = list(
                session.scalars(
                    select(Transaction.id).where(Transaction.ori == ori).limit(PER_AGENCY_PEOPLE)
                )
            )
    files = out / "cars"
    files.mkdir(parents=True, exist_ok=True)
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    cars = []
    agencies = list(people)
    for n in range(bookings):
        ori = agencies[n % len(agencies)]
        transaction = people[ori][(n // len(agencies)) % len(people[ori])]
        raw, _, _ = live.rebooking_car(
            database, transaction, at=start + timedelta(seconds=n), tcn_suffix=f"L{n:05d}"
        )
        path = files / f"{n:05d}.car"
        path.write_bytes(raw)
        cars.append({"ori": ori, "path": str(path), "rebooks": transaction})
    plan = out / "plan.json"
    plan.write_text(json.dumps({"clerks": clerks, "cars": cars}))
    return plan


def _start(command: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    with log.open("wb") as output:
        return subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=env)


def _wait_for_service(base: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("the service did not start")


def _open(database: Database) -> int:
    open_states = [SubmissionState.RECEIVED, SubmissionState.PROCESSING]
    with database.session() as session:
        return int(
            session.scalar(select(func.count()).where(Submission.state.in_(open_states))) or 0
        )


def _wait_until_drained(database: Database, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while _open(database) and time.monotonic() < deadline:
        time.sleep(1)


def _warm_up(base: str, records: Path, env: dict[str, str], workers: int) -> int:
    """Bookings through the whole path before measuring, two per worker sent over five
    seconds so that every worker takes one: a worker's first searches load its shard
    actors' kernels and map their stores (seconds). Returns how many were sent."""
    bookings = 2 * workers
    warm_env = {**env, "LOAD_RATES": str(bookings / 5), "LOAD_STAGE_SECONDS": "5"}
    # The workers may still be starting (Ray actors importing, shards opening).
    warm_env["LOAD_ANSWER_TIMEOUT"] = "900"
    _locust(base, warm_env | {"LOAD_RECORDS": str(records)}, seconds=5, log=records.parent)
    sent = [json.loads(line) for line in records.read_text().splitlines()]
    if not sent or not all(record.get("answered") for record in sent):
        raise SystemExit(f"warm-up bookings not all answered: {sent}")
    return len(sent)


def _locust(base: str, env: dict[str, str], *, seconds: float, log: Path) -> None:
    command = [
        str(BIN / "locust"),
        "-f",
        str(HERE / "locustfile.py"),
        "--headless",
        "--host",
        base,
        "--only-summary",
        "--stop-timeout",
        env.get("LOAD_ANSWER_TIMEOUT", "150"),
        "--csv",
        str(log / "locust"),
    ]
    done = subprocess.run(
        command,
        env=env,
        capture_output=True,
        text=True,
        timeout=seconds + 1200,
        check=False,
    )
    (log / "locust.log").write_text(done.stdout + done.stderr)
    if done.returncode not in (0, 1):  # 1: some requests failed (reported below)
        raise SystemExit(f"locust failed:\n{done.stderr[-3000:]}")


def _stages(
    records: list[dict[str, Any]], rates: list[float], seconds: float
) -> list[dict[str, Any]]:
    rows = []
    for stage, rate in enumerate(rates):
        sent = [r for r in records if r["stage"] == stage]
        answered = [r for r in sent if r.get("answered")]
        latencies = np.array([r["answered"] - r["sent"] for r in answered])
        first = min((r["sent"] for r in sent), default=0.0)
        in_stage = [r for r in answered if r["answered"] <= first + seconds]
        rows.append(
            {
                "offered_per_s": rate,
                "sent": len(sent),
                "answered": len(answered),
                "refused": sum(1 for r in sent if r["status"] != 202),
                "achieved_per_s": round(len(in_stage) / seconds, 2),
                "sent_per_s": round(len(sent) / seconds, 2),
                "p50_s": _quantile(latencies, 0.50),
                "p95_s": _quantile(latencies, 0.95),
                "p99_s": _quantile(latencies, 0.99),
                "states": _count(r.get("state", "refused") for r in sent),
            }
        )
    return rows


def _identified_otherwise(database: Database, records: list[dict[str, Any]]) -> int:
    """Bookings whose person was identified otherwise than at the booking they repeat
    (another criminal record, or another immigration record where both searched it):
    wrong identifications among the galleries' strangers would show here."""
    differing = 0
    with database.session() as session:
        for record in records:
            if "submission" not in record:
                continue
            again = session.scalar(
                select(Transaction).where(Transaction.submission_id == record["submission"])
            )
            first = session.get(Transaction, record["rebooks"])
            if again is None or first is None:
                continue
            immigration = (again.immigration_subject_id, first.immigration_subject_id)
            differing += again.criminal_subject_id != first.criminal_subject_id or (
                None not in immigration and immigration[0] != immigration[1]
            )
    return differing


def _quantile(values: np.ndarray[Any, Any], q: float) -> float | None:
    return round(float(np.quantile(values, q)), 3) if len(values) else None


def _count(values: Any) -> dict[str, int]:
    counted: dict[str, int] = {}
    for value in values:
        counted[value] = counted.get(value, 0) + 1
    return counted


def _saturation(stages: list[dict[str, Any]]) -> float | None:
    held = [
        s["offered_per_s"]
        for s in stages
        if s["p95_s"] is not None
        and s["p95_s"] < 2.0
        and s["answered"] >= 0.95 * s["sent"] > 0
        and s["sent_per_s"] >= 0.9 * s["offered_per_s"]
    ]
    return max(held) if held else None


def _plot(stages: list[dict[str, Any]], title: str, path: Path) -> None:
    offered = [s["offered_per_s"] for s in stages]
    figure, (rate_axis, latency_axis) = plt.subplots(1, 2, figsize=(10, 4))
    rate_axis.plot(offered, offered, "--", color="grey", label="offered")
    rate_axis.plot(offered, [s["achieved_per_s"] for s in stages], "o-", label="answered")
    rate_axis.set_xlabel("bookings offered per second")
    rate_axis.set_ylabel("bookings answered per second")
    rate_axis.legend()
    for name in ("p50_s", "p95_s", "p99_s"):
        values = [s[name] if s[name] is not None else math.nan for s in stages]
        latency_axis.plot(offered, values, "o-", label=name.split("_")[0])
    latency_axis.axhline(2.0, color="red", linewidth=0.8, label="2 s target (p95)")
    latency_axis.set_xlabel("bookings offered per second")
    latency_axis.set_ylabel("seconds from sending to the final answer")
    latency_axis.set_yscale("log")
    latency_axis.legend()
    figure.suptitle(title)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)


def run(args: argparse.Namespace) -> dict[str, Any]:
    out = Path(args.out)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    rates = [float(rate) for rate in args.rates.split(",")]
    database = open_database(args.database_url)
    bookings = int(sum(rate * args.stage_seconds for rate in rates) * 1.2) + 50
    ray_port = _free_port()
    plan = _plan(database, out, bookings)
    env = {
        **os.environ,
        "SECURECOMM_DATABASE_URL": args.database_url,
        "SECURECOMM_GALLERY_SHARDS": str(args.shards),
        # Ray's default port is Redis's (6379), taken on this machine
        "SECURECOMM_RAY_ADDRESS": f"127.0.0.1:{ray_port}",
        "LOAD_PLAN": str(plan),
        "LOAD_STAGE_SECONDS": str(args.stage_seconds),
        "LOAD_RATES": args.rates,
        "RAY_AUTH_MODE": "disabled",
        "COLUMNS": "100",
    }
    if args.gallery_dir:
        env["SECURECOMM_GALLERY_DIR"] = args.gallery_dir
    if not args.shards:
        env.pop("SECURECOMM_RAY_ADDRESS")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    processes: list[subprocess.Popen[bytes]] = []
    if args.shards:
        subprocess.run(
            [
                str(BIN / "ray"),
                "start",
                "--head",
                "--include-dashboard=false",
                "--disable-usage-stats",
                "--port",
                str(ray_port),
            ],
            env=env,
            check=True,
            capture_output=True,
        )
    started = time.monotonic()
    try:
        serve = [str(BIN / "securecomm"), "serve", "--no-worker", "--port", str(port)]
        processes.append(_start(serve, out / "service.log", env))
        worker = [str(BIN / "securecomm"), "worker", "--follow"]
        for number in range(args.workers):
            processes.append(_start(worker, out / f"worker{number}.log", env))
        _wait_for_service(base)
        warmed = _warm_up(base, out / "warm-up.jsonl", env, args.workers)
        ready_seconds = time.monotonic() - started
        records_path = out / "records.jsonl"
        env["LOAD_RECORDS"] = str(records_path)
        env["LOAD_PLAN"] = str(_rest_of_plan(plan, out, warmed))
        sampler = CpuSampler().start()
        _locust(base, env, seconds=len(rates) * args.stage_seconds, log=out)
        sampler.stop()
        _wait_until_drained(database, timeout=600)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
        if args.shards:
            subprocess.run([str(BIN / "ray"), "stop", "--force"], capture_output=True, check=False)
    records = [json.loads(line) for line in records_path.read_text().splitlines()]
    stages = _stages(records, rates, args.stage_seconds)
    add_cores(stages, records, sampler, args.stage_seconds)
    with database.session() as session:
        states = dict(
            session.execute(select(Submission.state, func.count()).group_by(Submission.state)).all()
        )
    result = {
        "identified_otherwise": _identified_otherwise(database, records),
        "machine": f"{os.cpu_count()} cores",
        "workers": args.workers,
        "shards": args.shards,
        "gallery_dir": args.gallery_dir,
        "stage_seconds": args.stage_seconds,
        "ready_seconds": round(ready_seconds, 1),
        "stages": stages,
        "saturation_per_s": _saturation(stages),
        "submissions_by_state": {str(k): v for k, v in states.items()},
        "open_after_drain": _open(database),
    }
    title = (
        f"{args.workers} workers, {args.shards or 'no'} shards a gallery, "
        f"{args.label or 'the demo world'}"
    )
    _plot(stages, title, Path(args.plot))
    (out / "result.json").write_text(json.dumps(result, indent=2))
    database.dispose()
    return result


def _rest_of_plan(plan: Path, out: Path, sent: int) -> Path:
    """The plan without the files the warm-up sent (each file is sent once)."""
    loaded = json.loads(plan.read_text())
    loaded["cars"] = loaded["cars"][sent:]
    rest = out / "plan-measured.json"
    rest.write_text(json.dumps(loaded))
    return rest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--gallery-dir", default=None)
    parser.add_argument("--shards", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rates", default="1,2,4,6,8")
    parser.add_argument("--stage-seconds", type=float, default=60)
    parser.add_argument("--out", default="out/load")
    parser.add_argument("--plot", default="out/load/load.png")
    parser.add_argument("--label", default="", help="What the galleries hold (for the plot).")
    args = parser.parse_args()
    result = run(args)
    sys.stdout.write(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
