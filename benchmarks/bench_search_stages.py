"""What one search of a stored gallery spends in each stage: the index scan's kernel,
the whole index stage, the probe's features and the comparison of a cold shortlist
(its rows' features computed from the mapped store, then matched).

    .venv/bin/python benchmarks/bench_search_stages.py [--identities 500000]
        [--searches 100] [--directory D] [--json]

The store (synthetic ten-prints, as ``securecomm biometrics bench`` builds them) is
written to ``--directory`` unless one is there already, so code before and after a
change can be measured on one store. Each mated probe is searched once: its shortlist's
rows are read cold, as the load test's bookings read theirs.
"""

from __future__ import annotations

import argparse
import json
import pickle
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from securecomm.biometrics import synthetic
from securecomm.biometrics._compare import DEFAULT_PARAMETERS, features_of, second_features_of
from securecomm.biometrics._gallery import Gallery
from securecomm.biometrics._index import CODE_WORDS, POSITIONS, _scan
from securecomm.biometrics.benchmark import build_store


def _store(directory: Path, identities: int, searches: int) -> dict[int, Any]:
    masters_file = directory / "masters.pkl"
    if not masters_file.exists():
        rng = np.random.default_rng(1)
        keep = {int(s) for s in rng.choice(identities, size=searches, replace=False)}
        masters, _ = build_store(
            directory / "gallery",
            identities,
            seed=1,
            severity=1.0,
            keep=keep,
            params=DEFAULT_PARAMETERS,
        )
        masters_file.write_bytes(pickle.dumps(masters))
    loaded: dict[int, Any] = pickle.loads(masters_file.read_bytes())
    return loaded


def _scan_kernel_ms(rows: int, repeats: int = 10) -> float:
    """The scan kernel alone, on one thread, over ``rows`` random rows (best of runs)."""
    rng = np.random.default_rng(3)
    codes = rng.integers(0, 2**63, size=(rows, POSITIONS, CODE_WORDS), dtype=np.uint64)
    fingers = np.full(rows, (1 << POSITIONS) - 1, dtype=np.uint16)
    live = np.ones(rows, dtype=np.bool_)
    probe = rng.integers(0, 2**63, size=(POSITIONS, CODE_WORDS), dtype=np.uint64)
    out = np.empty(rows, dtype=np.int32)
    _scan(codes, fingers, live, probe, (1 << POSITIONS) - 1, out, 0, rows)
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        _scan(codes, fingers, live, probe, (1 << POSITIONS) - 1, out, 0, rows)
        best = min(best, time.perf_counter() - started)
    return best * 1e3


def measure(directory: Path, identities: int, searches: int) -> dict[str, Any]:
    masters = _store(directory, identities, searches)
    rng = np.random.default_rng(5)
    probes = [synthetic.impressions_of(masters[s], rng, 1.0) for s in sorted(masters)]
    gallery = Gallery.open(directory / "gallery", DEFAULT_PARAMETERS)
    gallery.search(probes[0])  # kernels loaded, store mapped
    timings: dict[str, list[float]] = {"index_stage": [], "probe_features": [], "compare": []}
    for probe in probes[1:]:
        usable, _ = gallery.usable_prints(probe)
        started = time.perf_counter()
        shortlist = gallery.index_stage(usable)
        indexed = time.perf_counter()
        for template in usable.values():
            features_of(template, DEFAULT_PARAMETERS)
            second_features_of(template, DEFAULT_PARAMETERS)
        featured = time.perf_counter()
        gallery.compare_stage(usable, [subject for _, subject in shortlist])
        compared = time.perf_counter()
        timings["index_stage"].append(indexed - started)
        timings["probe_features"].append(featured - indexed)
        timings["compare"].append(compared - featured)
    stages = {
        name: {
            "p50_ms": round(float(np.median(values)) * 1e3, 2),
            "p95_ms": round(float(np.percentile(values, 95)) * 1e3, 2),
        }
        for name, values in timings.items()
    }
    return {
        "identities": identities,
        "searches": len(probes) - 1,
        "shortlist": DEFAULT_PARAMETERS.index_shortlist,
        "scan_kernel_one_thread_ms": round(_scan_kernel_ms(identities), 2),
        "stages": stages,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--identities", type=int, default=500_000)
    parser.add_argument("--searches", type=int, default=100)
    parser.add_argument("--directory", type=Path, default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.directory is None:
        with tempfile.TemporaryDirectory() as scratch:
            result = measure(Path(scratch), args.identities, args.searches)
    else:
        args.directory.mkdir(parents=True, exist_ok=True)
        result = measure(args.directory, args.identities, args.searches)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{result['identities']:,} identities, {result['searches']} cold searches")
    print(f"scan kernel, one thread: {result['scan_kernel_one_thread_ms']} ms")
    for name, figures in result["stages"].items():
        print(f"{name:15s} p50 {figures['p50_ms']:7.2f} ms  p95 {figures['p95_ms']:7.2f} ms")


if __name__ == "__main__":
    main()
