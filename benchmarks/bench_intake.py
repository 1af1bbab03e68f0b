"""Peak memory of refusing one bad submission, worst case over a hostile corpus.

Each file of the seeded corpus (``simulation/hostile.py``: mutated CARs with WSQ and PNG
prints and minutiae, plus a 50 MB JSON booking, a JSON booking nested 100,000 deep and
PNG headers declaring 13,000 and 20,000 pixels a side) is read the way the worker reads
a booking (size and depth limits, then the CAR or JSON parser, validation and image
decoding) in a forked child, which reports how far its resident set grew. The target is
a worst case under 300 MB per submission.

    .venv/bin/python benchmarks/bench_intake.py [--files 2000] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "interop"))

from world_fixtures import small_world

from securecomm.booking import service as booking_service
from securecomm.booking.car import car_from_booking
from securecomm.booking.car_reading import booking_from_car
from securecomm.booking.intake import content_type_of
from securecomm.booking.limits import IntakeLimits, size_problem
from securecomm.booking.schemas import BookingDocument
from securecomm.exceptions import InputError
from securecomm.simulation import runner
from securecomm.simulation.hostile import hostile_files, image_cars, png_bytes


def _read_like_the_worker(raw: bytes, limits: IntakeLimits) -> str:
    is_json = content_type_of(raw) == booking_service.JSON_CONTENT
    if size_problem(len(raw), limits, is_json=is_json) is not None:
        return "refused by size"
    try:
        if is_json:
            booking_service.parse_booking(raw)
        else:
            booking_from_car(raw)
    except InputError:
        return "rejected"
    return "accepted"


def _peak_growth_mb(raw: bytes, limits: IntakeLimits) -> tuple[float, str]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_end)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        outcome = _read_like_the_worker(raw, limits)
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        os.write(write_end, json.dumps([(after - before) / 1024, outcome]).encode())
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as answer:
        text = answer.read()
    os.waitpid(pid, 0)
    growth, outcome = json.loads(text)
    return float(growth), str(outcome)


def _corpus(files: int) -> list[tuple[str, bytes]]:
    documents = [
        BookingDocument.model_validate(runner.booking_document(e))
        for e in small_world().bookings[:6]
    ]
    bases = [car_from_booking(d, destination_ori=f"{d.ori[:2]}SIB0000") for d in documents]
    bases += image_cars(documents[0].ori, f"{documents[0].ori[:2]}SIB0000")
    corpus = [(f.label, f.raw) for f in hostile_files(bases, count=files, seed=2026)]
    booking = runner.booking_document(small_world().bookings[0])
    corpus.append(("50 MB JSON", json.dumps({**booking, "pad": "x" * 50_000_000}).encode()))
    corpus.append(("nested 100,000 deep", b'{"x":' + b"[" * 100_000 + b"]" * 100_000 + b"}"))
    for side in (13_000, 20_000):
        corpus.append((f"PNG {side} px header", png_bytes(side, side)))
    return corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    limits = IntakeLimits.from_settings()
    corpus = _corpus(args.files)
    for _label, raw in corpus[:50]:  # compile the JIT kernels here, not in each child
        _read_like_the_worker(raw, limits)
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worst: dict[str, float] = {}
    outcomes: dict[str, int] = {}
    for label, raw in corpus:
        growth, outcome = _peak_growth_mb(raw, limits)
        worst[label] = max(worst.get(label, 0.0), growth)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    result = {
        "files": sum(outcomes.values()),
        "outcomes": outcomes,
        "process_baseline_mb": round(baseline, 1),
        "worst_growth_mb_by_kind": {k: round(v, 1) for k, v in sorted(worst.items())},
        "worst_growth_mb": round(max(worst.values()), 1),
        "target_mb": 300,
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()
