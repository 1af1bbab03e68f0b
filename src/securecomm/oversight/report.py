"""The program's statistics report as it was published, "through" an as-of date: the
nationwide page, then per state and per jurisdiction with its activation date;
cumulative since activation, per fiscal year and per month; the detainer outcomes and
the due-process figures; with charts. Written as JSON, CSV, HTML and PDF (WeasyPrint)."""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy.orm import Session

import securecomm
from securecomm.oversight import (
    charts,
    due_process,
    periods,
    redress,
    safeguards,
    statistics,
)
from securecomm.oversight.due_process import DueProcessTable
from securecomm.oversight.periods import Window
from securecomm.oversight.statistics import Counts, Ledger, Statistics

LEVELS = (("Level 1", "level_1"), ("Level 2", "level_2"), ("Level 3", "level_3"))
OUTCOMES = ("honoured", "declined", "lapsed", "cancelled")


@dataclass(frozen=True)
class PeriodRow:
    label: str
    counts: Counts


@dataclass
class ProgramReport:
    through: date | None
    cumulative: Statistics
    fiscal_years: list[PeriodRow]
    months: list[PeriodRow]
    due_process: DueProcessTable
    safeguards: dict[str, int] = field(default_factory=dict)  # the citizen safeguard counts
    revisions: dict[str, Any] = field(default_factory=dict)  # what redress corrected
    generated: str = field(default_factory=lambda: datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))

    @cached_property
    def charts(self) -> dict[str, tuple[str, str]]:
        """name -> (alternative text, SVG), drawn once for every format."""
        return chart_svgs(self)

    @property
    def title_period(self) -> str:
        return f"through {self.through.isoformat()}" if self.through else "everything on record"

    def to_json(self) -> dict[str, Any]:
        def counts(c: Counts) -> dict[str, int]:
            return {**asdict(c), "booked": c.booked}

        return {
            "through": self.through.isoformat() if self.through else None,
            "generated": self.generated,
            "cumulative": {
                "nationwide": counts(self.cumulative.nationwide),
                "states": {s: counts(c) for s, c in self.cumulative.states.items()},
                "jurisdictions": [
                    {
                        "code": row.code,
                        "name": row.name,
                        "state": row.state,
                        "activation_date": _iso(row.activation_date),
                        "activated_by_as_of": _activated(row.activation_date, self.through),
                        **counts(row.counts),
                    }
                    for row in self.cumulative.jurisdictions
                ],
            },
            "fiscal_years": {row.label: counts(row.counts) for row in self.fiscal_years},
            "months": {row.label: counts(row.counts) for row in self.months},
            "citizen_safeguards": self.safeguards,
            "revisions": self.revisions,
            "due_process": {
                "nationwide": {
                    **asdict(self.due_process.nationwide),
                    "shares": self.due_process.nationwide.shares(),
                },
                "states": {s: asdict(d) for s, d in self.due_process.states.items()},
            },
        }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _activated(activation: date | None, through: date | None) -> bool:
    return activation is not None and (through is None or activation <= through)


def build(session: Session, *, through: date | None = None) -> ProgramReport:
    """The report through ``through`` (inclusive; everything on record when None)."""
    ledger = statistics.read_ledger(session)
    window = periods.everything() if through is None else periods.through(through)
    fiscal_years, months = _series(ledger, through)
    return ProgramReport(
        through=through,
        cumulative=statistics.tabulate(ledger, window),
        fiscal_years=fiscal_years,
        months=months,
        due_process=due_process.compute(session, window),
        safeguards=safeguards.compute(session, through=through).summary,
        revisions=redress.revisions(session),
    )


def _series(ledger: Ledger, through: date | None) -> tuple[list[PeriodRow], list[PeriodRow]]:
    span = ledger.first_and_last_day()
    if span is None:
        return [], []
    first, last = span
    if through is not None:
        last = min(last, through)
    if last < first:
        return [], []

    def rows(windows: list[Window]) -> list[PeriodRow]:
        clipped = [_clip(w, through) for w in windows]
        return [PeriodRow(w.label, statistics.tabulate(ledger, w).nationwide) for w in clipped]

    return (
        rows(periods.fiscal_years_between(first, last)),
        rows(periods.months_between(first, last)),
    )


def _clip(window: Window, through: date | None) -> Window:
    if through is None or window.end is None or window.end <= through:
        return window
    return Window(f"{window.label} (to {through.isoformat()})", window.start, through)


# -- charts ---------------------------------------------------------------------------


