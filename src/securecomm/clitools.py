"""What every command line module shares: consoles, the database option, a clean exit
with a message (never a traceback), progress bars, one unit of work."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.orm import Session

from securecomm.database import opened_database
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


def run_unit(url: str | None, work: Callable[[Session], T]) -> T:
    """Run ``work`` in one unit of work on the database; a refusal exits with its message."""
    try:
        with opened_database(url) as database, database.session() as session:
            return work(session)
    except SecurecommError as error:
        raise fail(str(error)) from None
