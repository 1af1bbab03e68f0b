"""Ridge flow of a filtered fingerprint image, per 4 x 4 block (Numba).

Gradient moments summed over blocks and box-smoothed twice (about 20 px) give each
block's ridge orientation, as one of FLOW_BINS bins over [0, pi), and the coherence of
its gradients. The skeleton finder (:mod:`._minutiae`) binarises along this flow, keeps
spurs that run with it and weighs each minutia's reliability by its coherence.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from numba import njit

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
U8 = npt.NDArray[np.uint8]

FLOW_BLOCK_PX = 4
FLOW_SMOOTHING_BLOCKS = 2  # box radius, applied twice: about 20 px of smoothing
FLOW_BINS = 16  # orientations of the averaging line (11.25 degrees apart)
MID_GREY = 127.5  # of the filtered image: ridges below, valleys above


@njit(cache=True)
def ridge_flow(pixels: U8) -> tuple[I64, F64]:
    """Per block: the ridge orientation as one of FLOW_BINS bins over [0, pi), and the
    coherence of the gradients (0 no dominant orientation, 1 perfectly parallel)."""
    h, w = pixels.shape
    b = FLOW_BLOCK_PX
    rows, cols = (h + b - 1) // b, (w + b - 1) // b
    cos2 = np.zeros((rows, cols))
    sin2 = np.zeros((rows, cols))
    energy = np.zeros((rows, cols))
    for y in range(1, h - 1):
        above, row, below = pixels[y - 1], pixels[y], pixels[y + 1]
        r = y // b
        for x in range(1, w - 1):
            gx = np.int32(row[x + 1]) - np.int32(row[x - 1])
            gy = np.int32(below[x]) - np.int32(above[x])
            c = x // b
            cos2[r, c] += gx * gx - gy * gy
            sin2[r, c] += 2 * gx * gy
            energy[r, c] += gx * gx + gy * gy
    for _ in range(2):
        cos2 = _box_sum(cos2, FLOW_SMOOTHING_BLOCKS)
        sin2 = _box_sum(sin2, FLOW_SMOOTHING_BLOCKS)
        energy = _box_sum(energy, FLOW_SMOOTHING_BLOCKS)
    bins = np.zeros((rows, cols), np.int64)
    coherence = np.zeros((rows, cols))
    for r in range(rows):
        for c in range(cols):
            ridge = 0.5 * math.atan2(sin2[r, c], cos2[r, c]) + 0.5 * math.pi  # across the gradient
            bins[r, c] = round(ridge / math.pi * FLOW_BINS) % FLOW_BINS
            if energy[r, c] > 0.0:
                coherence[r, c] = math.hypot(cos2[r, c], sin2[r, c]) / energy[r, c]
    return bins, coherence


@njit(cache=True)
def _box_sum(grid: F64, radius: int) -> F64:
    """Sums over (2 radius + 1)^2 windows, cut at the edges: rows, then columns."""
    across = _row_window_sums(grid, radius)
    return np.ascontiguousarray(_row_window_sums(np.ascontiguousarray(across.T), radius).T)


@njit(cache=True)
def _row_window_sums(grid: F64, radius: int) -> F64:
    """Per row, running sums over 2 radius + 1 columns, cut at the edges."""
    rows, cols = grid.shape
    out = np.zeros_like(grid)
    for r in range(rows):
        total = 0.0
        for c in range(min(radius, cols)):
            total += grid[r, c]
        for c in range(cols):
            if c + radius < cols:
                total += grid[r, c + radius]
            if c - radius - 1 >= 0:
                total -= grid[r, c - radius - 1]
            out[r, c] = total
    return out
