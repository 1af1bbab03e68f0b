"""Numerical core of the synthetic fingerprint images: fields and Gabor ridge growth.

Kept apart from :mod:`securecomm.biometrics.synthetic_images` so the public module reads
as the SFinGe recipe (shape, orientation, frequency, ridges, impression) while the array
work lives here. All angles are radians in image coordinates (x right, y down); a ridge
*orientation* is defined modulo pi.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from numba import njit
from scipy import ndimage

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
I32 = npt.NDArray[np.int32]
BOOL = npt.NDArray[np.bool_]

# Gabor bank: orientation in 5-degree steps, period in quarter-pixel steps.
ORIENTATION_BINS = 36
PERIOD_MIN_PX, PERIOD_MAX_PX, PERIOD_STEP_PX = 6.0, 14.0, 0.25
PERIOD_BINS = round((PERIOD_MAX_PX - PERIOD_MIN_PX) / PERIOD_STEP_PX) + 1
KERNEL_RADIUS = 8
SIGMA_PER_PERIOD = 0.42  # Gabor envelope width relative to the ridge period
GROWTH_GAIN = 2.2  # saturation after each filtering pass: keeps ridges binary-like


def zero_pole_orientation(
    xs: F64,
    ys: F64,
    cores: F64,
    deltas: F64,
    base: float,
    core_knots: F64,
    delta_knots: F64,
) -> F64:
    """Sherlock-Monro zero-pole orientation with the Vizcaya-Gerhardt correction.

    Each singular point contributes half the argument of the vector from it, passed
    through a monotone piecewise-linear map ``g(alpha) = alpha + delta(alpha)`` whose
    periodic correction ``delta`` takes the ``*_knots`` values at eight equally spaced
    angles; that bends the flow around the point without changing its index.
    """
    theta = np.full(np.broadcast(xs, ys).shape, base, dtype=np.float64)
    for k, core in enumerate(cores):
        alpha = np.arctan2(ys - core[1], xs - core[0])
        theta += 0.5 * _corrected(alpha, core_knots[k])
    for k, delta in enumerate(deltas):
        alpha = np.arctan2(ys - delta[1], xs - delta[0])
        theta -= 0.5 * _corrected(alpha, delta_knots[k])
    return theta


def _corrected(alpha: F64, knots: F64) -> F64:
    count = len(knots)
    grid = np.linspace(-math.pi, math.pi, count + 1)
    periodic = np.append(knots, knots[0])  # delta(-pi) == delta(pi): continuity
    result: F64 = alpha + np.interp(alpha, grid, periodic)
    return result


def arch_orientation(
    xs: F64,
    ys: F64,
    centre_x: float,
    half_width: float,
    top: float,
    height: float,
    amplitude: float,
) -> F64:
    """Plain arch: ridges are bumps ``y = y0 - A(y0) (1 + cos(pi x / w)) / 2`` that
    flatten towards the crease; the orientation is the slope of the bump."""
    u = np.clip((xs - centre_x) / half_width, -1.0, 1.0)
    depth = np.clip((ys - top) / height, 0.0, 1.0)
    bump = amplitude * np.clip(1.05 - depth, 0.0, 1.0) ** 1.5
    slope = bump * (math.pi / 2.0) * np.sin(math.pi * u)
    result: F64 = np.arctan(slope)
    return result


def smooth_noise(rng: np.random.Generator, shape: tuple[int, int], cell_px: float) -> F64:
    """A smooth random field of unit-ish amplitude varying over ``cell_px`` pixels."""
    rows = max(2, math.ceil(shape[0] / cell_px) + 2)
    cols = max(2, math.ceil(shape[1] / cell_px) + 2)
    coarse = rng.standard_normal((rows, cols))
    fine: F64 = ndimage.zoom(coarse, (shape[0] / rows * 1.0001, shape[1] / cols * 1.0001), order=3)
    return np.ascontiguousarray(fine[: shape[0], : shape[1]])


@lru_cache(maxsize=1)
def gabor_bank() -> tuple[F32, I32, I32]:
    """Even Gabor kernels for every (orientation, period) bin, as half-offset weights.

    The kernels are symmetric, so only the centre and one of each pair of opposite
    offsets is kept: ``weights[o, p, 0]`` is the centre tap and ``weights[o, p, k]``
    the weight of offsets ``(dy[k], dx[k])`` and its mirror. Each kernel is made
    zero-mean and scaled so a unit sinusoid at its own period answers with amplitude 1.
    """
    r = KERNEL_RADIUS
    dy_grid, dx_grid = np.mgrid[-r : r + 1, -r : r + 1]
    half = (dy_grid > 0) | ((dy_grid == 0) & (dx_grid > 0))
    dys = dy_grid[half].astype(np.int32)
    dxs = dx_grid[half].astype(np.int32)
    weights = np.empty((ORIENTATION_BINS, PERIOD_BINS, 1 + len(dys)), dtype=np.float32)
    for o in range(ORIENTATION_BINS):
        theta = math.pi * o / ORIENTATION_BINS
        across = -dx_grid * math.sin(theta) + dy_grid * math.cos(theta)
        for p in range(PERIOD_BINS):
            period = PERIOD_MIN_PX + p * PERIOD_STEP_PX
            sigma = SIGMA_PER_PERIOD * period
            envelope = np.exp(-(dx_grid**2 + dy_grid**2) / (2.0 * sigma * sigma))
            wave = np.cos(2.0 * math.pi * across / period)
            kernel = envelope * wave
            kernel -= envelope * (kernel.sum() / envelope.sum())  # no response to flat grey
            kernel /= (kernel * wave).sum()  # unit response to its own sinusoid
            weights[o, p, 0] = kernel[r, r]
            weights[o, p, 1:] = kernel[half]
    return weights, dys, dxs


def bin_indices(orientation: F64, period: F64) -> tuple[I32, I32]:
    """Nearest Gabor-bank bins for an orientation field (mod pi) and a period map."""
    o = np.rint(np.mod(orientation, math.pi) / math.pi * ORIENTATION_BINS).astype(np.int32)
    o[o == ORIENTATION_BINS] = 0
    p = np.rint((np.clip(period, PERIOD_MIN_PX, PERIOD_MAX_PX) - PERIOD_MIN_PX) / PERIOD_STEP_PX)
    return o, p.astype(np.int32)


def grow_ridges(seeds: F32, o_bins: I32, p_bins: I32, active: BOOL, iterations: int) -> F32:
    """Iterative contextual Gabor filtering from ``seeds`` (Cappelli's SFinGe step).

    Each pass filters every active pixel with the kernel of its own orientation and
    period and saturates the answer to [-1, 1]; ridges spread out from the seeds along
    the flow and settle into a pattern whose minutiae arise where fronts meet.
    """
    weights, dys, dxs = gabor_bank()
    r = KERNEL_RADIUS
    rows = np.flatnonzero(active.any(axis=1))
    cols = np.flatnonzero(active.any(axis=0))
    box = (max(rows[0] - r, 0), min(rows[-1] + r + 1, active.shape[0]))
    boxc = (max(cols[0] - r, 0), min(cols[-1] + r + 1, active.shape[1]))
    padded = np.zeros((active.shape[0] + 2 * r, active.shape[1] + 2 * r), dtype=np.float32)
    padded[r:-r, r:-r] = seeds
    scratch = np.zeros_like(padded)
    for _ in range(iterations):
        _filter_pass(
            padded,
            scratch,
            weights,
            dys,
            dxs,
            o_bins,
            p_bins,
            active,
            box[0],
            box[1],
            boxc[0],
            boxc[1],
            r,
            GROWTH_GAIN,
        )
        padded, scratch = scratch, padded
    return np.ascontiguousarray(padded[r:-r, r:-r])


@njit(cache=True)
def _filter_pass(
    source: F32,
    target: F32,
    weights: F32,
    dys: I32,
    dxs: I32,
    o_bins: I32,
    p_bins: I32,
    active: BOOL,
    row0: int,
    row1: int,
    col0: int,
    col1: int,
    r: int,
    gain: float,
) -> None:
    taps = dys.shape[0]
    for y in range(row0, row1):
        for x in range(col0, col1):
            if not active[y, x]:
                target[y + r, x + r] = 0.0
                continue
            kernel = weights[o_bins[y, x], p_bins[y, x]]
            cy = y + r
            cx = x + r
            acc = kernel[0] * source[cy, cx]
            for k in range(taps):
                dy = dys[k]
                dx = dxs[k]
                acc += kernel[k + 1] * (source[cy + dy, cx + dx] + source[cy - dy, cx - dx])
            value = gain * acc
            if value > 1.0:
                value = 1.0
            elif value < -1.0:
                value = -1.0
            target[cy, cx] = value
