"""``securecomm oversight``: the program's statistics report and the oversight checks,
on any store (the embedded default or SECURECOMM_DATABASE_URL)."""

from __future__ import annotations

import enum
import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from securecomm.clitools import DatabaseOption, console, fail
from securecomm.database import opened_database
from securecomm.exceptions import SecurecommError
from securecomm.oversight import monitor_cli

app = typer.Typer(no_args_is_help=True, help="Statistics report and oversight checks.")
app.command("monitor")(monitor_cli.monitor_command)
app.command("reviews")(monitor_cli.reviews_command)
app.command("decide")(monitor_cli.decide_command)
app.command("citizens")(monitor_cli.citizens_command)
app.command("participation")(monitor_cli.participation_command)
app.command("prepare-activation")(monitor_cli.prepare_activation_command)
app.command("sign-activation")(monitor_cli.sign_activation_command)
app.command("publish-transparency")(monitor_cli.publish_transparency_command)


class Format(enum.StrEnum):
    CSV = "csv"
    JSON = "json"
    HTML = "html"
    PDF = "pdf"


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise fail(f"{option}: {text!r} is not a date (YYYY-MM-DD)") from None


def _required_day(text: str, option: str) -> date:
    day = _day(text, option)
    if day is None:  # pragma: no cover - a str always gives a date or an error
        raise fail(f"{option}: a date is required")
    return day


@app.command()
def report(
    through: Annotated[
        str | None,
        typer.Option(help="As-of date (YYYY-MM-DD); default: everything on record."),
    ] = None,
    output_dir: Annotated[Path, typer.Option(help="Where the report files go.")] = Path(
        "out/report"
    ),
    formats: Annotated[
        list[Format] | None,
        typer.Option("--format", help="csv, json, html or pdf; repeat for several (default all)."),
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """The IDENT/IAFIS interoperability statistics as published: nationwide, per state and
    per jurisdiction, cumulative, per fiscal year and per month, with detainer outcomes,
    due-process figures and charts."""
    from securecomm.oversight import report as program_report

    as_of = _day(through, "--through")
    wanted = set(formats or list(Format))
    try:
        with opened_database(database_url) as database, database.session() as session:
            built = program_report.build(session, through=as_of)
    except SecurecommError as error:
        raise fail(str(error)) from None
    files: list[Path] = []
    if Format.CSV in wanted:
        files += program_report.write_csv(built, output_dir)
    if Format.JSON in wanted:
        files.append(program_report.write_json(built, path=output_dir / "report.json"))
    if Format.HTML in wanted:
        files.append(program_report.render_html(built, path=output_dir / "report.html"))
    if Format.PDF in wanted:
        files.append(program_report.render_pdf(built, path=output_dir / "report.pdf"))
    n = built.cumulative.nationwide
    console.print(
        f"statistics {built.title_period}: {n.submissions} submissions, {n.matches} matches, "
        f"{n.detainers} detainers, {n.booked} booked into ICE custody, {n.removed} removed"
    )
    for path in files:
        console.print(f"  {path}")


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
    for table in statistics_tables(computed):
        console.print(table)


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


def statistics_tables(stats: Any) -> list[Table]:
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


@app.command("compare-policies")
def compare_policies(
    people: Annotated[int, typer.Option(min=20, help="Persons in the synthetic world.")] = 2000,
    start: Annotated[str, typer.Option(help="First day of bookings (YYYY-MM-DD).")] = "2008-10-01",
    end: Annotated[str, typer.Option(help="Last day of bookings (YYYY-MM-DD).")] = "2018-12-31",
    seed: Annotated[int, typer.Option(help="World seed; same seed, same world.")] = 2008,
    population: Annotated[
        str, typer.Option(help="published (calibrated, the default) or dense.")
    ] = "published",
    output_dir: Annotated[Path, typer.Option(help="Where the table and chart go.")] = Path(
        "out/policies"
    ),
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Run one synthetic booking stream under every priority scheme (2008 levels, 2010
    Morton memo, 2014 PEP, 2017 EO 13768) and the critics' "serious offenders only":
    detainers and removals per level, citizens and minor offenders affected, beds needed."""
    from securecomm.simulation import policies
    from securecomm.simulation.generate import build_world
    from securecomm.simulation.world import WorldSpecError

    first, last = _required_day(start, "--start"), _required_day(end, "--end")
    try:
        world = build_world(
            people=people,
            start=first,
            end=last,
            seed=seed,
            population=population,
            fingerprints=False,  # decided by the rules alone: nobody is searched
        )
    except WorldSpecError as error:
        raise fail(str(error)) from None
    comparison = policies.compare_policies(world)
    rows = [outcome.as_row() for outcome in comparison.outcomes]
    output_dir.mkdir(parents=True, exist_ok=True)
    table_path = _write_rows(rows, output_dir / "policies.csv")
    chart_paths = _policy_charts(comparison, output_dir)
    if as_json:
        payload = {"matched_bookings": comparison.matched_bookings, "schemes": rows}
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        return
    console.print(_policy_table(comparison))
    console.print(f"files: {table_path}, " + ", ".join(str(p) for p in chart_paths))


def _write_rows(rows: list[dict[str, Any]], path: Path) -> Path:
    import csv

    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _policy_table(comparison: Any) -> Table:
    table = Table(
        title=f"One booking stream under each scheme ({comparison.matched_bookings} bookings "
        "matched an immigration record); by level: L1/L2/L3/non-criminal"
    )
    for heading in (
        "scheme",
        "detainers (by level)",
        "removals (by level)",
        "citizens",
        "minor offenders",
        "traffic only",
        "beds avg / peak",
    ):
        table.add_column(heading, justify="left" if heading == "scheme" else "right")
    for outcome in comparison.outcomes:
        table.add_row(
            outcome.label,
            _by_level(outcome.detainers_total, outcome.detainers),
            _by_level(outcome.removals_total, outcome.removals),
            str(outcome.citizens_affected),
            str(outcome.minor_offenders),
            str(outcome.traffic_only),
            f"{outcome.average_beds:.1f} / {outcome.peak_beds}",
        )
    return table


def _by_level(total: int, counts: Any) -> str:
    return f"{total} ({'/'.join(str(counts[level]) for level in LEVEL_KEYS)})"


LEVEL_KEYS = ("level_1", "level_2", "level_3", "non_criminal")
LEVEL_NAMES = ("Level 1", "Level 2", "Level 3", "Non-criminal")


def _policy_charts(comparison: Any, directory: Path) -> list[Path]:
    from securecomm.oversight import charts

    labels = [outcome.scheme for outcome in comparison.outcomes]
    paths = []
    for what in ("detainers", "removals"):
        series = [
            (name, [getattr(o, what)[key] for o in comparison.outcomes])
            for name, key in zip(LEVEL_NAMES, LEVEL_KEYS, strict=True)
        ]
        figure = charts.stacked_bars_figure(
            f"{what.capitalize()} by conviction level under each scheme",
            labels,
            series,
            colours=charts.LEVEL_COLOURS,
            ylabel=what,
        )
        paths.append(charts.save(figure, directory / f"policies_{what}.png"))
    return paths
