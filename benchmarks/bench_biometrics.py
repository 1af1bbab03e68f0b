"""Benchmark the ten-print engine on a synthetic gallery (thin wrapper of the CLI's bench).

    .venv/bin/python benchmarks/bench_biometrics.py --identities 100000 --searches 1000
    .venv/bin/securecomm biometrics bench --identities 100000 --searches 1000 --json

Builds a gallery store of N synthetic identities (one capture of ten fingers each),
opens it as after a restart, runs S mated searches (a fresh capture of an enrolled
person) and S non-mated searches (a stranger), and reports enrolment rate, 1:1
comparisons per second on one core, search latency p50/p95, resident bytes per
finger, FNIR and FPIR against ground truth, the best fused scores of both kinds and
the thresholds that ``securecomm.biometrics._fusion`` derives from the non-mated ones.
See ``securecomm.biometrics.benchmark`` for what exactly is measured.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from securecomm.biometrics.benchmark import format_report, run_benchmark


def main() -> None:
    args = _arguments()
    if args.directory is not None and args.directory.exists() and any(args.directory.iterdir()):
        sys.exit(f"error: {args.directory} is not empty; name a new folder")
    try:
        report = run_benchmark(
            args.identities,
            args.searches,
            seed=args.seed,
            severity=args.severity,
            directory=args.directory,
            progress=None if args.json else _progress,
        )
    except (ValueError, OSError) as error:
        sys.exit(f"error: {error}")
    if args.json:
        print(json.dumps(report.to_json(), sort_keys=True))
    else:
        print(file=sys.stderr)
        print(format_report(report))


def _progress(done: int, total: int) -> None:
    print(f"\renrolled {done:,} / {total:,}", end="", file=sys.stderr, flush=True)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--identities", type=int, default=5000)
    parser.add_argument("--searches", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--severity", type=float, default=1.0)
    parser.add_argument("--directory", type=Path, default=None)
    parser.add_argument("--json", action="store_true")
    return parser.parse_args()


if __name__ == "__main__":
    main()
