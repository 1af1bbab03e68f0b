"""``securecomm submit`` and ``securecomm booking ...``: submissions from local agencies,
the review of the ones refused or held, and sending a held one round again."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from securecomm.booking import service as booking_service
from securecomm.booking.models import SubmissionKind
from securecomm.clitools import DatabaseOption, JsonOption, audit_read, console, fail
from securecomm.config import get_settings
from securecomm.database import opened_database
from securecomm.exceptions import SecurecommError
from securecomm.pipeline import submit as intake

app = typer.Typer(help="Submissions from local agencies.", no_args_is_help=True)


def _read_bounded(file: Path) -> tuple[bytes, int | None]:
    """The file's bytes, never more than a submission may hold, and its true size when
    that is more than was read."""
    settings = get_settings()
    ceiling = max(settings.max_submission_bytes, settings.max_json_bytes)
    try:
        size = file.stat().st_size
        with file.open("rb") as handle:
            raw = handle.read(ceiling + 1)
    except OSError as error:
        raise fail(f"cannot read {file}: {error.strerror or error}") from None
    return raw, size if size > len(raw) else None


def submit(
    file: Annotated[Path, typer.Argument(help="A CAR/CNA (ANSI/NIST-ITL) or JSON booking.")],
    database_url: DatabaseOption = None,
    answers_dir: Annotated[
        Path, typer.Option(help="Answer files go to DIR/<recipient ORI>/<TCN>.<TYPE>.*")
    ] = Path("out/answers"),
    court_docket: Annotated[
        Path | None,
        typer.Option(help="JSON {FIN: outcome} for hearings, loaded into the store first."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Take one booking file through the whole flow and write its answer files.

    The database must hold the agencies, jurisdictions and repositories. Exits 1 when
    the file is rejected or held for review (its ERRT or notice says why; the raw file
    is kept).
    """
    from securecomm.cases.docket import court_of

    raw, raw_size = _read_bounded(file)
    try:
        with opened_database(database_url) as database:
            court = court_of(database, court_docket)
            result = intake.submit(
                database, raw, answers_dir=answers_dir, court=court, raw_size=raw_size
            )
    except SecurecommError as error:
        raise fail(str(error)) from None
    if as_json:
        sys.stdout.write(intake.json_text(result))
    else:
        for line in intake.result_lines(result):
            console.print(line, soft_wrap=True, markup=False)
    if not result.accepted:
        raise typer.Exit(1)


@app.command("submit")
def booking_submit(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    database_url: DatabaseOption = None,
) -> None:
    """Store a JSON booking document as received (raw kept even when invalid)."""
    raw, raw_size = _read_bounded(file)
    try:
        with opened_database(database_url) as database, database.session() as session:
            submission, new = booking_service.receive(
                session,
                kind=SubmissionKind.BOOKING,
                raw=raw,
                event_at=datetime.now(UTC),
                raw_size=raw_size,
            )
            key = submission.external_key
    except SecurecommError as error:
        raise fail(str(error)) from None
    console.print(f"{'stored' if new else 'already received'}: submission {key}", markup=False)


def _problems_text(item: dict[str, Any]) -> str:
    failure = item.get("failure") or {}
    if failure:
        return f"{failure.get('error')} at step {failure.get('step')}: {failure.get('message')}"
    return "\n".join(f"{e['field']}: {e['message']} [{e['rule']}]" for e in item["errors"])


@app.command("review")
def booking_review(
    database_url: DatabaseOption = None,
    as_json: JsonOption = False,
    limit: Annotated[int, typer.Option(min=1)] = 50,
) -> None:
    """List submissions kept for review: rejected (every field problem) and failed (the
    error and the step it stopped at; retry with ``securecomm booking retry ID``)."""
    try:
        with opened_database(database_url) as database, database.session() as session:
            kept = booking_service.kept_for_review(session, limit=limit)
            items = [booking_service.summary(submission) for submission in kept]
            records = (f"submission:{s.id}" for s in kept)
            audit_read(session, command="booking review", records=records)
    except SecurecommError as error:
        raise fail(str(error)) from None
    if as_json:
        sys.stdout.write(json.dumps(items, indent=2, default=str) + "\n")
        return
    table = Table(title=f"Submissions kept for review ({len(items)})")
    for column in ("id", "state", "key", "sender", "received", "problems"):
        table.add_column(column)
    for item in items:
        table.add_row(
            str(item["id"]),
            str(item["state"]),
            item["key"][:30],
            item["sender"] or "",
            item["received_at"][:19],
            _problems_text(item),
        )
    console.print(table)


@app.command("retry")
def booking_retry(
    submission_id: Annotated[int, typer.Argument(help="A failed submission's id.")],
    database_url: DatabaseOption = None,
) -> None:
    """Send a failed submission round again (after the cause is fixed); the next worker
    run resumes it from the step it stopped at."""
    try:
        with opened_database(database_url) as database, database.session() as session:
            submission = booking_service.retry(session, submission_id=submission_id)
            state = submission.state
    except SecurecommError as error:
        raise fail(str(error)) from None
    console.print(f"submission {submission_id}: {state}; the next worker run takes it")


__all__ = ["app", "submit"]
