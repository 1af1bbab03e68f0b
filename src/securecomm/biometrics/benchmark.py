"""The ten-print benchmark: a synthetic national-scale gallery, searched against truth.

``securecomm biometrics bench --identities N`` (and ``benchmarks/bench_biometrics.py``)
call :func:`run_benchmark`, which

1. builds a gallery store of ``N`` synthetic identities (ten fingers each) straight to
   disk, in chunks, with a Numba port of :mod:`.synthetic`'s model (same pattern
   classes, zero-pole orientation field, dart-throwing minutiae, and the same capture
   perturbations: rotation, shift, elastic warp, pressure scale, jitter, missing and
   spurious minutiae, cropping, reliability loss). The port draws different random
   streams, so it matches the reference model in distribution, not bit for bit;
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

import math
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from numba import njit, prange

from securecomm.biometrics import synthetic
from securecomm.biometrics._compare import DEFAULT_PARAMETERS
from securecomm.biometrics._descriptors import features_of
from securecomm.biometrics._fusion import Band, derive_thresholds
from securecomm.biometrics._gallery import Gallery
from securecomm.biometrics._index import POSITIONS, CodeBasis, default_basis, finger_vectors
from securecomm.biometrics._knobs import knobs
from securecomm.biometrics._match import match
from securecomm.biometrics._params import MatchParameters
from securecomm.biometrics._quality import FULL_PRINT_MINUTIAE
from securecomm.biometrics._store import FINGER, GalleryStore, Rows, quantise, read_back
from securecomm.biometrics._template import DIRECTION, TWO_PI, Template, X, Y

CHUNK_IDENTITIES = 2_000
MAX_MASTER = synthetic.MAX_MINUTIAE
MAX_CAPTURE = MAX_MASTER + 30  # room for spurious minutiae (at most 10 % x severity 3)
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
            chunk = _SyntheticChunk(seed, first, count, severity)
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


def synthetic_rows(
    first_subject: int,
    count: int,
    *,
    seed: int,
    basis: CodeBasis,
    params: MatchParameters,
    severity: float = 1.0,
) -> Rows:
    """``count`` synthetic identities (subjects ``first_subject`` on), one capture of
    ten fingers each, as gallery rows (codes and minutiae): strangers to fill a gallery
    to national size. Unusable captures are left out of a row, as enrol would."""
    return _SyntheticChunk(seed, first_subject, count, severity).rows(basis, params)


class _SyntheticChunk:
    """``count`` identities from subject ``first``: masters and one capture each."""

    def __init__(self, seed: int, first: int, count: int, severity: float) -> None:
        self.first = first
        self.count = count
        fingers = count * POSITIONS
        self.master = np.zeros((fingers, MAX_MASTER, 5), dtype=np.float64)
        self.master_n = np.zeros(fingers, dtype=np.int64)
        self.size = np.zeros((fingers, 2), dtype=np.int64)
        self.capture = np.zeros((fingers, MAX_CAPTURE, 5), dtype=np.float64)
        self.capture_n = np.zeros(fingers, dtype=np.int64)
        base_seed = (seed * 1_000_003 + first * POSITIONS) % (2**31)
        _generate(
            base_seed, severity, self.master, self.master_n, self.size, self.capture, self.capture_n
        )

    def rows(self, basis: CodeBasis, params: MatchParameters) -> Rows:
        counts = self.capture_n
        flat = np.concatenate([self.capture[f, : counts[f]] for f in range(len(counts))])
        flat32 = flat.astype(np.float32)
        reliability_sum = np.add.reduceat(flat32[:, 4], _starts(counts)) * (counts > 0)
        quality = _quality(counts, reliability_sum)
        usable = (counts >= params.min_minutiae) & (quality >= params.min_quality)
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        stored = quantise(flat32)
        # the codes enrolling the stored (rounded) templates gives, not the capture's
        xyt = read_back(stored)[:, [X, Y, DIRECTION]].astype(np.float64)
        vectors = _vectors_in_two_threads(xyt, offsets)
        codes = basis.codes(vectors).reshape(self.count, POSITIONS, -1)
        codes[~usable.reshape(self.count, POSITIONS)] = 0
        bits = (usable.reshape(self.count, POSITIONS) << np.arange(POSITIONS)).sum(axis=1)
        table = np.zeros(len(counts), dtype=FINGER)
        table["start"] = offsets[:-1]
        table["count"] = counts
        table["width"] = self.size[:, 0]
        table["height"] = self.size[:, 1]
        table["quality"] = quality
        table[~usable] = np.zeros(1, dtype=FINGER)
        return Rows(
            subjects=np.arange(self.first, self.first + self.count, dtype=np.int64),
            codes=codes,
            fingers=bits.astype(np.uint16),
            finger_table=table.reshape(self.count, POSITIONS),
            minutiae=stored,
        )

    def masters(self, keep: set[int]) -> dict[int, dict[int, Template]]:
        found: dict[int, dict[int, Template]] = {}
        for subject in keep:
            local = subject - self.first
            if not 0 <= local < self.count:
                continue
            found[subject] = {
                position: self._master_template(local * POSITIONS + position - 1, position)
                for position in range(1, POSITIONS + 1)
            }
        return found

    def _master_template(self, finger: int, position: int) -> Template:
        minutiae = self.master[finger, : self.master_n[finger]].astype(np.float32)
        minutiae[:, 2] = np.where(minutiae[:, 2] >= np.float32(TWO_PI), 0.0, minutiae[:, 2])
        width, height = (int(v) for v in self.size[finger])
        quality = int(_quality(np.array([len(minutiae)]), np.array([minutiae[:, 4].sum()]))[0])
        return Template(np.ascontiguousarray(minutiae), width, height, quality, position)


def _starts(counts: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    clipped: npt.NDArray[np.int64] = np.minimum(starts, max(0, int(counts.sum()) - 1))
    return clipped.astype(np.int64)


def _quality(counts: npt.NDArray[np.int64], reliability_sum: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """:func:`._quality.estimate_quality`, vectorised over fingers."""
    coverage = np.sqrt(np.minimum(1.0, counts / FULL_PRINT_MINUTIAE))
    mean_reliability = np.where(counts > 0, reliability_sum / np.maximum(counts, 1), 0.0)
    return np.rint(100.0 * coverage * mean_reliability).astype(np.int64)


def _vectors_in_two_threads(xyt: F64, offsets: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
    fingers = len(offsets) - 1
    middle = fingers // 2
    with ThreadPoolExecutor(max_workers=2) as pool:  # the Numba kernel releases the GIL
        low = pool.submit(finger_vectors, xyt, offsets[: middle + 1])
        high = pool.submit(finger_vectors, xyt, offsets[middle:])
        return np.concatenate([low.result(), high.result()])


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


# --- the synthetic model, ported to Numba (see synthetic.py for the reference) --------

PATTERN_CUMULATIVE = np.cumsum(synthetic.PATTERN_FREQUENCIES)
# The reference model's constants, bound here as plain floats for the compiled kernels.
MIN_MINUTIAE, MAX_MINUTIAE = synthetic.MIN_MINUTIAE, synthetic.MAX_MINUTIAE
MIN_SPACING_PX = float(synthetic.MIN_SPACING_PX)
BIFURCATION_SHARE = float(synthetic.BIFURCATION_SHARE)
MISSING_LOW, MISSING_HIGH = synthetic.MISSING_FRACTION
SPURIOUS_LOW, SPURIOUS_HIGH = synthetic.SPURIOUS_FRACTION
MAX_ROTATION_RAD = float(synthetic.MAX_ROTATION_RAD)
MAX_SHIFT_PX = float(synthetic.MAX_SHIFT_PX)
ELASTIC_AMPLITUDE_PX = float(synthetic.ELASTIC_AMPLITUDE_PX)
POSITION_JITTER_PX = float(synthetic.POSITION_JITTER_PX)
DIRECTION_JITTER_RAD = float(synthetic.DIRECTION_JITTER_RAD)
MAX_CROP_FRACTION = float(synthetic.MAX_CROP_FRACTION)
_LEFT_LOOP, _RIGHT_LOOP, _WHORL, _ARCH, _TENTED = range(5)  # order of synthetic.PATTERNS


@njit(cache=True, parallel=True)
def _generate(
    base_seed: int,
    severity: float,
    master: F64,
    master_n: npt.NDArray[np.int64],
    size: npt.NDArray[np.int64],
    capture: F64,
    capture_n: npt.NDArray[np.int64],
) -> None:
    for finger in prange(master.shape[0]):
        np.random.seed(base_seed + finger)  # per finger: the same world on any thread count
        width = np.random.randint(300, 401)
        height = np.random.randint(400, 501)
        size[finger, 0] = width
        size[finger, 1] = height
        master_n[finger] = _master(master[finger], width, height)
        capture_n[finger] = _impression(
            master[finger], master_n[finger], width, height, severity, capture[finger]
        )


@njit(cache=True)
def _master(out: F64, width: int, height: int) -> int:
    draw = np.random.random()
    pattern = 0
    while pattern < 4 and draw > PATTERN_CUMULATIVE[pattern]:
        pattern += 1
    cores = np.zeros((2, 2))
    deltas = np.zeros((2, 2))
    n_cores, n_deltas = _singular_points(pattern, width, height, cores, deltas)
    base = np.random.normal(0.0, 0.15)
    count = np.random.randint(MIN_MINUTIAE, MAX_MINUTIAE + 1)
    n = _spread_points(out, count, width, height)
    for k in range(n):
        x, y = out[k, 0], out[k, 1]
        if pattern == _ARCH:
            bump = math.exp(-(((y - 0.55 * height) / (0.3 * height)) ** 2))
            angle = base + math.sin(math.pi * (x / width - 0.5)) * 0.9 * bump
        else:
            angle = base
            for c in range(n_cores):
                angle += 0.5 * math.atan2(y - cores[c, 1], x - cores[c, 0])
            for d in range(n_deltas):
                angle -= 0.5 * math.atan2(y - deltas[d, 1], x - deltas[d, 0])
        angle += math.pi * np.random.randint(0, 2)
        out[k, 2] = _float32_angle(angle)
        out[k, 3] = 1.0 if np.random.random() < BIFURCATION_SHARE else 0.0
        out[k, 4] = min(1.0, max(0.3, np.random.beta(8.0, 1.5)))
    return n


@njit(cache=True)
def _singular_points(
    pattern: int, width: int, height: int, cores: F64, deltas: F64
) -> tuple[int, int]:
    cx = width / 2.0
    jx = np.random.normal(0.0, 12.0)
    jy = np.random.normal(0.0, 12.0)
    side = -1.0 if pattern == _LEFT_LOOP else 1.0
    n_cores = n_deltas = 0
    if pattern <= _RIGHT_LOOP:  # left or right loop
        cores[0, 0], cores[0, 1] = cx - side * 0.05 * width, 0.38 * height
        deltas[0, 0], deltas[0, 1] = cx + side * 0.30 * width, 0.72 * height
        n_cores = n_deltas = 1
    elif pattern == _WHORL:
        cores[0, 0], cores[0, 1] = cx - 0.05 * width, 0.40 * height
        cores[1, 0], cores[1, 1] = cx + 0.05 * width, 0.45 * height
        deltas[0, 0], deltas[0, 1] = cx - 0.35 * width, 0.74 * height
        deltas[1, 0], deltas[1, 1] = cx + 0.35 * width, 0.74 * height
        n_cores = n_deltas = 2
    elif pattern == _TENTED:
        cores[0, 0], cores[0, 1] = cx, 0.50 * height
        deltas[0, 0], deltas[0, 1] = cx, 0.70 * height
        n_cores = n_deltas = 1
    for k in range(n_cores):
        cores[k, 0] += jx
        cores[k, 1] += jy
    for k in range(n_deltas):
        deltas[k, 0] += jx
        deltas[k, 1] += jy
    return n_cores, n_deltas


@njit(cache=True)
def _spread_points(out: F64, count: int, width: int, height: int) -> int:
    """Dart throwing inside the finger ellipse with a minimum spacing."""
    cx, cy = width / 2.0, height / 2.0
    ax, ay = 0.45 * width, 0.46 * height
    spacing2 = MIN_SPACING_PX**2
    n = 0
    for _ in range(40 * 4 * count):  # the reference's 40 batches of 4 * count darts
        angle = np.random.uniform(0.0, 2.0 * math.pi)
        radius = math.sqrt(np.random.random())
        x = cx + ax * math.cos(angle) * radius
        y = cy + ay * math.sin(angle) * radius
        free = True
        for k in range(n):
            if (out[k, 0] - x) ** 2 + (out[k, 1] - y) ** 2 < spacing2:
                free = False
                break
        if free:
            out[n, 0] = x
            out[n, 1] = y
            n += 1
            if n == count:
                break
    return n


@njit(cache=True)
def _impression(master: F64, n: int, width: int, height: int, severity: float, out: F64) -> int:
    missing = np.random.uniform(MISSING_LOW, MISSING_HIGH)
    warp = _draw_warp(width, height, severity)
    reliability_factor = np.random.uniform(1.0 - 0.25 * severity, 1.0)
    kept = 0
    for k in range(n):
        if np.random.random() < missing * severity:
            continue
        x, y, t = master[k, 0], master[k, 1], master[k, 2]
        px, py = _warp_point(warp, x, y, width, height)
        ahead_x, ahead_y = _warp_point(warp, x + math.cos(t), y + math.sin(t), width, height)
        out[kept, 0] = px + np.random.normal(0.0, POSITION_JITTER_PX * severity)
        out[kept, 1] = py + np.random.normal(0.0, POSITION_JITTER_PX * severity)
        direction = math.atan2(ahead_y - py, ahead_x - px)
        out[kept, 2] = direction + np.random.normal(0.0, DIRECTION_JITTER_RAD * severity)
        out[kept, 3] = master[k, 3]
        out[kept, 4] = min(1.0, master[k, 4] * reliability_factor)
        kept += 1
    kept = _add_spurious(out, kept, n, severity)
    return _crop(out, kept, width, height, severity)


@njit(cache=True)
def _draw_warp(width: int, height: int, severity: float) -> F64:
    """[rotation, shift x, shift y, scale x, scale y, then per axis 3 x (kx, ky, phase,
    amplitude)] as in synthetic._Warp."""
    limit = MAX_ROTATION_RAD
    warp = np.zeros(5 + 24)
    warp[0] = np.random.uniform(-limit, limit) * severity
    warp[1] = np.random.uniform(-MAX_SHIFT_PX, MAX_SHIFT_PX) * severity
    warp[2] = np.random.uniform(-MAX_SHIFT_PX, MAX_SHIFT_PX) * severity
    warp[3] = 1.0 + np.random.uniform(-0.03, 0.03) * severity
    warp[4] = 1.0 + np.random.uniform(-0.03, 0.03) * severity
    for wave in range(6):
        kx, ky = np.random.normal(), np.random.normal()
        norm = math.sqrt(kx * kx + ky * ky) + 1e-12
        wavenumber = 2.0 * math.pi / np.random.uniform(250.0, 600.0)
        base = 5 + 4 * wave
        warp[base] = kx / norm * wavenumber
        warp[base + 1] = ky / norm * wavenumber
        warp[base + 2] = np.random.uniform(0.0, 2.0 * math.pi)
        amplitude = np.random.uniform(0.3, 1.0) * ELASTIC_AMPLITUDE_PX
        warp[base + 3] = amplitude * severity / 2.0
    return warp


@njit(cache=True)
def _warp_point(warp: F64, x: float, y: float, width: int, height: int) -> tuple[float, float]:
    dx = dy = 0.0
    for wave in range(3):
        b = 5 + 4 * wave
        dx += math.sin(x * warp[b] + y * warp[b + 1] + warp[b + 2]) * warp[b + 3]
        b = 5 + 4 * (wave + 3)
        dy += math.sin(x * warp[b] + y * warp[b + 1] + warp[b + 2]) * warp[b + 3]
    lx = (x + dx - width / 2.0) * warp[3]
    ly = (y + dy - height / 2.0) * warp[4]
    c, s = math.cos(warp[0]), math.sin(warp[0])
    return lx * c - ly * s + width / 2.0 + warp[1], lx * s + ly * c + height / 2.0 + warp[2]


@njit(cache=True)
def _add_spurious(out: F64, kept: int, master_count: int, severity: float) -> int:
    count: int = round(np.random.uniform(SPURIOUS_LOW, SPURIOUS_HIGH) * severity * master_count)
    if count == 0 or kept == 0:
        return kept
    count = min(count, out.shape[0] - kept)
    x0, x1 = out[:kept, 0].min(), out[:kept, 0].max()
    y0, y1 = out[:kept, 1].min(), out[:kept, 1].max()
    for s in range(count):
        x = np.random.uniform(x0, x1)
        y = np.random.uniform(y0, y1)
        nearest, best = 0, np.inf
        for k in range(kept):
            d2 = (out[k, 0] - x) ** 2 + (out[k, 1] - y) ** 2
            if d2 < best:
                nearest, best = k, d2
        row = kept + s
        out[row, 0] = x
        out[row, 1] = y
        flip = math.pi * np.random.randint(0, 2)
        out[row, 2] = out[nearest, 2] + flip + np.random.normal(0.0, 0.3)
        out[row, 3] = float(np.random.randint(0, 2))
        out[row, 4] = np.random.uniform(0.2, 0.6)
    total: int = kept + count
    return total


@njit(cache=True)
def _crop(out: F64, n: int, width: int, height: int, severity: float) -> int:
    """Keep what lies in the capture window; wrap directions into [0, 2*pi)."""
    crop = MAX_CROP_FRACTION
    x0 = max(np.random.uniform(0.0, crop) * severity * width, 0.0)
    y0 = max(np.random.uniform(0.0, crop) * severity * height, 0.0)
    x1 = min(width * (1.0 - np.random.uniform(0.0, crop) * severity), float(width))
    y1 = min(height * (1.0 - np.random.uniform(0.0, crop) * severity), float(height))
    kept = 0
    for k in range(n):
        x, y = np.float32(out[k, 0]), np.float32(out[k, 1])  # tested as float32, as stored
        if x0 <= x < x1 and y0 <= y < y1:
            out[kept, 0], out[kept, 1] = out[k, 0], out[k, 1]
            out[kept, 2] = _float32_angle(out[k, 2])
            out[kept, 3], out[kept, 4] = out[k, 3], out[k, 4]
            kept += 1
    return kept


@njit(cache=True)
def _float32_angle(angle: float) -> float:
    """``angle`` in [0, 2*pi) even after rounding to float32 (as Template requires)."""
    wrapped = angle % (2.0 * math.pi)
    if np.float32(wrapped) >= np.float32(2.0 * math.pi):
        return 0.0
    return wrapped


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
