"""``securecomm demo``: build a synthetic world, run every booking through the flow, and
report the statistics beside the rule oracle's and the program's published figures."""

from __future__ import annotations

import enum
import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from securecomm.api import cli as api_cli
from securecomm.clitools import DatabaseOption, console, fail, phase_reporter, progress
from securecomm.database import opened_database
from securecomm.exceptions import SecurecommError
from securecomm.oversight.cli import statistics_tables
from securecomm.repositories.cli import GalleryDirOption, gallery_directory
from securecomm.repositories.models import Repository


class Population(enum.StrEnum):
    PUBLISHED = "published"
    DENSE = "dense"


def demo(
    people: Annotated[int, typer.Option(min=20, help="Persons in the synthetic world.")] = 2000,
    start: Annotated[str, typer.Option(help="First day of bookings (YYYY-MM-DD).")] = "2008-10-01",
    end: Annotated[str, typer.Option(help="Last day of bookings (YYYY-MM-DD).")] = "2018-12-31",
    seed: Annotated[int, typer.Option(help="World seed; same seed, same world.")] = 2008,
    invalid_fraction: Annotated[
        float, typer.Option(min=0.0, max=0.5, help="Share of bookings sent malformed.")
    ] = 0.005,
    output_dir: Annotated[
        Path, typer.Option(help="Where the report (CSV, JSON, HTML, PDF) goes.")
    ] = Path("out"),
    population: Annotated[
        Population,
        typer.Option(
            help="published: calibrated to the program's published national figures; "
            "dense: two in five people have an immigration record (exercises the federal "
            "side in a small world)."
        ),
    ] = Population.PUBLISHED,
    plant_profiling: Annotated[
        bool,
        typer.Option(
            "--plant-profiling",
            help="Plant a jurisdiction whose police stop one group on pretexts, and one "
            "officer elsewhere who does the same; the profiling monitor should flag both.",
        ),
    ] = False,
    images: Annotated[
        bool,
        typer.Option(
            "--images",
            help="Render every capture as a synthetic fingerprint image; bookings then "
            "travel as CAR files with WSQ Type-14 images that the intake extracts (about "
            "two seconds per capture in all: use a small --people).",
        ),
    ] = False,
    exchange_dir: Annotated[
        Path | None,
        typer.Option(help="Write every CAR submitted and every answer delivered here."),
    ] = None,
    large_world: Annotated[
        int,
        typer.Option(
            min=0,
            help="Also count the same seed at this many people (rule oracle, seconds) beside "
            "the published figures; 0: do not.",
        ),
    ] = 20_000,
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
            population=population.value,
            plant_profiling=plant_profiling,
            large_world=large_world,
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
    for table in statistics_tables(stats):
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
    console.print(_published_table(stats, result.large_world))
    monitor = summary["profiling_monitor"]
    console.print(
        "profiling monitor: flagged "
        + (", ".join(monitor["flagged"]) or "none")
        + (f"; planted {', '.join(monitor['planted'])}" if monitor["planted"] else "")
        + (f"; [red]missed {', '.join(monitor['missed'])}[/]" if monitor["missed"] else "")
        + (
            f"; [red]flagged but not planted {', '.join(monitor['flagged_not_planted'])}[/]"
            if monitor["flagged_not_planted"] and monitor["planted"]
            else ""
        )
    )
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


def _published_table(stats: Any, large_world: list[Any]) -> Table:
    from securecomm.simulation import published

    large = {row.key: row for row in large_world}
    table = Table(
        title="This world beside the program's published figures",
        caption="yellow: the published range lies outside the world's 95 % interval. A small "
        "world's shares are noisy: the same seed in a larger world (--large-world; counted by "
        "the rule oracle, which the flow reproduces cell for cell) shows the stable ones; "
        "securecomm calibrate counts several seeds",
    )
    headings = ("figure", "this world", "larger world", "published", "source")
    for heading in headings:
        table.add_column(heading, justify="right" if heading != "figure" else "left")
    for row in published.compare(stats.nationwide):
        bigger = large.get(row.key)
        table.add_row(
            row.figure, _shown(row), _shown(bigger) if bigger else "—", row.published, row.source
        )
    return table


def _shown(row: Any) -> str:
    return f"[yellow]{row.world_text}[/]" if row.clearly_off() else row.world_text


def calibrate(
    people: Annotated[int, typer.Option(min=100, help="Persons in each world.")] = 20000,
    seeds: Annotated[str, typer.Option(help="World seeds, comma-separated.")] = "2008,1,2",
    start: Annotated[str, typer.Option(help="First day of bookings (YYYY-MM-DD).")] = "2008-10-01",
    end: Annotated[str, typer.Option(help="Last day of bookings (YYYY-MM-DD).")] = "2018-12-31",
    population: Annotated[Population, typer.Option()] = Population.PUBLISHED,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead.")] = False,
) -> None:
    """The default world's figures beside the program's published ones, over several
    seeds of a world large enough for stable shares (counted by the rule oracle, which
    the flow reproduces cell for cell; no database, no fingerprints)."""
    from securecomm.simulation import published

    try:
        seed_list = [int(part) for part in seeds.split(",") if part.strip()]
        first, last = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError as error:
        raise fail(f"--seeds must be integers and --start/--end YYYY-MM-DD ({error})") from None
    if not seed_list:
        raise fail("--seeds: give at least one seed")
    if last <= first:
        raise fail("--end must be after --start")
    with progress() as bar:
        task = bar.add_task("building and counting worlds", total=len(seed_list))
        result = published.calibrate(
            people=people,
            seeds=seed_list,
            start=first,
            end=last,
            population=population.value,
            on_seed=lambda _seed: bar.advance(task),
        )
    if as_json:
        rows = {
            "people": people,
            "seeds": {
                str(seed): {row.key: [row.part, row.whole] for row in rows}
                for seed, rows in result.by_seed.items()
            },
            "pooled": {row.key: [row.part, row.whole] for row in result.pooled},
            "published": {
                row.key: [row.reference.low, row.reference.high] for row in result.pooled
            },
        }
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    table = Table(title=f"Worlds of {people:,} people beside the published figures")
    table.add_column("figure")
    table.add_column("published", justify="right")
    for seed in result.by_seed:
        table.add_column(f"seed {seed}", justify="right")
    table.add_column("all seeds", justify="right")
    for index, row in enumerate(result.pooled):
        per_seed = [_share(rows[index]) for rows in result.by_seed.values()]
        table.add_row(row.figure, row.published, *per_seed, _shown(row))
    console.print(table)


def _share(row: Any) -> str:
    return "—" if row.world is None else f"{100 * row.world:.1f} %"


def background(
    identities: Annotated[int, typer.Option(min=1, help="Strangers in each repository.")],
    shards: Annotated[
        int, typer.Option(min=0, help="Also write them into this many shard snapshots.")
    ] = 0,
    gallery_dir: GalleryDirOption = None,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic prints.")] = 17,
    repository: Annotated[
        list[Repository] | None,
        typer.Option(help="Only this repository (repeatable; default both)."),
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Enrol synthetic strangers in both repositories (records and templates), so a
    world's bookings are searched among galleries of national size."""
    from securecomm.simulation.background import add_background

    directory = gallery_directory(gallery_dir) if shards else None
    try:
        with opened_database(database_url) as database, progress() as bars:
            chosen = tuple(repository or Repository)
            tasks = {str(r): bars.add_task(f"{r} background", total=identities) for r in chosen}
            report = add_background(
                database,
                identities=identities,
                seed=seed,
                shards=shards,
                gallery_dir=directory,
                progress=lambda name, done, _total: bars.update(tasks[name], completed=done),
                repositories=chosen,
            )
    except SecurecommError as error:
        raise fail(str(error)) from None
    for name, (first, last) in report.subject_ids.items():
        console.print(f"{name}: subjects {first}-{last}, {report.fingers[name]} fingers stored")
