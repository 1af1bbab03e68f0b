"""The ten-print benchmark: a synthetic national-scale gallery, searched against truth.

``securecomm biometrics bench --identities N`` (and ``benchmarks/bench_biometrics.py``)
call :func:`run_benchmark`, which

1. builds a gallery store of ``N`` synthetic identities (ten fingers each) straight to
   disk, in chunks, with :mod:`.synthetic_gallery`'s Numba port of :mod:`.synthetic`'s
   model (it matches the reference model in distribution, not bit for bit);
2. opens the store as a :class:`Gallery` (mapped, as after a restart);
3. searches ``S`` mated probes (fresh captures of enrolled people, made by the
   *reference* :func:`synthetic.impression`, so a port that drifted from the model
   would show up as misses, never flatter the result) and ``S`` strangers made
   entirely by the reference generator;
4. reports enrolment rate, 1:1 comparisons per second on one core, search latency
   p50/p95, resident memory per enrolled finger, FNIR (mated searches not identified
   as the right person) and FPIR (strangers identified as anyone).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from securecomm.biometrics import synthetic
from securecomm.biometrics._compare import DEFAULT_PARAMETERS
from securecomm.biometrics._descriptors import features_of
from securecomm.biometrics._fusion import Band, derive_thresholds
from securecomm.biometrics._gallery import Gallery
from securecomm.biometrics._index import CodeBasis, default_basis
from securecomm.biometrics._knobs import knobs
from securecomm.biometrics._match import match
from securecomm.biometrics._params import MatchParameters
from securecomm.biometrics._store import GalleryStore
from securecomm.biometrics._template import Template
from securecomm.biometrics.synthetic_gallery import SyntheticChunk

CHUNK_IDENTITIES = 2_000
COMPARISON_PAIRS = 2_000
QUANTILES = (0.0, 0.01, 0.5, 0.99, 1.0)

F64 = npt.NDArray[np.float64]
Progress = Callable[[int, int], None]  # (identities written, identities in total)


@dataclass
class BenchReport:
    identities: int
    searches: int
    seed: int
    severity: float
    search_p50_s: float = 0.0
    search_p95_s: float = 0.0
    bytes_per_finger: float = 0.0  # resident memory added by the open gallery, per finger
    comparisons_per_second_per_core: float = 0.0
    fnir: float = 0.0
    fpir: float = 0.0
    enrolled_fingers: int = 0
    build_seconds: float = 0.0
    enrolment_identities_per_second: float = 0.0
    open_seconds: float = 0.0
    rss_bytes: int = 0
    rss_anonymous_bytes: int = 0  # of rss_bytes: process memory proper
    rss_file_bytes: int = 0  # of rss_bytes: mapped store pages (page cache, reclaimable)
    disk_bytes_per_finger: float = 0.0
    index_bytes_per_finger: float = 0.0
    mated_missed_by_index: int = 0
    load_average: tuple[float, float, float] = (0.0, 0.0, 0.0)
    fused_mated_top: dict[str, float] = field(default_factory=dict)
    fused_nonmated_top: dict[str, float] = field(default_factory=dict)
    derived_thresholds: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def run_benchmark(
    identities: int,
    searches: int,
    *,
    seed: int = 1,
    severity: float = 1.0,
    directory: Path | None = None,
    params: MatchParameters | None = None,
    progress: Progress | None = None,
) -> BenchReport:
    """Build, open and search a synthetic gallery; see the module docstring."""
    if identities < 1:
        raise ValueError("identities must be at least 1")
    if searches < 1:
        raise ValueError("searches must be at least 1")
    if not 0.0 < severity <= 3.0:
        raise ValueError(f"severity {severity} is outside (0, 3]")
    chosen = params if params is not None else DEFAULT_PARAMETERS
    report = BenchReport(identities, searches, seed, severity)
    rng = np.random.default_rng(seed)
    mated_ids = sorted(rng.choice(identities, size=min(searches, identities), replace=False))
    owned = directory is None
    root = Path(tempfile.mkdtemp(prefix="securecomm-bench-")) if directory is None else directory
    try:
        store_path = root / "gallery"
        started = time.perf_counter()
        masters, report.enrolled_fingers = build_store(
            store_path,
            identities,
            seed=seed,
            severity=severity,
            keep=set(mated_ids),
            params=chosen,
            progress=progress,
        )
        report.build_seconds = time.perf_counter() - started
        report.enrolment_identities_per_second = identities / report.build_seconds
        _search(store_path, masters, rng, report, chosen)
        report.disk_bytes_per_finger = _disk_bytes(store_path) / max(1, report.enrolled_fingers)
    finally:
        if owned:
            shutil.rmtree(root, ignore_errors=True)
    report.load_average = os.getloadavg()
    return report


def build_store(
    path: Path,
    identities: int,
    *,
    seed: int,
    severity: float,
    keep: set[int],
    params: MatchParameters,
    basis: CodeBasis | None = None,
    progress: Progress | None = None,
) -> tuple[dict[int, dict[int, Template]], int]:
    """Write ``identities`` synthetic enrolments (subject ids 0..N-1) as one segment of
    a new store at ``path``; return the master ten-prints of the ``keep`` subjects and
    the number of fingers enrolled (unusable captures are skipped, as by enrol)."""
    store = GalleryStore.create(path, basis if basis is not None else default_basis())
    writer = store.new_segment()
    masters: dict[int, dict[int, Template]] = {}
    enrolled = 0
    try:
        for first in range(0, identities, CHUNK_IDENTITIES):
            count = min(CHUNK_IDENTITIES, identities - first)
            chunk = SyntheticChunk(seed, first, count, severity)
            rows = chunk.rows(store.basis, params)
            writer.append(rows)
            enrolled += _popcount(rows.fingers)
            masters.update(chunk.masters(keep))
            if progress is not None:
                progress(first + count, identities)
        entry = writer.finish()
    except BaseException:
        writer.abandon()
        raise
    store.commit([entry], np.zeros((0, 2), dtype=np.int64))
    return masters, enrolled


def _search(
    store_path: Path,
    masters: dict[int, dict[int, Template]],
    rng: np.random.Generator,
    report: BenchReport,
    params: MatchParameters,
) -> None:
    probes = [
        (subject, synthetic.impressions_of(masters[subject], rng, report.severity))
        for subject in sorted(masters)
    ]
    strangers = [
        synthetic.impressions_of(synthetic.synthesize_tenprint(rng), rng, report.severity)
        for _ in range(report.searches)
    ]
    warm = Gallery(params, basis=default_basis())  # load every kernel before measuring
    warm.enrol(0, strangers[0])
    warm.search(strangers[0])
    for prints in [p for _, p in probes] + strangers:  # probe features are cached on the
        for template in prints.values():  # templates: compute them now, so the memory
            features_of(template, params)  # figure counts the gallery, not the probes
    rss_before = _rss_bytes()
    started = time.perf_counter()
    gallery = Gallery.open(store_path, params)
    report.open_seconds = time.perf_counter() - started
    latencies: list[float] = []
    misses = 0
    mated_top: list[float] = []
    for subject, probe in probes:
        started = time.perf_counter()
        result = gallery.search(probe)
        latencies.append(time.perf_counter() - started)
        best = result.best
        if result.band is not Band.IDENTIFICATION or best is None or best.subject_id != subject:
            misses += 1
            report.mated_missed_by_index += subject not in gallery.shortlist_ids(probe)
        mated_top.append(result.top_scores[0] if result.top_scores else 0.0)
    false_ids = 0
    nonmated_top: list[float] = []
    for probe in strangers:
        started = time.perf_counter()
        result = gallery.search(probe)
        latencies.append(time.perf_counter() - started)
        false_ids += result.band is Band.IDENTIFICATION
        nonmated_top.append(result.top_scores[0] if result.top_scores else 0.0)
    report.rss_bytes = _rss_bytes()
    report.rss_anonymous_bytes, report.rss_file_bytes = _rss_split()
    report.bytes_per_finger = (report.rss_bytes - rss_before) / max(1, report.enrolled_fingers)
    report.index_bytes_per_finger = gallery.index_nbytes / max(1, report.enrolled_fingers)
    report.search_p50_s = float(np.percentile(latencies, 50))
    report.search_p95_s = float(np.percentile(latencies, 95))
    report.fnir = misses / len(probes)
    report.fpir = false_ids / len(strangers)
    report.fused_mated_top = _quantiles(mated_top)
    report.fused_nonmated_top = _quantiles(nonmated_top)
    if len(nonmated_top) >= 2:
        identification, possible = derive_thresholds(nonmated_top, params.target_fpir)
        report.derived_thresholds = {
            "target_fpir": params.target_fpir,
            "identification": identification,
            "possible": possible,
            "in_use_identification": params.identification_threshold,
            "in_use_possible": params.possible_threshold,
        }
    report.comparisons_per_second_per_core = _comparison_rate(gallery, probes, params)


def _popcount(masks: npt.NDArray[np.uint16]) -> int:
    bits = np.unpackbits(np.ascontiguousarray(masks, dtype="<u2").view(np.uint8))
    return int(bits.sum())


def _comparison_rate(
    gallery: Gallery, probes: list[tuple[int, dict[int, Template]]], params: MatchParameters
) -> float:
    """Full 1:1 comparisons per second on this thread, on prepared templates: half mated,
    half with the next subject's prints, as the second search stage sees them."""
    pairs = []
    for index, (subject, probe) in enumerate(probes):
        other = subject if index % 2 == 0 else subject + 1
        enrolled = gallery.prints_of(other) if other in gallery else {}
        pairs += [
            (features_of(probe[p], params), features_of(enrolled[p], params))
            for p in probe
            if p in enrolled
        ]
        if len(pairs) >= COMPARISON_PAIRS:
            break
    if not pairs:
        return 0.0
    knob_vector = knobs(params)
    started = time.perf_counter()
    for a, b in pairs:
        match(a, b, knob_vector)
    return len(pairs) / (time.perf_counter() - started)


