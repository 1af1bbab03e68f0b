"""The profiling monitor over seeds: for each seed, the planted jurisdiction and officer,
what the monitor flagged, what it missed and which clean units it flagged; then a world
with nothing planted. The table docs/oversight.md shows.

    .venv/bin/python benchmarks/bench_monitor.py [--seeds 1,2,3,4,5] [--clean-seed 6]
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ProcessPoolExecutor

from securecomm.simulation.monitor_world import flagged_units, planted_and_flagged


def score(seed: int, plant: bool = True) -> tuple[int, list[str], list[str]]:
    truth, report = planted_and_flagged(seed, plant=plant)
    return seed, sorted(truth), sorted(flagged_units(report))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", default="1,2,3,4,5")
    parser.add_argument("--clean-seed", type=int, default=6)
    arguments = parser.parse_args()
    seeds = [int(part) for part in arguments.seeds.split(",")]
    began = time.perf_counter()
    with ProcessPoolExecutor(max_workers=2) as pool:
        rows = list(pool.map(score, seeds))
        rows.append(score(arguments.clean_seed, plant=False))
    print("| seed | planted jurisdiction | planted officer | flagged | missed | clean flagged |")
    print("|---:|---|---|---|---:|---:|")
    for seed, truth, flagged in rows:
        missed = [unit for unit in truth if unit not in flagged]
        clean = len([unit for unit in flagged if unit not in truth])
        found = "both" if truth and not missed else ", ".join(flagged) or "none"
        if truth:
            jurisdiction, officer = (unit.split(":", 1)[1] for unit in truth)
            print(f"| {seed} | {jurisdiction} | {officer} | {found} | {len(missed)} | {clean} |")
        else:
            print(f"| {seed} (nothing planted) | — | — | {found} | — | {clean} |")
    print(f"\n{len(rows)} worlds of 2,000 people in {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    main()