def chart_svgs(report: ProgramReport) -> dict[str, tuple[str, str]]:
    """name -> (alternative text, SVG document)."""
    years = [row.label for row in report.fiscal_years]
    removals = [
        (name, [getattr(row.counts, f"removed_{key}") for row in report.fiscal_years])
        for name, key in LEVELS
    ] + [("Non-criminal", [row.counts.removed_non_criminal for row in report.fiscal_years])]
    outcomes = [
        (name.capitalize(), [getattr(row.counts, f"detainers_{name}") for row in rows])
        for name in OUTCOMES
        for rows in [report.fiscal_years]
    ]
    rates = sorted(
        (
            (row.name, row.counts.matches / row.counts.submissions)
            for row in report.cumulative.jurisdictions
            if row.counts.submissions
        ),
        key=lambda item: -item[1],
    )
    return {
        "removals": (
            "Removals and returns by conviction level, per fiscal year",
            charts.stacked_bars(
                "Removed and returned, by conviction level",
                years,
                removals,
                colours=charts.LEVEL_COLOURS,
                ylabel="people",
            ),
        ),
        "match_rate": (
            "IDENT match rate (matches per submission) by jurisdiction",
            charts.horizontal_rates(
                "IDENT match rate by jurisdiction", rates[:30], xlabel="matches per submission"
            ),
        ),
        "detainers": (
            "Detainer outcomes per fiscal year: honoured, declined, lapsed, cancelled",
            charts.stacked_bars(
                "Detainer outcomes",
                years,
                outcomes,
                colours=charts.OUTCOME_COLOURS,
                ylabel="detainers",
            ),
        ),
    }


# -- writers --------------------------------------------------------------------------


def render_html(
    report: ProgramReport, *, path: Path, context: dict[str, Any] | None = None
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html_text(report, context=context))
    return path


def render_pdf(report: ProgramReport, *, path: Path, context: dict[str, Any] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pdf_bytes(report, context=context))
    return path


def pdf_bytes(report: ProgramReport, *, context: dict[str, Any] | None = None) -> bytes:
    html_document = _weasyprint_html()
    document: bytes = html_document(string=_html(report, context or {}, for_print=True)).write_pdf()
    return document


def write_json(report: ProgramReport, *, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report.to_json(), indent=1, sort_keys=True))
    return path


def write_csv(report: ProgramReport, directory: Path) -> list[Path]:
    files = statistics.write_csv(report.cumulative, directory)
    for name, rows in (("fiscal_year", report.fiscal_years), ("month", report.months)):
        files.append(
            statistics.write_period_csv(
                [(row.label, row.counts) for row in rows],
                directory / f"statistics_by_{name}.csv",
                heading=name,
            )
        )
    return files


def write_all(
    report: ProgramReport, directory: Path, *, context: dict[str, Any] | None = None
) -> list[Path]:
    """Every format: the CSV tables, report.json, report.html and report.pdf."""
    return [
        *write_csv(report, directory),
        write_json(report, path=directory / "report.json"),
        render_html(report, path=directory / "report.html", context=context),
        render_pdf(report, path=directory / "report.pdf", context=context),
    ]


def _weasyprint_html() -> Any:
    """WeasyPrint's HTML class, imported on first use (loading Pango costs half a second).

    Importing WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES, which would let
    a truncated fingerprint image through intake as a "blank" one instead of refusing it
    as unreadable; the report embeds no raster image, so the flag is put back at once."""
    from PIL import ImageFile

    strict = ImageFile.LOAD_TRUNCATED_IMAGES
    try:
        from weasyprint import HTML
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = strict
    return HTML


def html_text(report: ProgramReport, *, context: dict[str, Any] | None = None) -> str:
    """The report's HTML (as written by :func:`render_html`)."""
    return _html(report, context or {}, for_print=False)


def _html(report: ProgramReport, context: dict[str, Any], *, for_print: bool) -> str:
    environment = Environment(
        loader=PackageLoader("securecomm.oversight", "templates"),
        autoescape=select_autoescape(["html"]),
    )
    images = {
        name: (alt, "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode())
        for name, (alt, svg) in report.charts.items()
    }
    return environment.get_template("report.html").render(
        report=report,
        statistics=report.cumulative,
        n=report.cumulative.nationwide,
        dp=report.due_process.nationwide,
        shares=report.due_process.nationwide.shares(),
        charts=images,
        for_print=for_print,
        version=securecomm.__version__,
        activated=_activated,
        **context,
    )
