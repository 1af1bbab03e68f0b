"""Synthetic ridge images with minutiae planted where we choose (for extraction tests).

A ridge pattern is ``cos(phase)``; adding ``+-atan2`` around a point winds the phase by one
period there, which is exactly one ridge ending or bifurcation at that point.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt

# A grid of 12: NFIQ 2's own minutiae finder needs a few before it scores an image.
PLANTED = tuple((x, y) for x in (60, 130, 200, 260) for y in (70, 150, 230))
FVC = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "fvc2002"


def ridge_image(
    size: int = 320,
    period: float = 9.0,
    points: tuple[tuple[int, int], ...] = PLANTED,
    shift: tuple[int, int] = (0, 0),
    seed: int = 0,
) -> npt.NDArray[np.uint8]:
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    xx -= shift[0]
    yy -= shift[1]
    theta = 0.3 * np.sin(xx / 90.0) + 0.2 * np.cos(yy / 70.0)  # gently curving ridge flow
    phase = 2 * np.pi / period * (xx * np.cos(theta) + yy * np.sin(theta))
    for k, (px, py) in enumerate(points):
        phase += (1 if k % 2 else -1) * np.arctan2(yy - py, xx - px)
    noise = np.random.default_rng(seed).normal(0, 8, (size, size))
    return np.clip(128 + 90 * np.cos(phase) + noise, 0, 255).astype(np.uint8)


def found_near(
    minutiae: npt.NDArray[np.float32], point: tuple[int, int], tolerance: float = 8.0
) -> bool:
    """Whether any minutia (x, y in the first two columns) lies within ``tolerance`` px."""
    return bool(np.any(np.hypot(minutiae[:, 0] - point[0], minutiae[:, 1] - point[1]) <= tolerance))
