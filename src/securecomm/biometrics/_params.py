"""Every tuning constant of the engine, in one frozen object.

Lengths are pixels at 500 ppi, angles radians. The decision thresholds at the end were
derived from impostor searches of synthetic data (minutiae and rendered images); see
:mod:`securecomm.biometrics._fusion` for the derivation, and
``benchmarks/bench_biometrics.py`` and ``benchmarks/bench_image_thresholds.py`` to
measure them again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from functools import cached_property

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True, kw_only=True)
class MatchParameters:
    # --- usability: fingers below these are skipped and reported
    min_minutiae: int = 12
    min_quality: int = 20

    # --- local structure: a binary cylinder-like code around each minutia
    descriptor_radius: float = 90.0  # neighbours within this radius shape the code
    descriptor_grid: int = 6  # cells per side of the square in the minutia's own frame
    descriptor_direction_bins: int = 6  # relative-direction bins per cell
    descriptor_sigma_space: float = 9.0  # Gaussian spread of a neighbour over cells
    descriptor_sigma_direction: float = 0.6  # Gaussian spread over direction bins
    descriptor_bit_threshold: float = 0.12  # a cell bit is set when its evidence reaches this
    descriptor_min_bits: int = 6  # too few set bits on both sides: no evidence, similarity 0

    # --- global consolidation: align on the best local pairs, count consistent pairs
    seed_pairs: int = 20  # alignments tried, best local similarities first
    refined_seeds: int = 1  # of those, how many (most votes first) are refined and scored
    pair_distance_tolerance: float = 13.0  # at the alignment anchor; grows away from it
    pair_angle_tolerance: float = 0.40
    refinement_rounds: int = 2  # least-squares re-alignment on the paired minutiae
    overlap_margin: float = 20.0  # dilation of the other print's minutiae box
    overlap_floor: int = 16  # normalise by at least this many minutiae per side
    tolerance_growth: float = 0.03  # extra tolerance per pixel away from the alignment anchor
    # (13 px and 0.03 by leave-one-database-out with the second set, from 15 and 0.02:
    # benchmarks/bench_loo.py, docs/benchmarks.md, eleventh stop)
    pair_weighting: float = 1.0  # 0: every pair counts 1; 1: by local similarity x closeness
    mated_pair_weight: float = 0.45  # mean weight of a mated pair (FVC 2002 and synthetic
    # alike, 0.45-0.48): weights are divided by it so a typical mated pair counts 1
    # Share of the score given to the second minutiae set (the skeleton finder's, where a
    # template has one), paired under the alignment the first set found; 0 ignores it.
    # Equal shares: neither finder is preferred (see _compare).
    second_set_weight: float = 0.5
    # A first score below this is a non-match already and keeps that score unblended:
    # skips the second pairing for most strangers (on FVC, 1 left every EER and FMR1000
    # as it was, where 0 blends every pair).
    second_set_from: float = 1.0

    # --- 1:N search
    index_shortlist: int = 16  # identities given full comparison after the index scan

    # --- decision (see _fusion for the derivation)
    target_fpir: float = 1e-4
    identification_threshold: float = 300.0
    possible_threshold: float = 200.0

    def __post_init__(self) -> None:
        if self.possible_threshold > self.identification_threshold:
            raise ValueError("possible_threshold must not exceed identification_threshold")
        if not 0.0 < self.target_fpir < 1.0:
            raise ValueError("target_fpir must lie in (0, 1)")
        for name in (
            "seed_pairs",
            "refined_seeds",
            "descriptor_grid",
            "index_shortlist",
            "min_minutiae",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        for name in ("pair_weighting", "second_set_weight"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must lie in [0, 1]")
        if self.mated_pair_weight <= 0.0 or self.tolerance_growth < 0.0:
            raise ValueError("mated_pair_weight must be positive, tolerance_growth not negative")

    def __repr__(self) -> str:
        # Only what differs from the defaults, then the thresholds that decide bands.
        changed = [
            f"{f.name}={getattr(self, f.name)!r}"
            for f in fields(self)
            if getattr(self, f.name) != f.default
        ]
        inner = ", ".join(changed) if changed else "defaults"
        return (
            f"MatchParameters({inner}; thresholds id>={self.identification_threshold:g} "
            f"possible>={self.possible_threshold:g} at FPIR {self.target_fpir:g})"
        )

    @cached_property
    def cell_centres(self) -> npt.NDArray[np.float64]:
        """Centres of the descriptor cells that lie inside the radius, in the minutia frame."""
        return cell_centres(self.descriptor_grid, self.descriptor_radius)

    @cached_property
    def cell_lookup(self) -> npt.NDArray[np.int64]:
        """Each descriptor grid square's row in :attr:`cell_centres` (see :func:`cell_lookup`)."""
        return cell_lookup(self.descriptor_grid, self.descriptor_radius)

    @cached_property
    def descriptor_bytes(self) -> int:
        bits = len(self.cell_centres) * self.descriptor_direction_bins
        return math.ceil(bits / 8)


def _grid_centres(
    grid: int, radius: float
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    side = 2.0 * radius / grid
    offsets = (np.arange(grid) + 0.5) * side - radius
    xs, ys = np.meshgrid(offsets, offsets, indexing="xy")
    centres = np.stack([xs.ravel(), ys.ravel()], axis=1)
    return centres, np.hypot(centres[:, 0], centres[:, 1]) <= radius


def cell_centres(grid: int, radius: float) -> npt.NDArray[np.float64]:
    """Centres of the squares of a ``grid`` x ``grid`` square over [-radius, radius]^2
    that lie inside the circle of ``radius``, row by row (y, then x)."""
    centres, inside = _grid_centres(grid, radius)
    return np.ascontiguousarray(centres[inside])


def cell_lookup(grid: int, radius: float) -> npt.NDArray[np.int64]:
    """(grid, grid): the row in :func:`cell_centres` of the square at (y, x), -1 for a
    square outside the circle. The evidence kernel visits only the squares near a
    neighbour through it, not every cell."""
    _, inside = _grid_centres(grid, radius)
    lookup = np.full(grid * grid, -1, dtype=np.int64)
    lookup[inside] = np.arange(int(inside.sum()), dtype=np.int64)
    return lookup.reshape(grid, grid)


# --- index code layout (persisted in gallery stores: changing any of these needs a new
# store; the store's manifest records them and refuses to open under different values).
# The finger vector is a rotation/translation-invariant histogram of neighbouring
# minutiae (see _index); these mirror the matcher's descriptor geometry on purpose but
# are kept separate so matcher tuning never silently invalidates stored codes.
INDEX_RADIUS = 70.0
INDEX_GRID = 6
INDEX_DIRECTION_BINS = 4
INDEX_SIGMA_SPACE = 9.0
INDEX_SIGMA_DIRECTION = 0.6
INDEX_CODE_BITS = 256  # per finger: 32 bytes, 320 MB for ten million fingers
INDEX_PROJECTION_SEED = 20_260_101  # random hyperplanes of the sign code
INDEX_BASIS_TENPRINTS = 40  # synthetic ten-prints whose mean centres the default basis
INDEX_BASIS_SEED = 7_919
INDEX_PARALLEL_ROWS = 65_536  # scan larger segments in two threads (2-core target)

# --- gallery store
STORE_FORMAT_VERSION = 2  # 2: a finger's second minutiae set follows its first
