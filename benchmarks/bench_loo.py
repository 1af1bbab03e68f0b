"""Leave-one-database-out: choose matcher and segmentation parameters on three databases,
report on the fourth, for each of the four; beside the all-in figure (chosen on all four).

    .venv/bin/python benchmarks/bench_loo.py [--json]
        [--grid overlap_floor=12,16,20 --grid tolerance_growth=0.02,0.03,0.04]
        [--ridge-share 0.1,0.15,0.2] [--enhance BLEND_SHARE_LOW=0.3,0.4 ...]
        [--dataset DIR ...]

Templates are extracted once per database and combination of the enhancement's values
(``--ridge-share``: the foreground's minimum ridge share,
:data:`securecomm.biometrics._enhance.RIDGE_SHARE_MIN`; ``--enhance NAME=v1,v2``: any
other constant of :mod:`securecomm.biometrics._enhance`), in a process pool of every
core, with NFIQ 2 as at intake; every combination of the matcher grid's values is scored
on every database (our matcher, the FVC protocol); for each left-out database the
combination with the lowest mean EER on the other three is applied to it. No value may
depend on which database an image came from: the grid's choice is one value for all,
made without the database it is reported on.
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from securecomm.biometrics import ImageError, MatchParameters, Template, _enhance, compare, extract
from securecomm.biometrics.evaluation import (
    ErrorRates,
    error_rates,
    genuine_pairs,
    impostor_pairs,
    load_dataset,
)

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
DEFAULT_DATASETS = [
    DATA / "fvc2002" / "DB1_B",
    DATA / "fvc2002" / "DB2_B",
    DATA / "fvc2002" / "DB3_B",
    DATA / "fvc2004" / "DB2_B",
]
DEFAULT_GRID = {"overlap_floor": [12, 16, 20], "tolerance_growth": [0.02, 0.03, 0.04]}


def _parsed(specs: list[str], defaults: object) -> dict[str, list[Any]]:
    """``NAME=v1,v2,...`` specs, each value of the type of ``defaults``' attribute NAME (an
    unknown name fails here, not silently)."""
    grid: dict[str, list[Any]] = {}
    for spec in specs:
        name, _, values = spec.partition("=")
        kind = type(getattr(defaults, name))
        grid[name] = [kind(value) for value in values.split(",")]
    return grid


def _grid(specs: list[str]) -> dict[str, list[Any]]:
    return _parsed(specs, MatchParameters()) or DEFAULT_GRID


def _template(path: Path) -> Template | None:
    try:
        return extract(path.read_bytes())
    except ImageError:
        return None


def _templates(directory: Path) -> tuple[list[Template | None], list[Any]]:
    impressions = load_dataset(directory)
    # forked workers inherit the enhancement's constants as the parent set them
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(os.cpu_count() or 1, mp_context=context) as pool:
        templates = list(pool.map(_template, [item.path for item in impressions]))
    return templates, impressions


def _rates(
    templates: list[Template | None], impressions: list[Any], params: MatchParameters
) -> ErrorRates:
    def score(i: int, j: int) -> float:
        a, b = templates[i], templates[j]
        return -np.inf if a is None or b is None else compare(a, b, params=params)

    genuine = [score(i, j) for i, j in genuine_pairs(impressions)]
    impostor = [score(i, j) for i, j in impostor_pairs(impressions)[0]]
    return error_rates(genuine, impostor)


def _extracted_with(
    constants: dict[str, Any], datasets: list[Path]
) -> list[tuple[list[Any], list[Any]]]:
    """Every database's templates with the enhancement's ``constants`` (module constants of
    the engine, set here for the benchmark and then restored)."""
    kept = {name: getattr(_enhance, name) for name in constants}
    for name, value in constants.items():
        setattr(_enhance, name, value)
    try:
        return [_templates(d) for d in datasets]
    finally:
        for name, value in kept.items():
            setattr(_enhance, name, value)


def _enhance_grid(specs: list[str], ridge_shares: list[float]) -> dict[str, list[Any]]:
    return {"RIDGE_SHARE_MIN": ridge_shares, **_parsed(specs, _enhance)}


def run(
    datasets: list[Path], grid: dict[str, list[Any]], enhance_grid: dict[str, list[Any]]
) -> dict[str, Any]:
    names = [f"{d.parent.name}/{d.name}" for d in datasets]
    matcher_combos = [
        dict(zip(grid, values, strict=True)) for values in itertools.product(*grid.values())
    ]
    combos: list[dict[str, Any]] = []
    rows = []
    fmr1000 = []
    for values in itertools.product(*enhance_grid.values()):
        constants = dict(zip(enhance_grid, values, strict=True))
        extracted = _extracted_with(constants, datasets)
        for combo in matcher_combos:
            combos.append({**{name.lower(): v for name, v in constants.items()}, **combo})
            params = replace(MatchParameters(), **combo)
            rates = [_rates(t, i, params) for t, i in extracted]
            rows.append([rate.eer for rate in rates])
            fmr1000.append([rate.fmr1000 for rate in rates])
    table = np.array(rows)  # combos x databases
    all_in = int(np.argmin(table.mean(axis=1)))
    left_out = {}
    for k, name in enumerate(names):
        others = np.delete(table, k, axis=1).mean(axis=1)
        chosen = int(np.argmin(others))
        left_out[name] = {
            "chosen_on_the_others": combos[chosen],
            "eer": float(table[chosen, k]),
            "all_in_eer": float(table[all_in, k]),
            "difference_points": float(100 * (table[chosen, k] - table[all_in, k])),
        }
    return {
        "grid": {**{name.lower(): v for name, v in enhance_grid.items()}, **grid},
        "all_in_choice": combos[all_in],
        "all_in_eer": {name: float(table[all_in, k]) for k, name in enumerate(names)},
        "left_out": left_out,
        "every_combination": [
            {
                "params": combo,
                "eer": dict(zip(names, map(float, row), strict=True)),
                "fmr1000": dict(zip(names, map(float, low), strict=True)),
            }
            for combo, row, low in zip(combos, table, fmr1000, strict=True)
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, action="append")
    parser.add_argument("--grid", action="append", default=[], help="name=v1,v2,...")
    parser.add_argument(
        "--ridge-share",
        default=str(_enhance.RIDGE_SHARE_MIN),
        help="foreground ridge-share thresholds to try, comma-separated",
    )
    parser.add_argument(
        "--enhance", action="append", default=[], help="NAME=v1,v2,... of _enhance's constants"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    shares = [float(value) for value in args.ridge_share.split(",")]
    enhance_grid = _enhance_grid(args.enhance, shares)
    report = run(args.dataset or DEFAULT_DATASETS, _grid(args.grid), enhance_grid)
    if args.json:
        sys.stdout.write(json.dumps(report) + "\n")
        return
    print(f"grid: {report['grid']}; all-in choice: {report['all_in_choice']}")
    print(f"{'left out':<16}{'chosen on the other three':<76}{'EER':>8}{'all-in':>9}")
    for name, row in report["left_out"].items():
        print(
            f"{name:<16}{json.dumps(row['chosen_on_the_others']):<76}"
            f"{100 * row['eer']:>7.2f}%{100 * row['all_in_eer']:>8.2f}%"
        )


if __name__ == "__main__":
    main()
