"""Minutiae on a cleaned ridge skeleton: crossing numbers and directions (Numba).

Steps 5 to 8 of :mod:`._minutiae`: ridge endings and three-way junctions by crossing
number, each direction traced along the skeleton as mindtct measures it, broken ridges
(two endings facing each other across a gap) dropped, and the filtered image's contrast
around each minutia for its reliability.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from numba import njit

from securecomm.biometrics._ridge_flow import MID_GREY
from securecomm.biometrics._skeleton import CROSSINGS, FOUR_FIRST, neighbour_code

U8 = npt.NDArray[np.uint8]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
BOOL = npt.NDArray[np.bool_]

TRACE_PX = 12  # skeleton steps traced for a direction
GAP_PX = 20  # about two ridge periods; 14-28 all scored alike
GAP_ANGLE = math.radians(50.0)
CONTRAST_RADIUS_PX = 12
MAX_CANDIDATES = 4096  # far above any print (FVC 2002: at most ~300 before cleaning)


@njit(cache=True)
def minutiae_on(skeleton: U8, line: I64) -> tuple[I64, I64, I64, F64]:
    """Row, column, kind and direction of each ridge ending and three-way junction."""
    h, w = skeleton.shape
    flat = skeleton.ravel()
    label = np.full(h * w, -1, np.int32)  # minutia index on its pixels
    stamp = np.zeros(h * w, np.int32)  # trace number that last visited a pixel
    ys = np.empty(MAX_CANDIDATES, np.int64)
    xs = np.empty(MAX_CANDIDATES, np.int64)
    kinds = np.empty(MAX_CANDIDATES, np.int64)
    directions = np.empty(MAX_CANDIDATES)
    cluster = np.empty(64, np.int64)
    n = 0
    mark = 0
    for i in line:
        if not flat[i] or label[i] != -1 or n == MAX_CANDIDATES:
            continue
        crossings = CROSSINGS[neighbour_code(flat, i, w)]
        if crossings == 1:
            label[i] = n
            mark += 1
            stamp[i] = mark
            end = _trace(flat, w, stamp, mark, i)
            ys[n], xs[n], kinds[n] = i // w, i % w, 0
            directions[n] = math.atan2(end // w - i // w, end % w - i % w)
            n += 1
        elif crossings >= 3:
            size = _junction_pixels(flat, w, label, n, i, cluster)
            y, x = _centre(cluster, size, w)
            found, direction, mark = _fork_direction(
                flat, w, label, stamp, mark, n, cluster, size, y, x
            )
            if found:
                ys[n], xs[n], kinds[n], directions[n] = y, x, 1, direction
                n += 1
            else:  # a crossing or a stub: free the label for the next candidate
                for k in range(size):
                    label[cluster[k]] = -2
    return ys[:n], xs[:n], kinds[:n], directions[:n]


@njit(cache=True)
def _trace(flat: U8, w: int, stamp: I32, mark: int, start: int) -> int:
    """Follow the skeleton from ``start`` over pixels not stamped ``mark`` for TRACE_PX
    steps, or to a line end or junction; returns the pixel reached."""
    offsets = (-w, -w + 1, 1, w + 1, w, w - 1, -1, -w - 1)
    i = start
    for _ in range(TRACE_PX):
        step = -1
        for k in FOUR_FIRST:
            q = i + offsets[k]
            if flat[q] and stamp[q] != mark:
                step = q
                break
        if step < 0:
            break
        i = step
        stamp[i] = mark
        if CROSSINGS[neighbour_code(flat, i, w)] >= 3:
            break
    return i


@njit(cache=True)
def _junction_pixels(flat: U8, w: int, label: I32, n: int, start: int, cluster: I64) -> int:
    """Label ``n`` on the junction pixels touching ``start``; returns how many (at most
    the size of ``cluster``, which receives them)."""
    offsets = (-w, -w + 1, 1, w + 1, w, w - 1, -1, -w - 1)
    label[start] = n
    cluster[0] = start
    size = 1
    k = 0
    while k < size:
        i = cluster[k]
        for d in offsets:
            q = i + d
            joins = flat[q] and label[q] == -1 and size < cluster.size
            if joins and CROSSINGS[neighbour_code(flat, q, w)] >= 3:
                label[q] = n
                cluster[size] = q
                size += 1
        k += 1
    return size


@njit(cache=True)
def _centre(cluster: I64, size: int, w: int) -> tuple[int, int]:
    sy = 0
    sx = 0
    for k in range(size):
        sy += cluster[k] // w
        sx += cluster[k] % w
    return (sy + size // 2) // size, (sx + size // 2) // size


@njit(cache=True)
def _fork_direction(
    flat: U8,
    w: int,
    label: I32,
    stamp: I32,
    mark: int,
    n: int,
    cluster: I64,
    size: int,
    y: int,
    x: int,
) -> tuple[bool, float, int]:
    """Direction of junction ``n`` (pixels ``cluster[:size]``, centre (y, x)) if it has
    exactly three branches: the bisector of the two closest in angle. Branches are the
    groups of 4-connected skeleton pixels leaving the junction."""
    offsets = (-w, -w + 1, 1, w + 1, w, w - 1, -1, -w - 1)
    leaving = np.empty(24, np.int64)
    count = 0
    for k in range(size):
        for d in offsets:
            q = cluster[k] + d
            if flat[q] and label[q] != n and count < leaving.size:
                fresh = True
                for j in range(count):
                    fresh = fresh and leaving[j] != q
                if fresh:
                    leaving[count] = q
                    count += 1
    group = _edge_groups(leaving, count, w)
    starts = np.empty(3, np.int64)
    branches = 0
    for a in range(count):
        if group[a] == a:
            if branches == 3:
                return False, 0.0, mark
            starts[branches] = leaving[a]
            branches += 1
    if branches != 3:
        return False, 0.0, mark
    angles = np.empty(3)
    for b in range(3):
        mark += 1
        for k in range(size):
            stamp[cluster[k]] = mark
        for k in range(count):
            stamp[leaving[k]] = mark
        end = _trace(flat, w, stamp, mark, starts[b])
        angles[b] = math.atan2(end // w - y, end % w - x)
    return True, _bisector_of_closest(angles), mark


@njit(cache=True)
def _edge_groups(pixels: I64, count: int, w: int) -> I64:
    """Group representative (lowest index) of each pixel, joining pixels that share an
    edge: adjacent places round a junction's ring always do, separate branches do not."""
    group = np.arange(count)
    for a in range(count):
        for b in range(a):
            dy = abs(pixels[a] // w - pixels[b] // w)
            dx = abs(pixels[a] % w - pixels[b] % w)
            if dy + dx == 1:
                low, high = min(group[a], group[b]), max(group[a], group[b])
                for c in range(count):
                    if group[c] == high:
                        group[c] = low
    return group


@njit(cache=True)
def _wrapped(angle: float) -> float:
    return (angle + math.pi) % (2.0 * math.pi) - math.pi


@njit(cache=True)
def _bisector_of_closest(angles: F64) -> float:
    best = 10.0
    fa, fb = 0, 1
    for i in range(3):
        for j in range(i + 1, 3):
            gap = abs(_wrapped(angles[i] - angles[j]))
            if gap < best:
                best, fa, fb = gap, i, j
    return math.atan2(
        math.sin(angles[fa]) + math.sin(angles[fb]), math.cos(angles[fa]) + math.cos(angles[fb])
    )


@njit(cache=True)
def broken_ridge_ends(ys: I64, xs: I64, kinds: I64, directions: F64) -> BOOL:
    """Ridge endings that face another across a gap of at most GAP_PX: a ridge broken by
    noise, not two minutiae. An ending's direction points into its ridge, so it faces
    the other when the opposite direction points at it."""
    n = ys.size
    broken = np.zeros(n, np.bool_)
    for a in range(n):
        if kinds[a] != 0:
            continue
        for b in range(a):
            if kinds[b] != 0:
                continue
            dy = ys[b] - ys[a]
            dx = xs[b] - xs[a]
            if dy * dy + dx * dx > GAP_PX * GAP_PX:
                continue
            towards = math.atan2(dy, dx)
            if (
                abs(_wrapped(directions[a] + math.pi - towards)) < GAP_ANGLE
                and abs(_wrapped(directions[b] - towards)) < GAP_ANGLE
            ):
                broken[a] = True
                broken[b] = True
    return broken


@njit(cache=True)
def contrast_at(pixels: U8, ys: I64, xs: I64) -> F64:
    """Twice the mean distance from mid-grey around each point, at most 1: near 1 where
    the filter found crisp ridges, low where it only found grey."""
    h, w = pixels.shape
    r = CONTRAST_RADIUS_PX
    out = np.zeros(ys.size)
    for k in range(ys.size):
        total = 0.0
        count = 0
        for y in range(max(0, ys[k] - r), min(h, ys[k] + r + 1)):
            for x in range(max(0, xs[k] - r), min(w, xs[k] + r + 1)):
                total += abs(pixels[y, x] - MID_GREY)
                count += 1
        out[k] = min(1.0, 2.0 * total / (count * MID_GREY))
    return out
