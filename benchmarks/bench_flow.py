"""What one booking costs in the flow, split by step: the demo's world (published
population, template-level bookings, drawn service times, examiners deciding possible
identifications as the demo does) through one worker, on SQLite or PostgreSQL.

Reported per booking: the worker's wall time (bookings, releases and dispositions
together, divided by bookings) and its process CPU time (steadier than wall time on a
virtualised machine with neighbours; SQLite runs in the process, PostgreSQL does not),
the time in each booking step, the time inside the 1:N searches, the flow's overhead
(everything but the searches; of it, the simulated examiners looking at their queue
after every submission and deciding, reported apart), SQL statements and commits.
Issue 17 targets a flow overhead under 10 ms per booking.

    .venv/bin/python benchmarks/bench_flow.py [--people 2000] [--seed 2008]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--json]
        [--profile [--profile-dump FILE]] [--statements N]

``--profile`` runs the worker under cProfile (times inflated by it; the timings above
are then not comparable) and reports the share of the worker's own time spent in each
package: SQLAlchemy, the database driver's calls, the engine (``securecomm.biometrics``),
the rest of securecomm, and everything else, and the Python calls made per booking (a
count: comparable between runs on a noisy machine). ``--profile-dump FILE`` also writes the raw
profile (``python -m pstats FILE``) to find which of the flow's calls cost it.
``--statements N`` lists the N statements run most often, as counts per booking.

With --postgres the benchmark works in a database of its own on that server
(``securecomm_bench_flow``, emptied first); otherwise in a scratch SQLite file.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import re
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from securecomm.database import open_database
from securecomm.metrics import REGISTRY
from securecomm.pipeline.worker import Worker
from securecomm.simulation import examiners, runner
from securecomm.simulation.court import SimulatedImmigrationCourt
from securecomm.simulation.generate import build_world
from securecomm.simulation.service_times import DrawnServiceTimes
from securecomm.simulation.world import BookingEvent

BENCH_DATABASE = "securecomm_bench_flow"


def _postgres(url: str, database: str = BENCH_DATABASE) -> str:
    """A database of the benchmark's own on the server of ``url``, emptied."""
    configured = make_url(url)
    admin = create_engine(configured.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": database}
        ):
            connection.execute(text(f'CREATE DATABASE "{database}"'))
    admin.dispose()
    target = configured.set(database=database).render_as_string(hide_password=False)
    engine = create_engine(target)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return target


def _sums(metric_name: str, label: str) -> dict[str, float]:
    found: dict[str, float] = {}
    for metric in REGISTRY.collect():
        for sample in metric.samples:
            if sample.name == f"{metric_name}_sum":
                found[sample.labels[label]] = sample.value
    return found


def _shares(profile: cProfile.Profile) -> dict[str, float]:
    """Percent of the profiled time spent in each package's own code."""
    spent: Counter[str] = Counter()
    for (filename, _line, name), row in pstats.Stats(profile).stats.items():
        spent[_package(filename, name)] += row[2]  # time in the function itself
    total = sum(spent.values()) or 1.0
    return {package: round(100 * seconds / total, 1) for package, seconds in spent.most_common()}


def _package(filename: str, name: str) -> str:
    if "site-packages/sqlalchemy/" in filename:
        return "sqlalchemy"
    if "sqlite3.Cursor" in name or "sqlite3.Connection" in name or "psycopg" in filename:
        return "database driver"
    if "/securecomm/biometrics/" in filename or "site-packages/numba" in filename:
        return "fingerprint engine"
    if "/securecomm/" in filename:
        return "securecomm (the flow)"
    return "other (standard library, numpy, pydantic, ...)"


def _shape(statement: str) -> str:
    """A statement's text on one line, its long column lists cut: what it does and where."""
    flat = re.sub(r"\s+", " ", statement).strip()
    flat = re.sub(r"^SELECT .*? FROM ", "SELECT … FROM ", flat)
    flat = re.sub(r"^(INSERT INTO \S+) \(.*?\) ", r"\1 (…) ", flat)
    return flat[:160]


