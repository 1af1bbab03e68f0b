"""The fault runs (``make faults``; ``.ci/run`` calls it after the tests). They kill
processes and restart the database server, so ``make test`` never collects them: they
run only with SECURECOMM_FAULTS=1, one at a time, against the PostgreSQL server of
SECURECOMM_TEST_DATABASE_URL. Each adds a row to the fault report printed at the end."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import REPORT, reap_spawned

from backends import POSTGRES_URL, dedicated_url


@pytest.fixture
def fault_store(tmp_path: Path) -> str:
    """A PostgreSQL database of the fault runs' own, emptied."""
    if POSTGRES_URL is None:
        pytest.fail("the fault runs need PostgreSQL: set SECURECOMM_TEST_DATABASE_URL")
    return dedicated_url("postgresql", tmp_path, "faults")


@pytest.fixture(autouse=True)
def _no_process_outlives_its_run() -> Iterator[None]:
    yield
    reap_spawned()


def pytest_sessionstart(session: pytest.Session) -> None:
    REPORT.unlink(missing_ok=True)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not REPORT.exists():
        return
    rows = json.loads(REPORT.read_text())
    write = terminalreporter.write_line
    write("")
    write("fault report (after recovery)")
    width = max([len("fault"), *(len(row["fault"]) for row in rows)])
    write(f"{'fault':<{width}} {'in flight':>9} {'lost':>5} {'twice':>6} {'recovered':>10}  audit")
    for row in rows:
        audit = "verifies" if row["audit_verified"] else "BROKEN"
        write(
            f"{row['fault']:<{width}} {row['in_flight']:>9} {row['lost']:>5} "
            f"{row['duplicated']:>6} {row['recovered_seconds']:>9.2f}s  {audit}"
        )
    write(f"(rows in {REPORT})")
