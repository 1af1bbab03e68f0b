"""What every command line module shares: consoles, the database option, a clean exit
with a message (never a traceback), progress bars, one unit of work."""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable, Iterable
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from sqlalchemy.orm import Session

from securecomm.database import opened_database, utcnow
from securecomm.exceptions import SecurecommError

T = TypeVar("T")

# Logs and pipes get a full-width table; a terminal uses its own width.
console = Console(width=None if sys.stdout.isatty() else 120, highlight=False)
errors = Console(stderr=True, highlight=False)

DatabaseOption = Annotated[
    str | None,
    typer.Option("--database-url", help="SQLAlchemy URL; default SECURECOMM_DATABASE_URL."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


def fail(message: str, code: int = 2) -> typer.Exit:
    errors.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


def progress() -> Progress:
    return Progress(
        TextColumn("{task.description:<28}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=errors,
        transient=False,
    )


def phase_reporter(bars: Progress) -> Callable[[str, int, int], None]:
    """A ``(phase, done, total)`` callback that keeps one progress bar per phase."""
    tasks: dict[str, TaskID] = {}

    def report(phase: str, done: int, total: int) -> None:
        if phase not in tasks:
            tasks[phase] = bars.add_task(phase, total=max(total, 1))
        bars.update(tasks[phase], completed=done, total=max(total, 1))

    return report


def run_unit(url: str | None, work: Callable[[Session], T]) -> T:
    """Run ``work`` in one unit of work on the database; a refusal exits with its message."""
    try:
        with opened_database(url) as database, database.session() as session:
            return work(session)
    except SecurecommError as error:
        raise fail(str(error)) from None


def operator() -> str:
    """Who acts at the shell: the operating-system account (the store has no sign-in for
    it), recorded as ``cli:<account>``."""
    try:
        return f"cli:{getpass.getuser()}"[:64]
    except (KeyError, OSError):  # no passwd entry (a container's numeric user)
        return "cli:unknown"


def audit_read(session: Session, *, command: str, records: Iterable[str]) -> None:
    """A command that showed personal data, in the audit log like any page: who (the
    shell account), the command, the records shown, the purpose stated in
    SECURECOMM_PURPOSE (or "command line")."""
    from securecomm.audit import service as audit_service

    shown = list(records)
    audit_service.record(
        session,
        kind="cli.read",
        actor=operator(),
        role="cli-operator",
        purpose=os.environ.get("SECURECOMM_PURPOSE", "command line")[:200],
        records=shown[:500],
        occurred_at=utcnow(),
        summary=f"securecomm {command} ({len(shown)} records)",
    )
