"""The ``securecomm`` command line: the demo, the worker, intake review and statistics."""

from __future__ import annotations

import json
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from securecomm.ansi_nist import cli as ansi_nist_cli
from securecomm.api import cli as api_cli
from securecomm.audit import cli as audit_cli
from securecomm.auth import cli as auth_cli
from securecomm.biometrics import cli as biometrics_cli
from securecomm.booking import cli as booking_cli
from securecomm.cases import capacity_cli
from securecomm.cases import cli as cases_cli
from securecomm.clitools import (
    DatabaseOption,
    audit_read,
    console,
    fail,
    progress,
)
from securecomm.config import get_settings
from securecomm.database import cli as database_cli
from securecomm.database import maintenance_warnings, opened_database
from securecomm.exceptions import SecurecommError
from securecomm.interop import cli as interop_cli
from securecomm.oversight import cli as oversight_cli
from securecomm.repositories import cli as repositories_cli
from securecomm.simulation import cli as simulation_cli

app = typer.Typer(
    help="securecomm: the Secure Communities interoperability flow, open and explainable.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(booking_cli.app, name="booking", no_args_is_help=True)
app.command("submit")(booking_cli.submit)
examiner_app = typer.Typer(help="Fingerprint examiners' queue.", no_args_is_help=True)
app.add_typer(examiner_app, name="examiner")
app.add_typer(ansi_nist_cli.app, name="ansi-nist", help="Read and validate ANSI/NIST-ITL files.")
app.add_typer(biometrics_cli.app, name="biometrics", help="Evaluate and benchmark the engine.")
app.add_typer(cases_cli.app, name="case", no_args_is_help=True)
app.add_typer(audit_cli.app, name="audit")
app.add_typer(interop_cli.app, name="broker")
app.add_typer(database_cli.app, name="db")
repositories_cli.app.command()(simulation_cli.background)
app.add_typer(repositories_cli.app, name="repositories")
app.add_typer(oversight_cli.app, name="oversight")
app.command()(oversight_cli.stats)
app.command()(simulation_cli.demo)
app.command()(simulation_cli.calibrate)
app.add_typer(auth_cli.users_app, name="users")
app.add_typer(auth_cli.agencies_app, name="agencies")
app.command()(auth_cli.init)
app.add_typer(capacity_cli.app, name="capacity", no_args_is_help=True)
app.command()(api_cli.serve)
app.command()(api_cli.permissions)


@app.command()
def worker(
    database_url: DatabaseOption = None,
    court_docket: Annotated[
        Path | None,
        typer.Option(
            help="JSON {FIN: outcome} from the immigration court, loaded into the store "
            "first; default: the docket already in the store."
        ),
    ] = None,
    limit: Annotated[int | None, typer.Option(help="Stop after this many submissions.")] = None,
    gallery_dir: Annotated[
        Path | None,
        typer.Option(help="Keep galleries on disk here; default SECURECOMM_GALLERY_DIR."),
    ] = None,
    follow: Annotated[
        bool,
        typer.Option(
            help="Keep running and take new submissions as they arrive, until stopped "
            "(SIGTERM or Ctrl-C finish the submission in hand first)."
        ),
    ] = False,
    shards: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Split each gallery in this many Ray actors, rebuilt from the database "
            "(default SECURECOMM_GALLERY_SHARDS; 0: in this process).",
        ),
    ] = None,
) -> None:
    """Process every stored submission to its end (resumes after a crash)."""
    from securecomm.cases.docket import court_of
    from securecomm.pipeline.worker import Worker
    from securecomm.simulation import demo_store

    try:
        with opened_database(database_url) as database:
            for warning in maintenance_warnings(database):
                console.print(f"[yellow]warning:[/] {warning}")
            court = court_of(database, court_docket)
            runner = Worker(
                database,
                court=court,
                gallery_dir=gallery_dir or get_settings().gallery_dir,
                clock=demo_store.service_clock(database),  # a demo world's drawn times
                gallery_shards=shards,
            )
            for stop_signal in (signal.SIGTERM, signal.SIGINT):
                signal.signal(stop_signal, lambda *_: runner.stop())
            pending = runner.pending()
            try:
                with progress() as bars:
                    task = bars.add_task("processing submissions", total=max(pending, 1))
                    report = runner.run(
                        limit=limit,
                        follow=follow,
                        on_progress=lambda done: bars.update(task, completed=done),
                    )
            finally:
                runner.close()
    except SecurecommError as error:
        raise fail(str(error)) from None
    console.print(
        f"processed {report.submissions} submissions in {report.steps} steps; "
        f"delivered {report.messages_delivered} messages"
    )


@examiner_app.command("list")
def examiner_list(
    database_url: DatabaseOption = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Possible identifications waiting for an examiner, oldest first."""
    from securecomm.interop import examiner

    with opened_database(database_url) as database, database.session() as session:
        items = [
            {
                "review": r.id,
                "transaction": r.transaction_id,
                "repository": str(r.repository),
                "candidate_subject": r.candidate_subject_id,
                "score": round(r.score, 1),
                "finger_scores": r.finger_scores,
                "queued_at": r.queued_at.isoformat(),
            }
            for r in examiner.pending(session)
        ]
        audit_read(
            session,
            command="examiner list",
            records=(f"examiner_review:{i['review']}" for i in items),
        )
    if as_json:
        sys.stdout.write(json.dumps(items, indent=2) + "\n")
        return
    table = Table(title=f"Examiner queue ({len(items)} pending)")
    for column in ("review", "transaction", "repository", "candidate", "score", "queued"):
        table.add_column(column)
    for item in items:
        table.add_row(
            str(item["review"]),
            str(item["transaction"]),
            str(item["repository"]),
            str(item["candidate_subject"]),
            str(item["score"]),
            str(item["queued_at"])[:19],
        )
    console.print(table)


def _examiner_decides(
    review: int, *, confirm: bool, examiner_name: str, note: str, database_url: str | None
) -> None:
    from securecomm.interop import examiner

    try:
        with opened_database(database_url) as database, database.session() as session:
            decided = examiner.decide(
                session,
                review_id=review,
                confirm=confirm,
                examiner=examiner_name,
                at=datetime.now(UTC),
                note=note,
            )
            status = decided.status
    except SecurecommError as error:
        raise fail(str(error)) from None
    console.print(f"review {review}: {status}; the booking resumes at the next worker run")


ExaminerOption = Annotated[str, typer.Option("--examiner", help="Who decided (recorded).")]
NoteOption = Annotated[str, typer.Option(help="Why, in a sentence (recorded).")]


@examiner_app.command("confirm")
def examiner_confirm(
    review: int,
    examiner_name: ExaminerOption,
    note: NoteOption = "",
    database_url: DatabaseOption = None,
) -> None:
    """Confirm a possible identification: the candidate is the person booked."""
    _examiner_decides(
        review, confirm=True, examiner_name=examiner_name, note=note, database_url=database_url
    )


@examiner_app.command("reject")
def examiner_reject(
    review: int,
    examiner_name: ExaminerOption,
    note: NoteOption = "",
    database_url: DatabaseOption = None,
) -> None:
    """Reject a possible identification: the booking is treated as not identified."""
    _examiner_decides(
        review, confirm=False, examiner_name=examiner_name, note=note, database_url=database_url
    )


def main() -> None:  # pragma: no cover - console entry point
    app()
