"""Charts for the statistics report, drawn with matplotlib as SVG (sharp on screen and in
the PDF, searchable text). Each returns the SVG document as text."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.figure import Figure  # not pyplot: no global state, safe in a server

# Colour-blind-safe (Okabe-Ito) and never the only cue: every chart has a legend.
LEVEL_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7")
OUTCOME_COLOURS = ("#009E73", "#D55E00", "#F0E442", "#999999")


def stacked_bars(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    colours: Sequence[str],
    ylabel: str,
) -> str:
    return _svg(stacked_bars_figure(title, labels, series, colours=colours, ylabel=ylabel))


def stacked_bars_figure(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    colours: Sequence[str],
    ylabel: str,
    size: tuple[float, float] = (7.5, 3.2),
) -> Figure:
    figure = Figure(figsize=size)
    axes = figure.subplots()
    bottoms = [0] * len(labels)
    for (name, values), colour in zip(series, colours, strict=False):
        axes.bar(labels, values, bottom=bottoms, label=name, color=colour, width=0.7)
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    axes.set_title(title, loc="left", fontsize=11)
    axes.set_ylabel(ylabel)
    axes.legend(frameon=False, fontsize=8, ncols=len(series), loc="upper left")
    axes.set_ylim(0, max([*bottoms, 1]) * 1.25)
    _tidy(axes, rotate=len(labels) > 8)
    return figure


def horizontal_rates(title: str, rows: Sequence[tuple[str, float]], *, xlabel: str) -> str:
    height = max(2.0, 0.26 * len(rows) + 0.9)
    figure = Figure(figsize=(7.5, height))
    axes = figure.subplots()
    names = [name for name, _ in rows][::-1]
    values = [100 * value for _, value in rows][::-1]
    axes.barh(names, values, color=LEVEL_COLOURS[0])
    for y, value in enumerate(values):
        axes.text(value, y, f" {value:.1f} %", va="center", fontsize=7)
    axes.set_title(title, loc="left", fontsize=11)
    axes.set_xlabel(xlabel)
    axes.set_xlim(0, max([*values, 1.0]) * 1.2)
    axes.tick_params(axis="y", labelsize=7)
    _tidy(axes, rotate=False)
    return _svg(figure)


def _tidy(axes: Axes, *, rotate: bool) -> None:
    axes.spines[["top", "right"]].set_visible(False)
    if rotate:
        axes.tick_params(axis="x", labelrotation=60, labelsize=7)


def save(figure: Figure, path: Path) -> Path:
    """Write the figure in the format its suffix names (.svg, .png, .pdf)."""
    figure.tight_layout()
    figure.savefig(path, dpi=150, metadata={"Date": None} if path.suffix == ".svg" else None)
    return path


def _svg(figure: Figure) -> str:
    figure.tight_layout()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})  # same figures, same file
    return buffer.getvalue()
