"""The ``securecomm`` command line: the demo, the worker, intake review and statistics."""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

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
    phase_reporter,
    progress,
)
from securecomm.config import get_settings
from securecomm.database import opened_database
from securecomm.exceptions import SecurecommError

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
app.add_typer(auth_cli.users_app, name="users")
app.add_typer(auth_cli.agencies_app, name="agencies")
app.command()(auth_cli.init)
app.add_typer(capacity_cli.app, name="capacity", no_args_is_help=True)
app.command()(api_cli.serve)
app.command()(api_cli.permissions)


@app.command()
def demo(
    people: Annotated[int, typer.Option(min=20, help="Persons in the synthetic world.")] = 2000,
    start: Annotated[str, typer.Option(help="First day of bookings (YYYY-MM-DD).")] = "2008-10-01",
    end: Annotated[str, typer.Option(help="Last day of bookings (YYYY-MM-DD).")] = "2018-12-31",
    seed: Annotated[int, typer.Option(help="World seed; same seed, same world.")] = 2008,
    invalid_fraction: Annotated[
        float, typer.Option(min=0.0, max=0.5, help="Share of bookings sent malformed.")
    ] = 0.005,
    output_dir: Annotated[Path, typer.Option(help="Where CSV and HTML go.")] = Path("out"),
    images: Annotated[
        bool,
        typer.Option(
            "--images",
            help="Render every capture as a synthetic fingerprint image and extract its "
            "template (about a second per capture: use a small --people).",
        ),
    ] = False,
    exchange_dir: Annotated[
        Path | None,
        typer.Option(help="Write every CAR submitted and every answer delivered here."),
    ] = None,
    database_url: DatabaseOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Build a synthetic world, run every booking through the flow, print the statistics."""
    from securecomm.simulation.demo import DemoOptions, run_demo

    try:
        options = DemoOptions(
            people=people,
            start=date.fromisoformat(start),
            end=date.fromisoformat(end),
            seed=seed,
            invalid_fraction=invalid_fraction,
            output_dir=output_dir,
            exchange_dir=exchange_dir,
            images=images,
        )
    except ValueError as error:
        raise fail(f"--start/--end must be dates as YYYY-MM-DD ({error})") from None
    if options.end <= options.start:
        raise fail("--end must be after --start")
    try:
        url = database_url or demo_database(output_dir, options)
        with opened_database(url) as database, progress() as bars:
            result = run_demo(database, options, phase_reporter(bars))
    except SecurecommError as error:
        raise fail(str(error)) from None
    summary = result.summary()
    if as_json:
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
        return
    _print_demo(result, summary)


def demo_database(output_dir: Path, options: Any) -> str:
    """``out/demo.sqlite``: kept when it holds an unfinished run of the same world (the
    run resumes), otherwise started afresh."""
    from securecomm.simulation import demo_store

    path = output_dir / "demo.sqlite"
    url = f"sqlite:///{path}"
    if path.exists():
        with opened_database(url) as database:
            if demo_store.resumable(database, options.world_options()):
                return url
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    output_dir.mkdir(parents=True, exist_ok=True)
    return url


def _print_demo(result: Any, summary: dict[str, Any]) -> None:
    from securecomm.oversight.statistics import Statistics

    stats: Statistics = result.statistics
    for table in _statistics_tables(stats):
        console.print(table)
    accuracy = Table(title="Identification accuracy against ground truth")
    accuracy.add_column("measure")
    accuracy.add_column("count", justify="right")
    for key in (
        "missed_identifications",
        "wrong_identifications",
        "citizens_flagged",
        "status_mismatches",
        "ground_truth_mismatches",
        "statistics_cells_off_oracle",
        "decisions_off_oracle",
        "decisions_compared_with_oracle",
        "rejected_submissions",
        "examiner_reviews",
    ):
        accuracy.add_row(key.replace("_", " "), str(summary[key]))
    console.print(accuracy)
    if result.answer_times:
        waits = Table(title="Minutes from booking to each answer's arrival")
        for heading in ("answer", "answers", "median", "p90", "p99", "max"):
            waits.add_column(heading, justify="left" if heading == "answer" else "right")
        for row in result.answer_times:
            waits.add_row(
                row.answer,
                str(row.answers),
                *(f"{value:.1f}" for value in (row.median_minutes, row.p90_minutes)),
                *(f"{value:.1f}" for value in (row.p99_minutes, row.max_minutes)),
            )
        console.print(waits)
    if result.resumed_from is not None:
        console.print(f"resumed an earlier run of this world stopped at: {result.resumed_from}")
    for line in result.mismatches[:10]:
        console.print(f"[red]statistic off the rule oracle:[/] {line}")
    for disagreement in result.agreement.items[:5]:
        console.print(f"decision off the rule oracle: {disagreement}", style="red", markup=False)
    for line in result.accuracy.examples[:10]:
        console.print(f"[yellow]identification note:[/] {line}")
    console.print(
        f"{summary['people']} persons, {summary['bookings']} bookings in "
        f"{summary['seconds']:.1f} s ({summary['phase_seconds']}); files: "
        + ", ".join(str(p) for p in result.files)
    )
    console.print(f"Open this world in the browser: [bold]{api_cli.DEMO_COMMAND}[/]")


# (column title, Counts attribute): two tables so each fits an ordinary terminal
MATCH_COLUMNS = (
    ("Bookings", "bookings"),
    ("Submissions", "submissions"),
    ("Matches", "matches"),
    ("L1", "matches_level_1"),
    ("L2&3", "matches_level_2_3"),
    ("Detainers", "detainers"),
)
OUTCOME_COLUMNS = (
    ("Booked", "booked"),
    ("L1", "booked_level_1"),
    ("L2", "booked_level_2"),
    ("L3", "booked_level_3"),
    ("Non-crim.", "booked_non_criminal"),
    ("Removed", "removed"),
    ("L1", "removed_level_1"),
    ("L2", "removed_level_2"),
    ("L3", "removed_level_3"),
    ("Non-crim.", "removed_non_criminal"),
)


def _statistics_tables(stats: Any) -> list[Table]:
    """The report's two pages: submissions and matches, then custody and removals."""
    return [
        _counts_table(
            stats,
            "IDENT/IAFIS interoperability: submissions, IDENT matches (by 2008 level), detainers",
            MATCH_COLUMNS,
        ),
        _counts_table(
            stats,
            "Booked into ICE custody and removed or returned, by conviction level",
            OUTCOME_COLUMNS,
        ),
    ]


def _counts_table(stats: Any, title: str, columns: tuple[tuple[str, str], ...]) -> Table:
    table = Table(title=title, caption="cumulative since each jurisdiction's activation")
    table.add_column("State / jurisdiction (activated)")
    for heading, _attribute in columns:
        table.add_column(heading, justify="right")

    def row(name: str, counts: Any) -> list[str]:
        return [name, *(str(getattr(counts, attribute)) for _h, attribute in columns)]

    for state, counts in stats.states.items():
        table.add_row(*row(state, counts), style="bold")
        for jurisdiction in stats.jurisdictions:
            if jurisdiction.state == state:
                activated = jurisdiction.activation_date or "not activated"
                table.add_row(*row(f"  {jurisdiction.name} ({activated})", jurisdiction.counts))
    table.add_row(*row("Nationwide", stats.nationwide), style="bold reverse")
    return table


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
) -> None:
    """Process every stored submission to its end (resumes after a crash)."""
    from securecomm.cases.docket import court_of
    from securecomm.pipeline.worker import Worker
    from securecomm.simulation import demo_store

    try:
        with opened_database(database_url) as database:
            court = court_of(database, court_docket)
            runner = Worker(
                database,
                court=court,
                gallery_dir=gallery_dir or get_settings().gallery_dir,
                clock=demo_store.service_clock(database),  # a demo world's drawn times
            )
            pending = runner.pending()
            with progress() as bars:
                task = bars.add_task("processing submissions", total=max(pending, 1))
                report = runner.run(
                    limit=limit, on_progress=lambda done: bars.update(task, completed=done)
                )
    except SecurecommError as error:
        raise fail(str(error)) from None
    console.print(
        f"processed {report.submissions} submissions in {report.steps} steps; "
        f"delivered {report.messages_delivered} messages"
    )


@app.command()
def stats(
    database_url: DatabaseOption = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Print the interoperability statistics of a database."""
    from dataclasses import asdict

    from securecomm.oversight import statistics

    try:
        with opened_database(database_url) as database, database.session() as session:
            computed = statistics.compute(session)
    except SecurecommError as error:
        raise fail(str(error)) from None
    if as_json:
        payload = {
            "nationwide": asdict(computed.nationwide),
            "states": {s: asdict(c) for s, c in computed.states.items()},
        }
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        return
    for table in _statistics_tables(computed):
        console.print(table)


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
