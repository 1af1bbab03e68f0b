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
    flatten towards the crease; the orientation is the slope of the bump. ``A`` falls
    only gently with depth: a steep fall would spread the ridges apart over the bump."""
    u = np.clip((xs - centre_x) / half_width, -1.0, 1.0)
    depth = np.clip((ys - top) / height, 0.0, 1.0)
    bump = amplitude * (1.0 - 0.6 * depth)
    slope = bump * (math.pi / 2.0) * np.sin(math.pi * u)
    result: F64 = np.arctan(slope)
    return result


def smooth_noise(rng: np.random.Generator, shape: tuple[int, int], cell_px: float) -> F64:
    """A smooth random field of roughly unit amplitude varying over ``cell_px`` pixels.

    Independent normal values on a coarse lattice, spread by Gaussian bumps one cell
    wide; separable, so it costs two small matrix products instead of an image zoom.
    """
    rows = _spread_matrix(shape[0], cell_px)
    cols = _spread_matrix(shape[1], cell_px)
    coarse = rng.standard_normal((rows.shape[1], cols.shape[1]))
    field: F64 = rows @ coarse @ cols.T
    return field


def _spread_matrix(size: int, cell_px: float) -> F64:
    knots = np.arange(-1, math.ceil(size / cell_px) + 2) * cell_px
    offsets = (np.arange(size)[:, None] - knots[None, :]) / cell_px
    weights = np.exp(-0.5 * (offsets / 0.7) ** 2)
    # Normalise by the root of the sum of squares: unit variance wherever you look.
    normalised: F64 = weights / np.sqrt((weights**2).sum(axis=1, keepdims=True))
    return normalised


@lru_cache(maxsize=1)
def gabor_bank() -> F32:
    """Even Gabor kernels ``bank[orientation bin, period bin, dy + r, dx + r]``.

    Each kernel is made zero-mean (no answer to flat grey) and scaled so a unit
    sinusoid at its own period and orientation answers with amplitude 1.
    """
    r = KERNEL_RADIUS
    dy, dx = np.mgrid[-r : r + 1, -r : r + 1].astype(np.float64)
    bank = np.empty((ORIENTATION_BINS, PERIOD_BINS, 2 * r + 1, 2 * r + 1), dtype=np.float32)
    for o in range(ORIENTATION_BINS):
        theta = math.pi * o / ORIENTATION_BINS
        across = -dx * math.sin(theta) + dy * math.cos(theta)  # distance across the ridges
        for p in range(PERIOD_BINS):
            period = PERIOD_MIN_PX + p * PERIOD_STEP_PX
            sigma = SIGMA_PER_PERIOD * period
            envelope = np.exp(-(dx**2 + dy**2) / (2.0 * sigma * sigma))
            wave = np.cos(2.0 * math.pi * across / period)
            kernel = envelope * wave
            kernel -= envelope * (kernel.sum() / envelope.sum())
            kernel /= (kernel * wave).sum()
            bank[o, p] = kernel
    bank.setflags(write=False)
    return bank


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
    bank = gabor_bank()
    r = KERNEL_RADIUS
    rows = np.flatnonzero(active.any(axis=1))
    cols = np.flatnonzero(active.any(axis=0))
    padded = np.zeros((active.shape[0] + 2 * r, active.shape[1] + 2 * r), dtype=np.float32)
    padded[r:-r, r:-r] = seeds
    scratch = np.zeros_like(padded)
    for _ in range(iterations):
        _filter_pass(
            padded,
            scratch,
            bank,
            o_bins,
            p_bins,
            active,
            (int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1),
            GROWTH_GAIN,
        )
        padded, scratch = scratch, padded
    return np.ascontiguousarray(padded[r:-r, r:-r])


@njit(cache=True)
def _filter_pass(
    source: F32,
    target: F32,
    bank: F32,
    o_bins: I32,
    p_bins: I32,
    active: BOOL,
    box: tuple[int, int, int, int],
    gain: float,
) -> None:
    """One saturated filtering pass; ``source``/``target`` carry an r-pixel zero border.

    Kernels are point-symmetric, so each tap pairs a pixel with its mirror; rows run
    along contiguous memory so the inner loop stays cheap.
    """
    r = bank.shape[2] // 2
    for y in range(box[0], box[1]):
        for x in range(box[2], box[3]):
            cy = y + r
            cx = x + r
            if not active[y, x]:
                target[cy, cx] = 0.0
                continue
            kernel = bank[o_bins[y, x], p_bins[y, x]]
            acc = kernel[r, r] * source[cy, cx]
            for dx in range(1, r + 1):
                acc += kernel[r, r + dx] * (source[cy, cx + dx] + source[cy, cx - dx])
            for dy in range(1, r + 1):
                above = source[cy - dy]
                below = source[cy + dy]
                row = kernel[r + dy]
                for dx in range(-r, r + 1):
                    acc += row[r + dx] * (below[cx + dx] + above[cx - dx])
            value = gain * acc
            if value > 1.0:
                value = 1.0
            elif value < -1.0:
                value = -1.0
            target[cy, cx] = value
