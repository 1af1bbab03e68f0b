"""Step 4 and 5 of the matcher (:mod:`._match`): pairing under an alignment, the
least-squares refit, and the overlap-normalised score (Numba)."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from numba import njit

from securecomm.biometrics._descriptors import wrap_angle
from securecomm.biometrics._knobs import K_ANGLE, K_DIST, K_FLOOR, K_GROWTH, K_MARGIN

F64 = npt.NDArray[np.float64]
_MAX_TOLERANCE_FACTOR = 2.0  # tolerance growth stops at twice the base


@njit(cache=True)
def pair_minutiae(
    xyt_a: F64,
    xyt_b: F64,
    rot: float,
    tx: float,
    ty: float,
    centre: tuple[float, float],
    knob: F64,
    cand_d: F64,
    cand_i: npt.NDArray[np.int64],
    cand_p: npt.NDArray[np.int64],
    pairs: npt.NDArray[np.int64],
    used_a: npt.NDArray[np.bool_],
    used_b: npt.NDArray[np.bool_],
) -> int:
    """Pair A (moved by the rigid transform) with B one-to-one, nearest pairs first
    (distance relative to the tolerance at that place)."""
    tol = knob[K_DIST] * _MAX_TOLERANCE_FACTOR  # the widest window any place can have
    angle_tol = knob[K_ANGLE]
    cr, sr = math.cos(rot), math.sin(rot)
    n_cand = 0
    b_x = xyt_b[:, 0]  # sorted: only a window of B can lie within the tolerance
    for i in range(xyt_a.shape[0]):
        x = cr * xyt_a[i, 0] - sr * xyt_a[i, 1] + tx
        y = sr * xyt_a[i, 0] + cr * xyt_a[i, 1] + ty
        t = xyt_a[i, 2] + rot
        first = np.searchsorted(b_x, x - tol)
        for p in range(first, xyt_b.shape[0]):
            dx = xyt_b[p, 0] - x
            if dx > tol:
                break
            dy = xyt_b[p, 1] - y
            if abs(dy) > tol:
                continue  # outside the widest window: no need for the local tolerance
            if abs(wrap_angle(xyt_b[p, 2] - t)) > angle_tol:
                continue
            local_tol = tolerance_at(xyt_b[p, 0], xyt_b[p, 1], centre, knob)
            d2 = (dx * dx + dy * dy) / (local_tol * local_tol)
            if d2 > 1.0:
                continue
            cand_d[n_cand] = d2
            cand_i[n_cand] = i
            cand_p[n_cand] = p
            n_cand += 1
    order = np.argsort(cand_d[:n_cand])
    used_a[:] = False
    used_b[:] = False
    m = 0
    for k in order:
        i, p = cand_i[k], cand_p[k]
        if used_a[i] or used_b[p]:
            continue
        used_a[i] = True
        used_b[p] = True
        pairs[m, 0] = i
        pairs[m, 1] = p
        m += 1
    return m


@njit(cache=True)
def tolerance_at(x: float, y: float, centre: tuple[float, float], knob: F64) -> float:
    """Pairing distance tolerance at (x, y): skin stretches, so a rigid alignment errs
    more the farther a minutia lies from where the alignment was anchored."""
    reach = math.hypot(x - centre[0], y - centre[1])
    base = float(knob[K_DIST])
    grown = base + float(knob[K_GROWTH]) * reach
    return min(grown, base * _MAX_TOLERANCE_FACTOR)


@njit(cache=True)
def centre_of(xyt: F64, pairs: npt.NDArray[np.int64], m: int) -> tuple[float, float]:
    cx = cy = 0.0
    for k in range(m):
        cx += xyt[pairs[k, 1], 0]
        cy += xyt[pairs[k, 1], 1]
    return cx / m, cy / m


@njit(cache=True)
def fit_rigid(
    xyt_a: F64, xyt_b: F64, pairs: npt.NDArray[np.int64], m: int
) -> tuple[float, float, float]:
    """Least-squares rotation and translation taking the paired A points onto B."""
    ax = ay = bx = by = 0.0
    for k in range(m):
        ax += xyt_a[pairs[k, 0], 0]
        ay += xyt_a[pairs[k, 0], 1]
        bx += xyt_b[pairs[k, 1], 0]
        by += xyt_b[pairs[k, 1], 1]
    ax /= m
    ay /= m
    bx /= m
    by /= m
    cross = dot = 0.0
    for k in range(m):
        ux = xyt_a[pairs[k, 0], 0] - ax
        uy = xyt_a[pairs[k, 0], 1] - ay
        vx = xyt_b[pairs[k, 1], 0] - bx
        vy = xyt_b[pairs[k, 1], 1] - by
        dot += ux * vx + uy * vy
        cross += ux * vy - uy * vx
    rot = math.atan2(cross, dot)
    cr, sr = math.cos(rot), math.sin(rot)
    return rot, bx - (cr * ax - sr * ay), by - (sr * ax + cr * ay)


@njit(cache=True)
def overlap_score(
    xyt_a: F64, xyt_b: F64, rot: float, tx: float, ty: float, m: float, knob: F64
) -> float:
    """100 * m^2 / (overlapping A * overlapping B), each side floored."""
    if m <= 0.0:
        return 0.0
    margin = knob[K_MARGIN]
    floor = knob[K_FLOOR]
    cr, sr = math.cos(rot), math.sin(rot)
    na = xyt_a.shape[0]
    moved = np.empty((na, 2), dtype=np.float64)
    for i in range(na):
        moved[i, 0] = cr * xyt_a[i, 0] - sr * xyt_a[i, 1] + tx
        moved[i, 1] = sr * xyt_a[i, 0] + cr * xyt_a[i, 1] + ty
    in_a = count_inside(moved, xyt_b, margin)
    in_b = count_inside(xyt_b, moved, margin)
    score: float = 100.0 * m * m / (max(in_a, floor) * max(in_b, floor))
    return min(score, 100.0)


@njit(cache=True)
def count_inside(points: F64, extent_of: F64, margin: float) -> float:
    """How many ``points`` fall in the box around ``extent_of``, dilated by ``margin``."""
    x0 = y0 = np.inf
    x1 = y1 = -np.inf
    for k in range(extent_of.shape[0]):
        x0 = min(x0, extent_of[k, 0])
        x1 = max(x1, extent_of[k, 0])
        y0 = min(y0, extent_of[k, 1])
        y1 = max(y1, extent_of[k, 1])
    inside = 0
    for k in range(points.shape[0]):
        x, y = points[k, 0], points[k, 1]
        if x0 - margin <= x <= x1 + margin and y0 - margin <= y <= y1 + margin:
            inside += 1
    return float(inside)
