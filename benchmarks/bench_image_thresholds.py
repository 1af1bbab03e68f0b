"""Decision thresholds measured on ten-prints that went through images and extraction.

    .venv/bin/python benchmarks/bench_image_thresholds.py --people 85 --seed 11

Draws ``--people`` synthetic persons, renders two captures of each of their ten fingers,
extracts every capture (``securecomm.biometrics.extract``, minutiae by ``--minutiae``:
mindtct or skeleton), then scores ten-print against ten-print with the gallery's fusion
(the sum of same-position finger scores): each person's second capture is searched
against every first capture. Prints the mated fused scores, the best non-mated fused
score per search, and the thresholds the Gumbel rule of ``securecomm.biometrics._fusion``
derives from them at the target FPIR, beside the thresholds in use. Slow: about 4 s per
person on one core.
"""

from __future__ import annotations

import argparse
import json

import numpy as np
from rich.console import Console
from rich.progress import track

from securecomm.biometrics import ImageError, MatchParameters, Template, compare, extract
from securecomm.biometrics import synthetic_images as si
from securecomm.biometrics._extract import MINUTIAE_METHODS, MinutiaeMethod
from securecomm.biometrics._fusion import derive_thresholds, fuse

TenPrint = dict[int, Template]


def capture(
    masters: dict[int, si.MasterFingerImage], rng: np.random.Generator, minutiae: MinutiaeMethod
) -> TenPrint:
    tenprint: TenPrint = {}
    for position, image in si.impressions_of_images(masters, rng).items():
        try:
            tenprint[position] = extract(image, finger_position=position, minutiae=minutiae)
        except ImageError:
            continue  # searched on the fingers that remain, as the gallery does
    return tenprint


def fused(probe: TenPrint, enrolled: TenPrint) -> float:
    """The gallery's fusion of the positions usable on both sides."""
    return fuse({p: compare(probe[p], enrolled[p]) for p in probe if p in enrolled})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=85)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--minutiae", choices=MINUTIAE_METHODS, default="mindtct")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.people < 3:
        parser.error("--people must be at least 3 (a tail needs several searches)")
    rng = np.random.default_rng(args.seed)
    enrolled: list[TenPrint] = []
    probes: list[TenPrint] = []
    progress = Console(stderr=True)  # stdout carries only the report (--json parses it)
    for _ in track(range(args.people), description="rendering and extracting", console=progress):
        masters = si.synthesize_tenprint_images(rng)
        enrolled.append(capture(masters, rng, args.minutiae))
        probes.append(capture(masters, rng, args.minutiae))
    mated = np.array([fused(probe, enrolled[k]) for k, probe in enumerate(probes)])
    best_nonmated = np.array(
        [
            max(fused(probe, other) for j, other in enumerate(enrolled) if j != k)
            for k, probe in enumerate(probes)
        ]
    )
    params = MatchParameters()
    identification, possible = derive_thresholds(best_nonmated.tolist(), params.target_fpir)
    report = {
        "people": args.people,
        "minutiae": args.minutiae,
        "mated_min": float(mated.min()),
        "mated_q01": float(np.quantile(mated, 0.01)),
        "best_nonmated_mean": float(best_nonmated.mean()),
        "best_nonmated_sd": float(best_nonmated.std(ddof=1)),
        "best_nonmated_max": float(best_nonmated.max()),
        "derived_identification": identification,
        "derived_possible": possible,
        "in_use_identification": params.identification_threshold,
        "in_use_possible": params.possible_threshold,
        "target_fpir": params.target_fpir,
    }
    if args.json:
        print(json.dumps(report, sort_keys=True))
        return
    for key, value in report.items():
        print(f"{key:>24}: {value:g}" if isinstance(value, float) else f"{key:>24}: {value}")


if __name__ == "__main__":
    main()