def run(
    people: int,
    seed: int,
    url: str,
    *,
    profile: bool = False,
    dump: Path | None = None,
    top_statements: int = 0,
) -> dict[str, Any]:
    world = build_world(people=people, start=date(2008, 10, 1), end=date(2018, 12, 31), seed=seed)
    bookings = sum(isinstance(e, BookingEvent) for e in world.events)
    database = open_database(url)
    links = runner.load_reference(database, world)
    runner.enqueue_events(database, world, links)
    statements: Counter[str] = Counter()
    shapes: Counter[str] = Counter()

    @event.listens_for(database.engine, "before_cursor_execute")
    def count_statement(*args: Any) -> None:
        statements["statements"] += 1
        if top_statements:
            shapes[_shape(args[2])] += 1

    @event.listens_for(database.engine, "commit")
    def count_commit(*_args: Any) -> None:
        statements["commits"] += 1

    steps_before = _sums("securecomm_pipeline_step_seconds", "step")
    search_before = _sums("securecomm_search_seconds", "repository")
    worker = Worker(
        database, court=SimulatedImmigrationCourt(world), clock=DrawnServiceTimes(world.seed)
    )
    examining = [0.0]

    def examiners_decide() -> None:
        """The simulated examiners look at their queue after every submission (people at
        their own desks, not the flow): timed apart."""
        began = time.perf_counter()
        examiners.decide_pending(database, world, links)
        examining[0] += time.perf_counter() - began

    profiler = cProfile.Profile() if profile else None
    began, cpu_began = time.perf_counter(), time.process_time()
    if profiler is not None:
        profiler.enable()
    worker.run(after_each=examiners_decide)
    if profiler is not None:
        profiler.disable()
        if dump is not None:
            profiler.dump_stats(dump)
    wall, cpu = time.perf_counter() - began, time.process_time() - cpu_began
    database.dispose()
    steps = {
        step: seconds - steps_before.get(step, 0.0)
        for step, seconds in _sums("securecomm_pipeline_step_seconds", "step").items()
    }
    search = {
        repository: seconds - search_before.get(repository, 0.0)
        for repository, seconds in _sums("securecomm_search_seconds", "repository").items()
    }
    searching = sum(search.values())
    per = 1000.0 / bookings
    return {
        "backend": make_url(url).get_backend_name(),
        "people": people,
        "bookings": bookings,
        "events": len(world.events),
        "wall_seconds": round(wall, 2),
        "ms_per_booking": round(wall * per, 2),
        "cpu_ms_per_booking": round(cpu * per, 2),  # steadier on a shared machine
        "booking_steps_ms": {step: round(seconds * per, 2) for step, seconds in steps.items()},
        "search_ms": {repository: round(s * per, 2) for repository, s in search.items()},
        "flow_overhead_ms": round((wall - searching) * per, 2),
        # of which the simulated examiners polling their queue and deciding
        "examiners_ms": round(examining[0] * per, 2),
        "statements_per_booking": round(statements["statements"] / bookings, 1),
        "commits_per_booking": round(statements["commits"] / bookings, 1),
        **(
            {
                "top_statements_per_booking": {
                    shape: round(count / bookings, 2)
                    for shape, count in shapes.most_common(top_statements)
                }
            }
            if top_statements
            else {}
        ),
        **(
            {
                "profile_percent": _shares(profiler),
                # Python calls made: a count, so it does not move with the neighbours
                "python_calls_per_booking": round(pstats.Stats(profiler).total_calls / bookings),
            }
            if profiler is not None
            else {}
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2008)
    parser.add_argument("--postgres", help="a PostgreSQL URL: its server hosts the run")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--profile", action="store_true", help="where the worker's time goes")
    parser.add_argument("--profile-dump", type=Path, help="with --profile: the raw profile")
    parser.add_argument(
        "--statements", type=int, default=0, metavar="N", help="the N most frequent statements"
    )
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = (
            _postgres(arguments.postgres)
            if arguments.postgres
            else f"sqlite:///{Path(scratch) / 'flow.sqlite'}"
        )
        result = run(
            arguments.people,
            arguments.seed,
            url,
            profile=arguments.profile or arguments.profile_dump is not None,
            dump=arguments.profile_dump,
            top_statements=arguments.statements,
        )
    if arguments.json:
        print(json.dumps(result, indent=2))
        return
    print(
        f"{result['backend']}: {result['bookings']} bookings ({result['events']} events) in "
        f"{result['wall_seconds']} s: {result['ms_per_booking']} ms per booking "
        f"({result['cpu_ms_per_booking']} ms CPU), flow "
        f"overhead {result['flow_overhead_ms']} ms (of which the simulated examiners "
        f"{result['examiners_ms']} ms), {result['statements_per_booking']} SQL "
        f"statements and {result['commits_per_booking']} commits per booking"
    )
    for step, ms in sorted(result["booking_steps_ms"].items(), key=lambda item: -item[1]):
        print(f"  step {step:<32} {ms:8.2f} ms per booking")
    for repository, ms in result["search_ms"].items():
        print(f"  search {repository:<30} {ms:8.2f} ms per booking")
    for shape, count in result.get("top_statements_per_booking", {}).items():
        print(f"  {count:6.2f} per booking: {shape}")
    if "python_calls_per_booking" in result:
        print(f"  profile: {result['python_calls_per_booking']} Python calls per booking")
    for package, percent in result.get("profile_percent", {}).items():
        print(f"  profile: {percent:5.1f} % in {package}")


if __name__ == "__main__":
    main()
