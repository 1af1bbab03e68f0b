"""Step 1 of the matcher (:mod:`._match`): each minutia's local binary code (Numba).

Around each minutia, in its own frame, a square grid of cells inside a circle collects
Gaussian evidence from neighbouring minutiae split into relative-direction bins; cells
with enough evidence set a bit. The index's finger vector sums the same kind of
evidence over the finger, in a geometry of its own (:mod:`._index`). :class:`Features`
holds what the matcher needs of a template, computed once and cached on it, or for a
stored gallery row straight from its quantised minutiae (:func:`stored_features`).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from numba import njit

from securecomm.biometrics._params import MatchParameters
from securecomm.biometrics._template import ANGLE_STEPS, DIRECTION, SUBPIXEL, TWO_PI, Template, X, Y

F64 = npt.NDArray[np.float64]
_POPCOUNT = np.array([bin(b).count("1") for b in range(256)], dtype=np.int32)


@dataclass(frozen=True)
class Features:
    """What the matcher needs from one template, computed once."""

    xyt: npt.NDArray[np.float64]  # (n, 3) x, y, direction, sorted by x for windowed pairing
    order: npt.NDArray[np.int64]  # template row of each xyt row
    codes: npt.NDArray[np.uint64]  # (n, words) local binary codes
    bit_counts: npt.NDArray[np.int32]  # (n,) set bits per code


def features_of(template: Template, params: MatchParameters) -> Features:
    """Features of ``template`` under ``params``, cached on the template."""
    cached = template._features
    if isinstance(cached, tuple) and cached[0] is params:
        found: Features = cached[1]
        return found
    computed = compute_features(template.minutiae, params)
    object.__setattr__(template, "_features", (params, computed))
    return computed


def second_features_of(template: Template, params: MatchParameters) -> Features | None:
    """Features of the template's second minutiae set, cached likewise; None without one."""
    if template.second is None:
        return None
    cached = template._second_features
    if isinstance(cached, tuple) and cached[0] is params:
        found: Features = cached[1]
        return found
    computed = compute_features(template.second, params)
    object.__setattr__(template, "_second_features", (params, computed))
    return computed


def compute_features(m: npt.NDArray[np.float32], params: MatchParameters) -> Features:
    order = np.argsort(m[:, X], kind="stable").astype(np.int64)
    xyt = np.ascontiguousarray(m[order][:, [X, Y, DIRECTION]], dtype=np.float64)
    codes = np.zeros((len(xyt), _code_bytes(params)), dtype=np.uint8)
    _encode(xyt, codes, *_encoding(params))
    return _features(xyt, order, codes)


def stored_features(
    records: npt.NDArray[np.void],
    starts: npt.NDArray[np.int64],
    counts: npt.NDArray[np.int64],
    params: MatchParameters,
) -> list[Features]:
    """Features of fingers stored quantised (``records`` as :func:`._template.quantised`
    writes them; finger k is ``records[starts[k]:starts[k] + counts[k]]``), in one call:
    bit for bit those of their dequantised templates, without building the templates.
    A stored gallery's shortlist is compared this way (template objects and a call per
    finger cost as much again as the codes)."""
    offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    xyt, order, codes = _stored_batch(
        records["x"],
        records["y"],
        records["t"],
        starts,
        offsets,
        _code_bytes(params),
        *_encoding(params),
    )
    bounds = offsets.tolist()
    return [
        _features(xyt[lo:hi], order[lo:hi], codes[lo:hi]) for lo, hi in itertools.pairwise(bounds)
    ]


def _features(xyt: F64, order: npt.NDArray[np.int64], codes: npt.NDArray[np.uint8]) -> Features:
    bit_counts = _POPCOUNT[codes].sum(axis=1).astype(np.int32)
    words = codes.view(np.uint64)  # 64 bits at a time for the popcount in _seeds.best_local_pairs
    return Features(xyt, order, words, bit_counts)


def _code_bytes(params: MatchParameters) -> int:
    return 8 * math.ceil(params.descriptor_bytes / 8)


