"""Benchmark the biometric engine on synthetic ten-prints (one core).

    .venv/bin/python benchmarks/bench_biometrics.py --identities 5000 --searches 1000 --seed 1

Builds a gallery from one impression of each synthetic identity, then runs mated
searches (a second impression of an enrolled identity) and non-mated searches (a
stranger). Reports enrolment time, 1:1 comparisons per second, search latency,
bytes per finger, FNIR (mated searches not identified at rank 1), FPIR (non-mated
searches with a candidate in the identification band), the fused-score quantiles,
and the thresholds that the rule in ``securecomm.biometrics._fusion`` derives from
the measured non-mated scores.
"""

from __future__ import annotations

import os

# One core, as the demo machine shares two: pin BLAS and Numba before they load.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

import numpy as np  # noqa: E402

from securecomm.biometrics import Band, Gallery, Template, compare, synthetic  # noqa: E402
from securecomm.biometrics._fusion import derive_thresholds  # noqa: E402
from securecomm.biometrics._match import features_of, knobs, match  # noqa: E402

QUANTILES = (0.0, 0.01, 0.05, 0.5, 0.95, 0.99, 1.0)


@dataclass
class Report:
    identities: int
    searches: int
    seed: int
    severity: float
    figures: dict[str, float] = field(default_factory=dict)
    quantiles: dict[str, dict[str, float]] = field(default_factory=dict)
    derived: dict[str, float] = field(default_factory=dict)


