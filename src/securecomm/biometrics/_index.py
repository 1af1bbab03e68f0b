"""First search stage: a 256-bit code per finger, scanned by Hamming distance.

**Finger vector.** Around each minutia, in its own frame (so rotation and translation
drop out), a grid of cells inside ``INDEX_RADIUS`` collects Gaussian evidence from the
neighbouring minutiae, split by relative direction. Summed over the finger, square
rooted (so many weak cells count, not a few dominant ones) and scaled to unit length,
this is a 128-dimensional description of the finger's local structure.

**Sign code.** All fingers share much of that structure (ridges flow smoothly, minutiae
keep their distance), so the vector is first *centred* on a basis mean, then projected
on ``INDEX_CODE_BITS`` random hyperplanes; each bit is the sign of one projection
(SimHash: the Hamming distance of two codes estimates the angle between the centred
vectors). Centring is what makes it work: on 2,000 synthetic ten-prints, 300 mated
searches, the mate's fused distance stood at least 6.3 standard deviations above the
impostors' mean with centring, and as little as -0.1 without (a third of mates not
ranked first). The basis (mean and hyperplanes) is fixed per gallery store and saved
with it, because codes are only comparable under one basis.

**Fusion.** A gallery row holds the codes of up to ten finger positions and a bitmask
of those present. Its similarity to a probe is ``sum(bits/2 - hamming)`` over the
positions present on both sides: zero on average for a stranger, so rows missing
fingers are neither favoured nor punished. The scan is a Numba loop over 64-bit words
with a SWAR popcount, split over two threads for large segments.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from numba import njit

from securecomm.biometrics._descriptors import add_neighbourhood_evidence, popcount64
from securecomm.biometrics._params import (
    INDEX_BASIS_SEED,
    INDEX_BASIS_TENPRINTS,
    INDEX_CODE_BITS,
    INDEX_DIRECTION_BINS,
    INDEX_GRID,
    INDEX_PARALLEL_ROWS,
    INDEX_PROJECTION_SEED,
    INDEX_RADIUS,
    INDEX_SIGMA_DIRECTION,
    INDEX_SIGMA_SPACE,
    cell_centres,
    cell_lookup,
)
from securecomm.biometrics._template import DIRECTION, Template, X, Y

POSITIONS = 10
CODE_WORDS = INDEX_CODE_BITS // 64
NO_COMMON_FINGER = np.iinfo(np.int32).min  # score of rows that share no finger with a probe

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
Codes = npt.NDArray[np.uint64]


CELL_CENTRES = cell_centres(INDEX_GRID, INDEX_RADIUS)
CELL_LOOKUP = cell_lookup(INDEX_GRID, INDEX_RADIUS)
VECTOR_DIMS = len(CELL_CENTRES) * INDEX_DIRECTION_BINS


def layout() -> dict[str, float | int]:
    """The constants codes depend on (recorded in, and checked against, a store)."""
    return {
        "radius": INDEX_RADIUS,
        "grid": INDEX_GRID,
        "direction_bins": INDEX_DIRECTION_BINS,
        "sigma_space": INDEX_SIGMA_SPACE,
        "sigma_direction": INDEX_SIGMA_DIRECTION,
        "code_bits": INDEX_CODE_BITS,
    }


@dataclass(frozen=True, eq=False)
class CodeBasis:
    """Centre (VECTOR_DIMS,) and hyperplanes (VECTOR_DIMS, INDEX_CODE_BITS) of the code."""

    mean: F32
    projection: F32

    def __post_init__(self) -> None:
        if self.mean.shape != (VECTOR_DIMS,):
            raise ValueError(f"basis mean must have shape ({VECTOR_DIMS},)")
        if self.projection.shape != (VECTOR_DIMS, INDEX_CODE_BITS):
            raise ValueError(f"basis projection must have shape ({VECTOR_DIMS}, {INDEX_CODE_BITS})")

    @classmethod
    def fit(cls, vectors: F32) -> CodeBasis:
        """Centre on the mean of ``vectors`` (n, VECTOR_DIMS), e.g. from ``finger_vector``."""
        if vectors.ndim != 2 or vectors.shape[1] != VECTOR_DIMS or len(vectors) < 2:
            raise ValueError(f"need at least two vectors of {VECTOR_DIMS} dimensions")
        return cls(vectors.mean(axis=0).astype(np.float32), _projection())

    def codes(self, vectors: F32) -> Codes:
        """Sign codes (n, CODE_WORDS) of finger vectors (n, VECTOR_DIMS)."""
        bits = ((vectors - self.mean) @ self.projection) > 0.0
        packed = np.packbits(bits, axis=1, bitorder="little")
        return np.ascontiguousarray(packed).view(np.uint64)


def _projection() -> F32:
    rng = np.random.default_rng(INDEX_PROJECTION_SEED)
    return rng.standard_normal((VECTOR_DIMS, INDEX_CODE_BITS)).astype(np.float32)


@lru_cache(maxsize=1)
def default_basis() -> CodeBasis:
    """Basis centred on synthetic ten-prints (deterministic; computed once per process).

    A real deployment fits its own with :meth:`CodeBasis.fit` on enrolled fingers; the
    store keeps whichever basis it was created with.
    """
    from securecomm.biometrics import synthetic  # late: synthetic imports this package

    rng = np.random.default_rng(INDEX_BASIS_SEED)
    templates = [
        template
        for _ in range(INDEX_BASIS_TENPRINTS)
        for template in synthetic.impressions_of(synthetic.synthesize_tenprint(rng), rng).values()
    ]
    return CodeBasis.fit(np.stack([finger_vector(t) for t in templates]))


def finger_vector(template: Template) -> F32:
    m = template.minutiae
    xyt = np.ascontiguousarray(m[:, [X, Y, DIRECTION]], dtype=np.float64)
    offsets = np.array([0, len(xyt)], dtype=np.int64)
    vectors: F32 = finger_vectors(xyt, offsets)[0]
    return vectors


def finger_vectors(xyt: F64, offsets: npt.NDArray[np.int64]) -> F32:
    """Vectors of many fingers at once: finger k is ``xyt[offsets[k]:offsets[k+1]]``."""
    raw = _evidence_batch(
        xyt,
        offsets,
        CELL_CENTRES,
        CELL_LOOKUP,
        INDEX_DIRECTION_BINS,
        INDEX_RADIUS,
        INDEX_SIGMA_SPACE,
        INDEX_SIGMA_DIRECTION,
    )
    rooted = np.sqrt(raw)
    norms = np.linalg.norm(rooted, axis=1, keepdims=True)
    return (rooted / np.where(norms > 0.0, norms, 1.0)).astype(np.float32)


def tenprint_codes(prints: Mapping[int, Template], basis: CodeBasis) -> tuple[Codes, int]:
    """(POSITIONS, CODE_WORDS) codes, row ``position - 1``, and the bitmask of positions."""
    codes = np.zeros((POSITIONS, CODE_WORDS), dtype=np.uint64)
    mask = 0
    if prints:
        positions = sorted(prints)
        vectors = np.stack([finger_vector(prints[p]) for p in positions])
        for position, code in zip(positions, basis.codes(vectors), strict=True):
            codes[position - 1] = code
            mask |= 1 << (position - 1)
    return codes, mask


def scan(
    codes: Codes,
    fingers: npt.NDArray[np.uint16],
    probe: Codes,
    probe_mask: int,
    live: npt.NDArray[np.bool_] | None = None,
) -> npt.NDArray[np.int32]:
    """Fused similarity of every row of ``codes`` (n, POSITIONS, CODE_WORDS) to ``probe``;
    rows not ``live`` (removed) score as sharing no finger."""
    scores = np.empty(len(codes), dtype=np.int32)
    alive = np.ones(len(codes), dtype=np.bool_) if live is None else live
    if len(codes) < INDEX_PARALLEL_ROWS:
        _scan(codes, fingers, alive, probe, probe_mask, scores, 0, len(codes))
        return scores
    middle = len(codes) // 2
    with ThreadPoolExecutor(max_workers=2) as pool:  # the kernel releases the GIL
        halves = [
            pool.submit(_scan, codes, fingers, alive, probe, probe_mask, scores, start, stop)
            for start, stop in ((0, middle), (middle, len(codes)))
        ]
        for half in halves:
            half.result()
    return scores


def rows_reaching(scores: npt.NDArray[np.int32], size: int) -> npt.NDArray[np.int64]:
    """Rows scoring at least the ``size``-th highest score (rows sharing no finger
    excluded), in row order: ``size`` rows, more where the last place is shared, so
    the caller can break the tie by something other than a row's position."""
    if min(size, len(scores)) <= 0:
        return np.empty(0, dtype=np.int64)
    return np.flatnonzero(scores >= _kth_highest(scores, size)).astype(np.int64)