def _encoding(
    params: MatchParameters,
) -> tuple[F64, npt.NDArray[np.int64], int, float, float, float, float]:
    return (
        params.cell_centres,
        params.cell_lookup,
        params.descriptor_direction_bins,
        params.descriptor_radius,
        params.descriptor_sigma_space,
        params.descriptor_sigma_direction,
        params.descriptor_bit_threshold,
    )


@njit(cache=True)
def wrap_angle(angle: float) -> float:
    """Angle in [-pi, pi): ``(angle + pi) % 2pi - pi``, bit for bit. Every angle the
    kernels wrap is a difference of two wrapped or stored angles, so one turn added or
    taken away does it: exactly what the modulo does in that range (the subtraction is
    exact there), without its division."""
    shifted = angle + math.pi
    if 0.0 <= shifted < TWO_PI:
        return shifted - math.pi
    if TWO_PI <= shifted < 2.0 * TWO_PI:
        return (shifted - TWO_PI) - math.pi
    if -TWO_PI <= shifted < 0.0:
        return (shifted + TWO_PI) - math.pi
    return shifted % TWO_PI - math.pi


@njit(cache=True)
def popcount64(x: np.uint64) -> int:
    """Set bits of a 64-bit word (SWAR: parallel sums in 2, 4, 8-bit lanes)."""
    x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return int((x * np.uint64(0x0101010101010101)) >> np.uint64(56))


@njit(cache=True, nogil=True)
def _encode(
    xyt: F64,
    codes: npt.NDArray[np.uint8],
    centres: F64,
    lookup: npt.NDArray[np.int64],
    n_dir: int,
    radius: float,
    sigma_s: float,
    sigma_d: float,
    threshold: float,
) -> None:
    """Set in ``codes`` (zeroed, one row per minutia) the bits of the cells whose
    evidence around the minutia reaches ``threshold``."""
    n_bins = centres.shape[0] * n_dir
    evidence = np.empty(n_bins, dtype=np.float64)
    dir_weight = np.empty(n_dir, dtype=np.float64)
    for i in range(xyt.shape[0]):
        evidence[:] = 0.0
        add_neighbourhood_evidence(
            xyt,
            i,
            0,
            xyt.shape[0],
            centres,
            lookup,
            n_dir,
            radius,
            sigma_s,
            sigma_d,
            dir_weight,
            evidence,
        )
        for b in range(n_bins):
            if evidence[b] >= threshold:
                codes[i, b >> 3] |= np.uint8(1 << (b & 7))


@njit(cache=True, nogil=True)
def _stored_batch(
    x: npt.NDArray[np.uint16],
    y: npt.NDArray[np.uint16],
    t: npt.NDArray[np.uint16],
    starts: npt.NDArray[np.int64],
    offsets: npt.NDArray[np.int64],
    code_bytes: int,
    centres: F64,
    lookup: npt.NDArray[np.int64],
    n_dir: int,
    radius: float,
    sigma_s: float,
    sigma_d: float,
    threshold: float,
) -> tuple[F64, npt.NDArray[np.int64], npt.NDArray[np.uint8]]:
    """:func:`compute_features`' xyt, order and codes for each stored finger, the
    minutiae dequantised as :func:`._template.dequantised` does (to float32, then sorted
    by x, stably)."""
    total = offsets[-1]
    xyt = np.empty((total, 3), dtype=np.float64)
    order = np.empty(total, dtype=np.int64)
    codes = np.zeros((total, code_bytes), dtype=np.uint8)
    for f in range(starts.shape[0]):
        lo, n, start = offsets[f], offsets[f + 1] - offsets[f], starts[f]
        xs = np.empty(n, dtype=np.float32)
        for i in range(n):
            xs[i] = np.float32(x[start + i] / SUBPIXEL)
        local = np.argsort(xs, kind="mergesort")
        for r in range(n):
            i = local[r]
            order[lo + r] = i
            xyt[lo + r, 0] = xs[i]
            xyt[lo + r, 1] = np.float32(y[start + i] / SUBPIXEL)
            xyt[lo + r, 2] = np.float32(t[start + i] / ANGLE_STEPS * TWO_PI)
        _encode(
            xyt[lo : lo + n],
            codes[lo : lo + n],
            centres,
            lookup,
            n_dir,
            radius,
            sigma_s,
            sigma_d,
            threshold,
        )
    return xyt, order, codes


