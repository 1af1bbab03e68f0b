"""Step 3 of the matcher (:mod:`._match`): the seeds. The most similar local pairs,
the rigid alignment each proposes, and the votes each alignment gets from the others
(Numba)."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from numba import njit

from securecomm.biometrics._descriptors import popcount64, wrap_angle
from securecomm.biometrics._knobs import K_ANGLE, K_DIST, K_MIN_BITS

F64 = npt.NDArray[np.float64]


@njit(cache=True)
def seed_consensus(
    xyt_a: F64, xyt_b: F64, seed_i: npt.NDArray[np.int64], seed_p: npt.NDArray[np.int64], knob: F64
) -> npt.NDArray[np.int64]:
    """For each seed, how many seeds its rigid alignment maps within the tolerances."""
    n = seed_i.shape[0]
    votes = np.zeros(n, dtype=np.int64)
    tol2 = knob[K_DIST] * knob[K_DIST]
    angle_tol = knob[K_ANGLE]
    for s in range(n):
        if seed_i[s] < 0:
            break
        rot, tx, ty = seed_alignment(xyt_a, xyt_b, seed_i[s], seed_p[s])
        cr, sr = math.cos(rot), math.sin(rot)
        for t in range(n):
            i, p = seed_i[t], seed_p[t]
            if i < 0:
                break
            dx = cr * xyt_a[i, 0] - sr * xyt_a[i, 1] + tx - xyt_b[p, 0]
            dy = sr * xyt_a[i, 0] + cr * xyt_a[i, 1] + ty - xyt_b[p, 1]
            if (
                dx * dx + dy * dy <= tol2
                and abs(wrap_angle(xyt_a[i, 2] + rot - xyt_b[p, 2])) <= angle_tol
            ):
                votes[s] += 1
    return votes


@njit(cache=True)
def seed_alignment(xyt_a: F64, xyt_b: F64, i: int, p: int) -> tuple[float, float, float]:
    """Rigid transform taking minutia ``i`` of A onto minutia ``p`` of B."""
    rot = xyt_b[p, 2] - xyt_a[i, 2]
    cr, sr = math.cos(rot), math.sin(rot)
    tx = xyt_b[p, 0] - (cr * xyt_a[i, 0] - sr * xyt_a[i, 1])
    ty = xyt_b[p, 1] - (sr * xyt_a[i, 0] + cr * xyt_a[i, 1])
    return rot, tx, ty


@njit(cache=True)
def already_paired(pairs: npt.NDArray[np.int64], i: int, p: int) -> bool:
    for k in range(pairs.shape[0]):  # noqa: SIM110 (a plain loop compiles in Numba)
        if pairs[k, 0] == i and pairs[k, 1] == p:
            return True
    return False


@njit(cache=True)
def best_local_pairs(
    codes_a: npt.NDArray[np.uint64],
    counts_a: npt.NDArray[np.int32],
    codes_b: npt.NDArray[np.uint64],
    counts_b: npt.NDArray[np.int32],
    knob: F64,
    seed_i: npt.NDArray[np.int64],
    seed_p: npt.NDArray[np.int64],
    seed_s: F64,
) -> None:
    """Keep the ``len(seed_s)`` most similar local pairs, best first (insertion into a
    short sorted list: cheaper than sorting every pair)."""
    n_seeds = seed_s.shape[0]
    n_words = codes_a.shape[1]
    min_bits = knob[K_MIN_BITS]
    for i in range(codes_a.shape[0]):
        for p in range(codes_b.shape[0]):
            total = counts_a[i] + counts_b[p]
            if total < min_bits:
                continue
            # similarity cannot exceed 2 * min / total: skip pairs that cannot be a seed
            if 2.0 * min(counts_a[i], counts_b[p]) / total <= seed_s[n_seeds - 1]:
                continue
            differing = 0
            for k in range(n_words):
                differing += popcount64(codes_a[i, k] ^ codes_b[p, k])
            sim = 1.0 - differing / total
            if sim <= seed_s[n_seeds - 1]:
                continue
            slot = n_seeds - 1
            while slot > 0 and seed_s[slot - 1] < sim:
                seed_s[slot] = seed_s[slot - 1]
                seed_i[slot] = seed_i[slot - 1]
                seed_p[slot] = seed_p[slot - 1]
                slot -= 1
            seed_s[slot] = sim
            seed_i[slot] = i
            seed_p[slot] = p