@njit(cache=True, nogil=True)
def _kth_highest(scores: npt.NDArray[np.int32], size: int) -> int:
    """The ``size``-th highest score of the rows that share a finger (the lowest such
    score where fewer do), by counting: scores are small integers, and two passes over
    them cost a fraction of a general selection (np.partition) on millions of rows."""
    low, high, valid = 0, 0, 0
    for value in scores:
        if value == NO_COMMON_FINGER:
            continue
        if valid == 0 or value < low:
            low = value
        if valid == 0 or value > high:
            high = value
        valid += 1
    if valid == 0:
        return NO_COMMON_FINGER + 1  # reached by no row at all
    counts = np.zeros(high - low + 1, dtype=np.int64)
    for value in scores:
        if value != NO_COMMON_FINGER:
            counts[value - low] += 1
    reached = 0
    for offset in range(high - low, -1, -1):
        reached += counts[offset]
        if reached >= size:
            return low + offset
    return low


@njit(cache=True, nogil=True)
def _scan(
    codes: Codes,
    fingers: npt.NDArray[np.uint16],
    live: npt.NDArray[np.bool_],
    probe: Codes,
    probe_mask: int,
    out: npt.NDArray[np.int32],
    start: int,
    stop: int,
) -> None:
    words = codes.shape[2]
    half = words * 32
    for row in range(start, stop):
        common = int(fingers[row]) & probe_mask
        if common == 0 or not live[row]:
            out[row] = NO_COMMON_FINGER
            continue
        total = 0
        for position in range(POSITIONS):
            if (common >> position) & 1:
                differing = 0
                for w in range(words):
                    differing += popcount64(codes[row, position, w] ^ probe[position, w])
                total += half - differing
        out[row] = total


@njit(cache=True, nogil=True)
def _evidence_batch(
    xyt: F64,
    offsets: npt.NDArray[np.int64],
    centres: F64,
    lookup: npt.NDArray[np.int64],
    n_dir: int,
    radius: float,
    sigma_s: float,
    sigma_d: float,
) -> F64:
    """Each finger's neighbourhood evidence summed over its minutiae."""
    out = np.zeros((offsets.shape[0] - 1, centres.shape[0] * n_dir), dtype=np.float64)
    dir_weight = np.empty(n_dir, dtype=np.float64)
    for f in range(offsets.shape[0] - 1):
        lo, hi = offsets[f], offsets[f + 1]
        for i in range(lo, hi):
            add_neighbourhood_evidence(
                xyt, i, lo, hi, centres, lookup, n_dir, radius, sigma_s, sigma_d, dir_weight, out[f]
            )
    return out
