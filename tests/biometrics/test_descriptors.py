"""The neighbourhood evidence kernel visits only the grid squares near a neighbour;
its sums must be bit for bit those of visiting every cell in neighbour order."""

from __future__ import annotations

import math

import numpy as np
import pytest

from securecomm.biometrics._descriptors import add_neighbourhood_evidence
from securecomm.biometrics._params import cell_centres, cell_lookup


def every_cell_evidence(
    xyt: np.ndarray,
    i: int,
    centres: np.ndarray,
    n_dir: int,
    radius: float,
    sigma_s: float,
    sigma_d: float,
) -> np.ndarray:
    """The evidence as first written: every cell tested for every neighbour."""
    out = np.zeros(len(centres) * n_dir)
    bin_width = 2.0 * math.pi / n_dir
    c, s = math.cos(xyt[i, 2]), math.sin(xyt[i, 2])
    for j in range(len(xyt)):
        dx, dy = xyt[j, 0] - xyt[i, 0], xyt[j, 1] - xyt[i, 1]
        if j == i or dx * dx + dy * dy > (radius + 3.0 * sigma_s) ** 2:
            continue
        lx, ly = c * dx + s * dy, -s * dx + c * dy
        relative = wrap(xyt[j, 2] - xyt[i, 2])
        weights = [
            math.exp(
                -(off := wrap(relative - (-math.pi + (k + 0.5) * bin_width)))
                * off
                * (1.0 / (2.0 * sigma_d * sigma_d))
            )
            for k in range(n_dir)
        ]
        for cell, (cx, cy) in enumerate(centres):
            d2 = (lx - cx) * (lx - cx) + (ly - cy) * (ly - cy)
            if d2 <= 9.0 * sigma_s * sigma_s:
                ws = math.exp(-d2 * (1.0 / (2.0 * sigma_s * sigma_s)))
                for k in range(n_dir):
                    out[cell * n_dir + k] += ws * weights[k]
    return out


def wrap(angle: float) -> float:
    return (angle + math.pi) % (2.0 * math.pi) - math.pi


@pytest.mark.parametrize(
    ("grid", "radius", "sigma_s", "n_dir"),
    [(6, 90.0, 9.0, 6), (6, 70.0, 9.0, 4), (9, 60.0, 14.0, 5)],
)
def test_evidence_is_that_of_visiting_every_cell(
    grid: int, radius: float, sigma_s: float, n_dir: int
) -> None:
    rng = np.random.default_rng(grid * 1000 + int(radius))
    xyt = np.column_stack(
        [rng.uniform(0, 300, 60), rng.uniform(0, 300, 60), rng.uniform(-math.pi, math.pi, 60)]
    )
    xyt[:5, :2] = xyt[5, :2] + rng.normal(0, 1, (5, 2))  # neighbours near square borders too
    centres, lookup = cell_centres(grid, radius), cell_lookup(grid, radius)
    scratch = np.empty(n_dir)
    reached = 0
    for i in range(len(xyt)):
        fast = np.zeros(len(centres) * n_dir)
        add_neighbourhood_evidence(
            xyt, i, 0, len(xyt), centres, lookup, n_dir, radius, sigma_s, 0.6, scratch, fast
        )
        expected = every_cell_evidence(xyt, i, centres, n_dir, radius, sigma_s, 0.6)
        np.testing.assert_array_equal(fast, expected)
        reached += int(np.count_nonzero(expected))
    assert reached > 0


def test_lookup_points_each_square_inside_the_circle_at_its_centre() -> None:
    centres, lookup = cell_centres(6, 90.0), cell_lookup(6, 90.0)
    side = 30.0
    for row in range(6):
        for col in range(6):
            cell = lookup[row, col]
            centre = ((col + 0.5) * side - 90.0, (row + 0.5) * side - 90.0)
            if math.hypot(*centre) <= 90.0:
                assert tuple(centres[cell]) == pytest.approx(centre)
            else:
                assert cell == -1
    assert sorted(lookup[lookup >= 0].tolist()) == list(range(len(centres)))