def main() -> None:
    args = _arguments()
    rng = np.random.default_rng(args.seed)
    report = Report(args.identities, args.searches, args.seed, args.severity)
    people = [synthetic.synthesize_tenprint(rng) for _ in range(args.identities)]
    enrolment = [synthetic.impressions_of(p, rng, args.severity) for p in people]
    mated_ids = rng.choice(args.identities, size=min(args.searches, args.identities), replace=False)
    mated = [(int(i), synthetic.impressions_of(people[i], rng, args.severity)) for i in mated_ids]
    strangers = [
        synthetic.impressions_of(synthetic.synthesize_tenprint(rng), rng, args.severity)
        for _ in range(args.searches)
    ]

    gallery = Gallery()
    _warm_up(gallery, enrolment[0], mated[0][1])
    _measure_enrolment(gallery, enrolment, report)
    _measure_comparisons(enrolment, mated, report)
    _measure_searches(gallery, mated, strangers, report)
    _measure_sizes(gallery, enrolment, report)
    if args.json:
        print(json.dumps(report.__dict__, indent=2))
    else:
        _print(report, gallery)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--identities", type=int, default=5000)
    parser.add_argument("--searches", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--severity", type=float, default=1.0)
    parser.add_argument("--json", action="store_true")
    return parser.parse_args()


def _warm_up(gallery: Gallery, prints: dict[int, Template], probe: dict[int, Template]) -> None:
    """Load the compiled kernels (Numba cache) before anything is timed."""
    gallery.enrol(-1, prints)
    gallery.search(probe)
    gallery.remove(-1)


def _measure_enrolment(
    gallery: Gallery, enrolment: list[dict[int, Template]], report: Report
) -> None:
    started = time.perf_counter()
    for subject_id, prints in enumerate(enrolment):
        gallery.enrol(subject_id, prints)
    elapsed = time.perf_counter() - started
    report.figures["enrol_ms_per_tenprint"] = 1e3 * elapsed / len(enrolment)


def _measure_comparisons(
    enrolment: list[dict[int, Template]],
    mated: list[tuple[int, dict[int, Template]]],
    report: Report,
) -> None:
    """Raw 1:1 throughput on prepared templates (what the search's second stage does)."""
    params = Gallery().params
    knob_vector = knobs(params)
    pairs = [
        (
            features_of(probe[pos], params),
            features_of(enrolment[(i + 1) % len(enrolment)][pos], params),
        )
        for i, probe in mated[:200]
        for pos in probe
        if pos in enrolment[(i + 1) % len(enrolment)]
    ]
    started = time.perf_counter()
    for a, b in pairs:
        match(a, b, knob_vector)
    elapsed = time.perf_counter() - started
    report.figures["comparisons_per_second"] = len(pairs) / elapsed
    genuine = [compare(probe[pos], enrolment[i][pos]) for i, probe in mated[:200] for pos in probe]
    impostor = [
        compare(probe[pos], enrolment[(i + 1) % len(enrolment)][pos])
        for i, probe in mated[:200]
        for pos in probe
    ]
    report.quantiles["finger_genuine"] = _quantiles(genuine)
    report.quantiles["finger_impostor"] = _quantiles(impostor)


def _measure_searches(
    gallery: Gallery,
    mated: list[tuple[int, dict[int, Template]]],
    strangers: list[dict[int, Template]],
    report: Report,
) -> None:
    latencies: list[float] = []
    misses = 0
    mated_top: list[float] = []
    for subject_id, probe in mated:
        started = time.perf_counter()
        result = gallery.search(probe)
        latencies.append(time.perf_counter() - started)
        best = result.best
        if result.band is not Band.IDENTIFICATION or best is None or best.subject_id != subject_id:
            misses += 1
        mated_top.append(result.top_scores[0] if result.top_scores else 0.0)
    false_ids = 0
    impostor_top: list[float] = []
    for probe in strangers:
        started = time.perf_counter()
        result = gallery.search(probe)
        latencies.append(time.perf_counter() - started)
        false_ids += result.band is Band.IDENTIFICATION
        impostor_top.append(result.top_scores[0] if result.top_scores else 0.0)
    report.figures["search_ms_p50"] = 1e3 * float(np.percentile(latencies, 50))
    report.figures["search_ms_p95"] = 1e3 * float(np.percentile(latencies, 95))
    report.figures["fnir"] = misses / len(mated)
    report.figures["fpir"] = false_ids / len(strangers)
    report.quantiles["fused_mated_top"] = _quantiles(mated_top)
    report.quantiles["fused_nonmated_top"] = _quantiles(impostor_top)
    params = gallery.params
    identification, possible = derive_thresholds(impostor_top, params.target_fpir)
    report.derived = {
        "target_fpir": params.target_fpir,
        "identification_threshold": identification,
        "possible_threshold": possible,
        "in_use_identification_threshold": params.identification_threshold,
        "in_use_possible_threshold": params.possible_threshold,
        "mated_below_in_use_identification": float(
            sum(s < params.identification_threshold for s in mated_top)
        ),
    }


def _measure_sizes(gallery: Gallery, enrolment: list[dict[int, Template]], report: Report) -> None:
    templates = [t for prints in enrolment for t in prints.values()]
    report.figures["template_bytes_per_finger"] = statistics.fmean(
        len(t.to_bytes()) for t in templates
    )
    params = gallery.params
    features = [features_of(t, params) for t in templates[:2000]]
    per_finger = statistics.fmean(
        f.xyt.nbytes + f.order.nbytes + f.codes.nbytes + f.bit_counts.nbytes for f in features
    )
    report.figures["gallery_bytes_per_finger"] = per_finger + gallery.index_nbytes / (
        10 * max(1, len(gallery))
    )


def _quantiles(values: list[float]) -> dict[str, float]:
    data = np.asarray(values, dtype=np.float64)
    return {f"q{q:g}": round(float(np.quantile(data, q)), 2) for q in QUANTILES} | {
        "mean": round(float(data.mean()), 2),
        "std": round(float(data.std(ddof=1)), 2),
    }


def _print(report: Report, gallery: Gallery) -> None:
    print(
        f"identities={report.identities} searches={report.searches} (mated and non-mated each) "
        f"seed={report.seed} severity={report.severity}"
    )
    print(gallery.params)
    for name, value in report.figures.items():
        print(f"  {name:<28} {value:,.4g}")
    for name, quantiles in report.quantiles.items():
        cells = "  ".join(f"{k}={v:g}" for k, v in quantiles.items())
        print(f"  {name:<18} {cells}")
    print("  derived thresholds (Gumbel fit of best non-mated fused scores):")
    for name, value in report.derived.items():
        print(f"    {name:<36} {value:g}")


if __name__ == "__main__":
    main()
