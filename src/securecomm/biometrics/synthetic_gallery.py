"""Synthetic ten-prints for galleries of national size, generated in bulk (Numba).

A Numba port of :mod:`.synthetic`'s model (same pattern classes, zero-pole orientation
field, dart-throwing minutiae, and the same capture perturbations: rotation, shift,
elastic warp, pressure scale, jitter, missing and spurious minutiae, cropping,
reliability loss), drawn in chunks of identities straight into gallery rows. The port
draws different random streams, so it matches the reference model in distribution, not
bit for bit. The ten-print benchmark (:mod:`.benchmark`) and the simulation's background
population (:func:`synthetic_rows`) use it.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import numpy.typing as npt
from numba import njit, prange

from securecomm.biometrics import synthetic
from securecomm.biometrics._index import POSITIONS, CodeBasis, finger_vectors
from securecomm.biometrics._params import MatchParameters
from securecomm.biometrics._quality import FULL_PRINT_MINUTIAE
from securecomm.biometrics._rows import FINGER, Rows, quantise
from securecomm.biometrics._template import DIRECTION, TWO_PI, Template, X, Y, dequantised

MAX_MASTER = synthetic.MAX_MINUTIAE
MAX_CAPTURE = MAX_MASTER + 30  # room for spurious minutiae (at most 10 % x severity 3)

F64 = npt.NDArray[np.float64]


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
    return SyntheticChunk(seed, first_subject, count, severity).rows(basis, params)


class SyntheticChunk:
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
        xyt = dequantised(stored)[:, [X, Y, DIRECTION]].astype(np.float64)
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