def _quantiles(values: list[float]) -> dict[str, float]:
    data = np.asarray(values, dtype=np.float64)
    if data.size == 0:
        return {}
    return {f"q{q:g}": round(float(np.quantile(data, q)), 2) for q in QUANTILES}


def _rss_bytes() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _rss_split() -> tuple[int, int]:
    """(anonymous, file-backed) resident bytes from /proc/self/status (Linux)."""
    fields: dict[str, int] = {}
    with open("/proc/self/status") as handle:
        for line in handle:
            name, _, value = line.partition(":")
            if name in ("RssAnon", "RssFile"):
                fields[name] = int(value.split()[0]) * 1024
    return fields.get("RssAnon", 0), fields.get("RssFile", 0)


def _disk_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def format_report(report: BenchReport) -> str:
    """The report as a short human-readable table."""
    load = ", ".join(f"{value:.2f}" for value in report.load_average)
    lines = [
        f"ten-print benchmark: {report.identities:,} identities "
        f"({report.enrolled_fingers:,} fingers), {report.searches:,} mated and "
        f"{report.searches:,} non-mated searches, seed {report.seed}, "
        f"severity {report.severity:g}, load average {load}",
        f"  build (generate + encode + write)  {report.build_seconds:,.1f} s, "
        f"{report.enrolment_identities_per_second:,.0f} identities/s",
        f"  open store (restart)               {report.open_seconds:.3f} s",
        f"  1:1 comparisons per second, 1 core {report.comparisons_per_second_per_core:,.0f}",
        f"  search latency p50 / p95           {report.search_p50_s:.3f} s / "
        f"{report.search_p95_s:.3f} s",
        f"  resident bytes per finger          {report.bytes_per_finger:,.0f} "
        f"(total RSS {report.rss_bytes / 2**20:,.0f} MiB of which mapped store pages "
        f"{report.rss_file_bytes / 2**20:,.0f} MiB; index "
        f"{report.index_bytes_per_finger:.1f}, disk {report.disk_bytes_per_finger:.0f})",
        f"  FNIR (rank 1, identification band) {report.fnir:.4f} "
        f"({report.mated_missed_by_index} missed by the index stage)",
        f"  FPIR (identification band)         {report.fpir:.4f}",
        f"  best fused score, mated            {_cells(report.fused_mated_top)}",
        f"  best fused score, non-mated        {_cells(report.fused_nonmated_top)}",
        f"  thresholds derived from non-mated  {_cells(report.derived_thresholds)}",
    ]
    return "\n".join(lines)


def _cells(values: dict[str, float]) -> str:
    return "  ".join(f"{key}={value:g}" for key, value in values.items())