@njit(cache=True)
def add_neighbourhood_evidence(
    xyt: F64,
    i: int,
    lo: int,
    hi: int,
    centres: F64,
    lookup: npt.NDArray[np.int64],
    n_dir: int,
    radius: float,
    sigma_s: float,
    sigma_d: float,
    dir_weight: F64,
    out: F64,
) -> None:
    """Add to ``out`` (cell-major, ``n_dir`` direction bins per cell) the Gaussian
    evidence that minutiae ``lo..hi-1`` give around minutia ``i``, in ``i``'s own frame:
    position relative to the cell ``centres``, direction relative to ``i``'s.
    ``lookup`` maps the grid's squares to ``centres`` (``_params.cell_lookup``);
    ``dir_weight`` is scratch of ``n_dir`` values. The matcher's descriptors and the
    index's finger vectors are both made of this evidence.

    A neighbour reaches only the cells within three sigmas of it, at most a few squares
    of the grid, so only those are visited. Each output value still receives its terms
    in neighbour order, so the sums are bit for bit those of visiting every cell."""
    reach = radius + 3.0 * sigma_s
    cell_reach = 3.0 * sigma_s
    cell_reach2 = 9.0 * sigma_s * sigma_s
    inv_2s2 = 1.0 / (2.0 * sigma_s * sigma_s)
    inv_2d2 = 1.0 / (2.0 * sigma_d * sigma_d)
    bin_width = 2.0 * math.pi / n_dir
    last = lookup.shape[0] - 1
    side = 2.0 * radius / lookup.shape[0]
    c = math.cos(xyt[i, 2])
    s = math.sin(xyt[i, 2])
    for j in range(lo, hi):
        if j == i:
            continue
        dx = xyt[j, 0] - xyt[i, 0]
        dy = xyt[j, 1] - xyt[i, 1]
        if dx * dx + dy * dy > reach * reach:
            continue
        lx = c * dx + s * dy
        ly = -s * dx + c * dy
        col_lo, col_hi = _squares_near(lx, cell_reach, radius, side, last)
        row_lo, row_hi = _squares_near(ly, cell_reach, radius, side, last)
        weighted = False
        for row in range(row_lo, row_hi + 1):
            for col in range(col_lo, col_hi + 1):
                cell = lookup[row, col]
                if cell < 0:
                    continue
                ex = lx - centres[cell, 0]
                ey = ly - centres[cell, 1]
                d2 = ex * ex + ey * ey
                if d2 > cell_reach2:
                    continue
                if not weighted:
                    _direction_weights(xyt[j, 2] - xyt[i, 2], n_dir, bin_width, inv_2d2, dir_weight)
                    weighted = True
                ws = math.exp(-d2 * inv_2s2)
                for k in range(n_dir):
                    out[cell * n_dir + k] += ws * dir_weight[k]


@njit(cache=True)
def _squares_near(
    value: float, cell_reach: float, radius: float, side: float, last: int
) -> tuple[int, int]:
    """First and last grid index (0..last) whose square's centre, ``(k + 0.5) * side -
    radius``, may lie within ``cell_reach`` of ``value``; empty (first > last) when none
    does. The bounds are widened by a millionth of a square, so rounding never drops a
    square that the exact distance test would keep."""
    first = math.ceil((value - cell_reach + radius) / side - 0.5 - 1e-6)
    final = math.floor((value + cell_reach + radius) / side - 0.5 + 1e-6)
    return max(0, int(first)), min(last, int(final))


@njit(cache=True)
def _direction_weights(
    difference: float, n_dir: int, bin_width: float, inv_2d2: float, out: F64
) -> None:
    relative = wrap_angle(difference)
    for k in range(n_dir):
        off = wrap_angle(relative - (-math.pi + (k + 0.5) * bin_width))
        out[k] = math.exp(-off * off * inv_2d2)
