"""Benchmark the synthetic fingerprint images (one core): speed, ridge period, and whether
the images carry identities through extraction and matching.

    .venv/bin/python benchmarks/bench_synthetic_images.py --fingers 20 --impressions 4 --seed 1

Draws ``--fingers`` masters and ``--impressions`` captures of each; reports masters and
impressions per second, the ridge period measured by FFT, then extracts every capture
with ``securecomm.biometrics.extract`` (mindtct + NFIQ 2) and compares the templates with
``compare``, FVC style: genuine = every pair of captures of one finger, impostor = the
first capture of every pair of different fingers. Prints minutiae counts, failure to
extract, genuine/impostor score quantiles and the EER. ``--examples DIR`` writes a few
PNGs to look at (keep them out of the repository).
"""

from __future__ import annotations

import os

# One core, as the demo machine shares two: pin BLAS and Numba before they load.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import numpy.typing as npt  # noqa: E402
from PIL import Image  # noqa: E402

from securecomm.biometrics import Template, compare, extract  # noqa: E402
from securecomm.biometrics import synthetic_images as si  # noqa: E402
from securecomm.exceptions import SecurecommError  # noqa: E402

QUANTILES = (0.0, 0.01, 0.05, 0.5, 0.95, 0.99, 1.0)


def main() -> None:
    args = _arguments()
    rng = np.random.default_rng(args.seed)
    si.synthesize_master_image(np.random.default_rng(0), 1)  # compile the Numba kernel first
    with _Stopwatch() as master_time:
        masters = [si.synthesize_master_image(rng, k % 10 + 1) for k in range(args.fingers)]
    with _Stopwatch() as impression_time:
        captures = [
            [si.impression_image(m, rng, severity=args.severity) for _ in range(args.impressions)]
            for m in masters
        ]
    images = args.fingers * args.impressions
    figures: dict[str, Any] = {
        "fingers": args.fingers,
        "impressions_per_finger": args.impressions,
        "severity": args.severity,
        "seed": args.seed,
        "masters_per_second": args.fingers / master_time.wall,
        "masters_per_cpu_second": args.fingers / master_time.cpu,
        "impressions_per_second": images / impression_time.wall,
        "impressions_per_cpu_second": images / impression_time.cpu,
        "patterns": _pattern_counts(masters),
        "period_px_master": _summary([si.measured_ridge_period_px(m.image) for m in masters]),
        "period_px_capture": _summary([si.measured_ridge_period_px(row[0]) for row in captures]),
    }
    figures.update(_identity_figures(masters, captures))
    if args.examples:
        _save_examples(Path(args.examples), masters, captures)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        _print(figures)


def _identity_figures(
    masters: list[si.MasterFingerImage], captures: list[list[npt.NDArray[np.uint8]]]
) -> dict[str, Any]:
    templates: list[list[Template | None]] = []
    failures = 0
    with _Stopwatch() as extract_time:
        for master, row in zip(masters, captures, strict=True):
            extracted: list[Template | None] = []
            for image in row:
                try:
                    extracted.append(extract(image, finger_position=master.finger_position))
                except SecurecommError:
                    failures += 1
                    extracted.append(None)
            templates.append(extracted)
    counts = [len(t) for row in templates for t in row if t is not None]
    genuine = [
        compare(a, b)
        for row in templates
        for a, b in itertools.combinations(row, 2)
        if a is not None and b is not None
    ]
    firsts = [row[0] for row in templates]
    impostor = [
        compare(a, b)
        for a, b in itertools.combinations(firsts, 2)
        if a is not None and b is not None
    ]
    images = sum(len(row) for row in captures)
    return {
        "extract_seconds_per_image": extract_time.wall / images,
        "extract_cpu_seconds_per_image": extract_time.cpu / images,
        "failure_to_extract": failures / images,
        "minutiae_per_capture": _summary(counts),
        "genuine_comparisons": len(genuine),
        "impostor_comparisons": len(impostor),
        "genuine_scores": _quantiles(genuine),
        "impostor_scores": _quantiles(impostor),
        "eer": _eer(np.array(genuine), np.array(impostor)),
    }


class _Stopwatch:
    """Wall and CPU seconds of a block: CPU time stays honest on a shared, loaded machine."""

    def __enter__(self) -> _Stopwatch:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_: object) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu


def _eer(genuine: npt.NDArray[np.float64], impostor: npt.NDArray[np.float64]) -> float:
    """Equal error rate: where false non-match and false match rates cross."""
    if len(genuine) == 0 or len(impostor) == 0:
        return float("nan")
    thresholds = np.unique(np.concatenate([genuine, impostor, [np.inf]]))
    fnmr = np.array([np.mean(genuine < t) for t in thresholds])
    fmr = np.array([np.mean(impostor >= t) for t in thresholds])
    crossing = int(np.argmin(np.abs(fnmr - fmr)))
    return float((fnmr[crossing] + fmr[crossing]) / 2.0)


def _pattern_counts(masters: list[si.MasterFingerImage]) -> dict[str, int]:
    return {p: sum(m.pattern == p for m in masters) for p in si.PATTERNS}


def _summary(values: list[float] | list[int]) -> dict[str, float]:
    array = np.asarray(values, dtype=np.float64)
    if array.size == 0:
        return {}
    return {
        "min": float(array.min()),
        "median": float(np.median(array)),
        "max": float(array.max()),
    }


def _quantiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    return {f"q{q:g}": float(np.quantile(values, q)) for q in QUANTILES}


def _save_examples(
    folder: Path,
    masters: list[si.MasterFingerImage],
    captures: list[list[npt.NDArray[np.uint8]]],
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for k, (master, row) in enumerate(zip(masters[:4], captures[:4], strict=True)):
        Image.fromarray(master.image).save(folder / f"finger{k}_{master.pattern}_master.png")
        for j, image in enumerate(row[:2]):
            Image.fromarray(image).save(folder / f"finger{k}_{master.pattern}_capture{j}.png")


def _print(figures: dict[str, Any]) -> None:
    for key, value in figures.items():
        if isinstance(value, dict):
            inner = ", ".join(
                f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in value.items()
            )
            print(f"{key:28s} {inner}")
        elif isinstance(value, float):
            print(f"{key:28s} {value:.4g}")
        else:
            print(f"{key:28s} {value}")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fingers", type=int, default=20)
    parser.add_argument("--impressions", type=int, default=4)
    parser.add_argument("--severity", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--examples", help="folder to write a few example PNGs into")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    if args.fingers < 2 or args.impressions < 2:
        parser.error("need at least 2 fingers and 2 impressions per finger")
    return args


if __name__ == "__main__":
    main()
