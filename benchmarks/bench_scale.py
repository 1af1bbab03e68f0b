"""What the 1:N search costs as the gallery grows: the measurements docs/scale.md rests on.

For each gallery size the synthetic ten-print bench (``securecomm biometrics bench``)
builds a store, opens it as after a restart and runs mated and non-mated searches. Then
the search latency is fitted as ``a + b * identities`` (least squares over the sizes):
``b`` is the index scan's cost per identity, ``a`` the fixed cost of comparing the
shortlist in full. Memory, disk and build rate per finger are reported per size.

    .venv/bin/python benchmarks/bench_scale.py [--sizes 10000,100000,1000000]
        [--searches 300] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from securecomm.biometrics.benchmark import run_benchmark


def measure(identities: int, searches: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(dir=os.environ.get("SCALE_BENCH_DIR")) as scratch:
        report = run_benchmark(identities, searches, directory=Path(scratch) / "store")
    return {
        "identities": identities,
        "fingers": report.enrolled_fingers,
        "build_seconds": round(report.build_seconds, 1),
        "identities_per_second": round(report.enrolment_identities_per_second),
        "open_seconds": round(report.open_seconds, 2),
        "search_p50_s": round(report.search_p50_s, 4),
        "search_p95_s": round(report.search_p95_s, 4),
        "fnir": report.fnir,
        "fpir": report.fpir,
        "rss_bytes": report.rss_bytes,
        "resident_bytes_per_finger": round(report.bytes_per_finger, 1),
        "index_bytes_per_finger": round(report.index_bytes_per_finger, 1),
        "disk_bytes_per_finger": round(report.disk_bytes_per_finger, 1),
        "comparisons_per_second_per_core": round(report.comparisons_per_second_per_core),
    }


def fit(rows: list[dict[str, Any]], column: str) -> dict[str, float]:
    """``column`` = a + b * identities, least squares."""
    sizes = np.array([row["identities"] for row in rows], dtype=np.float64)
    values = np.array([row[column] for row in rows], dtype=np.float64)
    b, a = np.polyfit(sizes, values, 1)
    return {"fixed_s": float(a), "per_identity_s": float(b)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--searches", type=int, default=300)
    parser.add_argument("--json", action="store_true")
    arguments = parser.parse_args()
    rows = [measure(int(size), arguments.searches) for size in arguments.sizes.split(",")]
    result = {
        "cpus": os.cpu_count(),
        "sizes": rows,
        "p50_fit": fit(rows, "search_p50_s"),
        "p95_fit": fit(rows, "search_p95_s"),
    }
    if arguments.json:
        print(json.dumps(result, indent=2))
        return
    for row in rows:
        print(
            f"{row['identities']:>10,} identities: build {row['build_seconds']} s "
            f"({row['identities_per_second']}/s), search p50 {row['search_p50_s']} s, "
            f"p95 {row['search_p95_s']} s, FNIR {row['fnir']}, FPIR {row['fpir']}, "
            f"{row['resident_bytes_per_finger']} resident / {row['index_bytes_per_finger']} "
            f"index / {row['disk_bytes_per_finger']} disk bytes per finger"
        )
    p50 = result["p50_fit"]
    print(
        f"p50 = {p50['fixed_s'] * 1000:.1f} ms + {p50['per_identity_s'] * 1e9:.1f} ns per identity"
    )


if __name__ == "__main__":
    main()
