"""Benchmark the ANSI/NIST-ITL codec on a 14-print WSQ CAR (one core, images not decoded).

    .venv/bin/python benchmarks/bench_ansi_nist.py --files 2000
    .venv/bin/python benchmarks/bench_ansi_nist.py --files 2000 --json

Builds the sample CAR of ``securecomm.ansi_nist.samples`` (Type-1, Type-2, fourteen
500x500 Type-14 WSQ prints synthesised as ridge-like gratings), then times, over
``--files`` iterations: ``parse`` alone, ``parse`` + ``validate`` (the booking intake
path; target >= 1,000 files/s per core), ``dump`` of the parsed transaction, and the
independent ``nistitl`` parser on the same bytes for comparison.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from securecomm.ansi_nist import dump, parse, validate
from securecomm.ansi_nist.samples import sample_booking, sample_car

TARGET_FILES_PER_SECOND = 1_000
# The published figures were measured on gratings with a fixed 9 px ridge period.
RIDGE_PERIOD = 9.0


@dataclass(frozen=True)
class Timing:
    name: str
    files: int
    seconds: float

    @property
    def files_per_second(self) -> float:
        return self.files / self.seconds if self.seconds else float("inf")


def time_it(name: str, files: int, action: Callable[[], object]) -> Timing:
    action()  # warm caches (rule tables, regexes)
    start = time.perf_counter()
    for _ in range(files):
        action()
    return Timing(name, files, time.perf_counter() - start)


def nistitl_parse(data: bytes) -> Callable[[], object] | None:
    try:
        import nistitl
    except ImportError:
        return None

    def run() -> object:
        message = nistitl.Message()
        message.parse(data)
        return message

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000, help="iterations per measurement")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    if args.files < 1:
        parser.error("--files must be at least 1")

    data = sample_car(sample_booking(ridge_period=RIDGE_PERIOD))
    transaction = parse(data)
    if validate(transaction):
        raise SystemExit("the sample CAR does not validate: the benchmark would be meaningless")
    timings = [
        time_it("parse", args.files, lambda: parse(data)),
        time_it("parse+validate", args.files, lambda: validate(parse(data))),
        time_it("dump", args.files, lambda: dump(transaction)),
    ]
    reference = nistitl_parse(data)
    if reference is not None:
        timings.append(time_it("nistitl parse", args.files, reference))
    intake = timings[1].files_per_second
    report = {
        "file_bytes": len(data),
        "records": len(transaction.records),
        "files": args.files,
        "timings": [
            asdict(t) | {"files_per_second": round(t.files_per_second, 1)} for t in timings
        ],
        "target_files_per_second": TARGET_FILES_PER_SECOND,
        "meets_target": intake >= TARGET_FILES_PER_SECOND,
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"14-print WSQ CAR: {len(data):,} bytes, {len(transaction.records)} records")
    for timing in timings:
        per_file_us = 1e6 * timing.seconds / timing.files
        rate = f"{timing.files_per_second:>10,.0f} files/s"
        print(f"  {timing.name:<16} {rate}  {per_file_us:8.1f} us/file")
    verdict = "meets" if report["meets_target"] else "MISSES"
    print(f"parse+validate {verdict} the {TARGET_FILES_PER_SECOND:,} files/s target")


if __name__ == "__main__":
    main()
