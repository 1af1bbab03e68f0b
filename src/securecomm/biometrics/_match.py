"""The minutiae matcher: local binary codes, then global consolidation (Numba kernels).

1. **Local structure.** Around each minutia, in its own frame (origin on the minutia,
   x axis along its direction), a square grid of cells inside a circle of
   ``descriptor_radius`` collects Gaussian evidence from neighbouring minutiae, split
   into relative-direction bins. Cells with enough evidence set a bit: a small,
   rotation- and translation-invariant binary code in the spirit of the Minutia
   Cylinder-Code. The soft evidence summed over the whole finger is also the finger's
   fixed-length index vector (see :mod:`._index`).
2. **Local similarity** of minutiae ``i`` (in A) and ``p`` (in B) is
   ``1 - popcount(a xor b) / (popcount(a) + popcount(b))``.
3. **Seeds.** The ``seed_pairs`` most similar local pairs each propose a rigid alignment
   (rotation from the minutia directions, translation from the positions). Each seed is
   voted for by the other seeds its alignment carries onto their partners (a Hough-like
   consensus costing ``seed_pairs**2`` point tests), and only the ``refined_seeds`` with
   most votes go on. On FVC 2002 refining only the best-voted seed gave EER 0.7 % on
   DB2_B and 2.9 % on DB1_B, against 1.1 % and 2.2 % refining all twenty, at about six
   times the speed (the full comparison rate target is 20,000 per second per core).
4. **Consolidation.** Under a seed's alignment minutiae are paired one-to-one, nearest
   first, within an angle tolerance and a distance tolerance that grows with the
   distance from the alignment's anchor (skin stretches: a rigid fit errs more far from
   where it was anchored). The alignment is refitted by least squares on the pairs and
   the pairing repeated, ``refinement_rounds`` times.
5. **Score.** Each pair counts by how alike it is: local code similarity times how close
   it landed (``1 - d**2 / tol**2``), divided by ``mated_pair_weight`` (the mean weight
   of a mated pair) so that a typical mated pair still counts about 1. Chance pairs of
   an impostor alignment land close but have unrelated neighbourhoods; on FVC 2002 this
   weighting took the EER of DB2_B from 2.4 % to 1.1 %. With evidence ``e`` and ``na``,
   ``nb`` minutiae of each print inside the other's (dilated) extent,
   ``score = min(100, 100 * e**2 / (max(na, f) * max(nb, f)))``; the floor ``f`` keeps
   tiny overlaps from scoring high on a handful of pairs. Scores are comparable across
   templates: synthetic mated fingers score about 25-100 (median 66), impostors below 6
   (median 0.9).

6. **Second opinion.** A template extracted from an image also carries the skeleton
   finder's minutiae of the same filtered image (``Template.second``). Where both
   templates have them and the first score reaches ``second_set_from``, the second sets
   are paired once under the first sets' final alignment, not refitted, and scored the
   same way; the score is the weighted mean (``second_set_weight``, equal shares). Two
   finders rarely invent the same false minutia or miss the same real one, so a chance
   alignment of strangers finds few second pairs where a true one finds them. On the
   four development databases (at the pairing tolerance of the time, 15 px) the EER went
   0.79 / 1.43 / 2.50 / 8.57 % to 0.72 / 1.43 / 1.76 / 8.24 %, and FMR1000 1.79 / 2.86 /
   5.36 / 20.71 % to 1.07 / 2.86 / 3.93 / 17.14 %, for one more pairing on about a
   third of the pairs.

The local codes live in :mod:`._descriptors`, the seeds in :mod:`._seeds`, the pairing
and score in :mod:`._consolidation`, the parameters' vector in :mod:`._knobs`. Numba
caches each kernel beside its own file and does not notice edits to the kernels it
calls in the others: ``make clean-jit`` after editing one.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from numba import njit

from securecomm.biometrics._consolidation import (
    centre_of,
    fit_rigid,
    overlap_score,
    pair_minutiae,
    tolerance_at,
)
from securecomm.biometrics._descriptors import Features, popcount64
from securecomm.biometrics._knobs import (
    K_MATED_WEIGHT,
    K_REFINED,
    K_ROUNDS,
    K_SECOND,
    K_SECOND_FROM,
    K_SEEDS,
    K_WEIGHTED,
)
from securecomm.biometrics._seeds import (
    already_paired,
    best_local_pairs,
    seed_alignment,
    seed_consensus,
)

F64 = npt.NDArray[np.float64]


def match(
    a: Features,
    b: Features,
    knob_vector: F64,
    second_a: Features | None = None,
    second_b: Features | None = None,
) -> tuple[float, npt.NDArray[np.int64]]:
    """Score in [0, 100] and the (k, 2) template-row pairs of the best consolidation.

    With both second sets, the score blends in theirs under the same alignment
    (:func:`_second_opinion`); the pairs stay those of the first sets."""
    score, pairs = _fused(a, b, second_a, second_b, knob_vector)
    return float(score), np.stack([a.order[pairs[:, 0]], b.order[pairs[:, 1]]], axis=1)


def match_score(
    a: Features,
    b: Features,
    knob_vector: F64,
    second_a: Features | None = None,
    second_b: Features | None = None,
) -> float:
    """Only the score of :func:`match` (skips mapping the pairs back to template rows)."""
    score, _pairs = _fused(a, b, second_a, second_b, knob_vector)
    return float(score)


_NO_FEATURES = Features(
    xyt=np.zeros((0, 3), dtype=np.float64),
    order=np.zeros(0, dtype=np.int64),
    codes=np.zeros((0, 1), dtype=np.uint64),
    bit_counts=np.zeros(0, dtype=np.int32),
)


def _fused(
    a: Features,
    b: Features,
    second_a: Features | None,
    second_b: Features | None,
    knob_vector: F64,
) -> tuple[float, npt.NDArray[np.int64]]:
    """One call into Numba either way (each call costs microseconds): the second sets, or
    empty ones."""
    if second_a is None or second_b is None:
        second_a = second_b = _NO_FEATURES
    return _match_fused(
        a.xyt,
        a.codes,
        a.bit_counts,
        b.xyt,
        b.codes,
        b.bit_counts,
        second_a.xyt,
        second_a.codes,
        second_a.bit_counts,
        second_b.xyt,
        second_b.codes,
        second_b.bit_counts,
        knob_vector,
    )


@njit(cache=True)
def _match_fused(
    xyt_a: F64,
    codes_a: npt.NDArray[np.uint64],
    counts_a: npt.NDArray[np.int32],
    xyt_b: F64,
    codes_b: npt.NDArray[np.uint64],
    counts_b: npt.NDArray[np.int32],
    xyt_a2: F64,
    codes_a2: npt.NDArray[np.uint64],
    counts_a2: npt.NDArray[np.int32],
    xyt_b2: F64,
    codes_b2: npt.NDArray[np.uint64],
    counts_b2: npt.NDArray[np.int32],
    knob: F64,
) -> tuple[float, npt.NDArray[np.int64]]:
    """The first sets' score and pairs, the second sets' opinion blended into the score
    where both are given (empty arrays otherwise)."""
    score, pairs, alignment = _match(xyt_a, codes_a, counts_a, xyt_b, codes_b, counts_b, knob)
    weight = knob[K_SECOND]
    if (
        weight > 0.0
        and score >= knob[K_SECOND_FROM]
        and xyt_a2.shape[0] > 0
        and xyt_b2.shape[0] > 0
    ):
        second = _second_opinion(
            xyt_a2, codes_a2, counts_a2, xyt_b2, codes_b2, counts_b2, alignment, knob
        )
        score = (1.0 - weight) * score + weight * second
    return score, pairs


@njit(cache=True)
def _match(
    xyt_a: F64,
    codes_a: npt.NDArray[np.uint64],
    counts_a: npt.NDArray[np.int32],
    xyt_b: F64,
    codes_b: npt.NDArray[np.uint64],
    counts_b: npt.NDArray[np.int32],
    knob: F64,
) -> tuple[float, npt.NDArray[np.int64], F64]:
    """Best score, its pairs, and its alignment (rotation, tx, ty, anchor x, anchor y)."""
    n_seeds = int(knob[K_SEEDS])
    seed_i = np.full(n_seeds, -1, dtype=np.int64)
    seed_p = np.full(n_seeds, -1, dtype=np.int64)
    seed_s = np.zeros(n_seeds, dtype=np.float64)
    best_local_pairs(codes_a, counts_a, codes_b, counts_b, knob, seed_i, seed_p, seed_s)

    cand_d, cand_i, cand_p, pairs, used_a, used_b = _scratch(xyt_a.shape[0], xyt_b.shape[0])
    # Stage 1: each seed's alignment votes for itself with every other seed it carries
    # onto its partner (a cheap Hough-like consensus among the most similar pairs).
    seed_count = seed_consensus(xyt_a, xyt_b, seed_i, seed_p, knob)
    # Stage 2: refine and score only the seeds that explained the most.
    best_pairs = np.empty((0, 2), dtype=np.int64)
    best_score = 0.0
    best_alignment = np.zeros(5, dtype=np.float64)
    for s in np.argsort(-seed_count, kind="mergesort")[: int(knob[K_REFINED])]:
        if seed_count[s] == 0:
            break
        i, p = seed_i[s], seed_p[s]
        if already_paired(best_pairs, i, p):
            continue  # this seed agrees with the best alignment so far: same result
        rot, tx, ty = seed_alignment(xyt_a, xyt_b, i, p)
        centre = (xyt_b[p, 0], xyt_b[p, 1])
        m = pair_minutiae(
            xyt_a, xyt_b, rot, tx, ty, centre, knob, cand_d, cand_i, cand_p, pairs, used_a, used_b
        )
        for _ in range(int(knob[K_ROUNDS])):
            if m < 3:
                break
            rot, tx, ty = fit_rigid(xyt_a, xyt_b, pairs, m)
            centre = centre_of(xyt_b, pairs, m)
            m = pair_minutiae(
                xyt_a,
                xyt_b,
                rot,
                tx,
                ty,
                centre,
                knob,
                cand_d,
                cand_i,
                cand_p,
                pairs,
                used_a,
                used_b,
            )
        score = _paired_score(
            xyt_a, codes_a, counts_a, xyt_b, codes_b, counts_b, rot, tx, ty, centre, pairs, m, knob
        )
        if score > best_score:
            best_score = score
            best_pairs = pairs[:m].copy()
            best_alignment[:] = (rot, tx, ty, centre[0], centre[1])
    return best_score, best_pairs, best_alignment


@njit(cache=True)
def _second_opinion(
    xyt_a: F64,
    codes_a: npt.NDArray[np.uint64],
    counts_a: npt.NDArray[np.int32],
    xyt_b: F64,
    codes_b: npt.NDArray[np.uint64],
    counts_b: npt.NDArray[np.int32],
    alignment: F64,
    knob: F64,
) -> float:
    """The second minutiae sets paired once under the first sets' alignment, scored the
    same way. Not refitted: the point is whether other minutiae of the same prints agree
    with that alignment. On FVC 2002 DB3_B and FVC 2004 DB2_B, where the first finder
    misses and invents most, a chance alignment of two strangers finds few second pairs,
    while a true one finds them (EER 2.50 -> 1.76 % and 8.57 -> 8.24 %)."""
    rot, tx, ty = alignment[0], alignment[1], alignment[2]
    centre = (alignment[3], alignment[4])
    cand_d, cand_i, cand_p, pairs, used_a, used_b = _scratch(xyt_a.shape[0], xyt_b.shape[0])
    m = pair_minutiae(
        xyt_a, xyt_b, rot, tx, ty, centre, knob, cand_d, cand_i, cand_p, pairs, used_a, used_b
    )
    return _paired_score(
        xyt_a, codes_a, counts_a, xyt_b, codes_b, counts_b, rot, tx, ty, centre, pairs, m, knob
    )


@njit(cache=True)
def _scratch(
    na: int, nb: int
) -> tuple[
    F64,
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.bool_],
    npt.NDArray[np.bool_],
]:
    """The buffers :func:`pair_minutiae` fills: candidates (distance, A row, B row), the
    pairs, and which rows are used; allocated once a comparison, reused every round."""
    return (
        np.empty(na * nb, dtype=np.float64),
        np.empty(na * nb, dtype=np.int64),
        np.empty(na * nb, dtype=np.int64),
        np.empty((min(na, nb), 2), dtype=np.int64),
        np.empty(na, dtype=np.bool_),
        np.empty(nb, dtype=np.bool_),
    )


@njit(cache=True)
def _paired_score(
    xyt_a: F64,
    codes_a: npt.NDArray[np.uint64],
    counts_a: npt.NDArray[np.int32],
    xyt_b: F64,
    codes_b: npt.NDArray[np.uint64],
    counts_b: npt.NDArray[np.int32],
    rot: float,
    tx: float,
    ty: float,
    centre: tuple[float, float],
    pairs: npt.NDArray[np.int64],
    m: int,
    knob: F64,
) -> float:
    """The score of ``m`` pairs under an alignment: each pair weighted by likeness
    (where ``pair_weighting`` asks for it), then normalised by the overlap."""
    evidence = float(m)
    if knob[K_WEIGHTED] > 0.0 and m > 0:
        evidence = _pair_evidence(
            xyt_a, codes_a, counts_a, xyt_b, codes_b, counts_b, rot, tx, ty, centre, pairs, m, knob
        )
    score: float = overlap_score(xyt_a, xyt_b, rot, tx, ty, evidence, knob)
    return score


@njit(cache=True)
def _pair_evidence(
    xyt_a: F64,
    codes_a: npt.NDArray[np.uint64],
    counts_a: npt.NDArray[np.int32],
    xyt_b: F64,
    codes_b: npt.NDArray[np.uint64],
    counts_b: npt.NDArray[np.int32],
    rot: float,
    tx: float,
    ty: float,
    centre: tuple[float, float],
    pairs: npt.NDArray[np.int64],
    m: int,
    knob: F64,
) -> float:
    """Pairs weighted by how much they look alike: a chance pair of an impostor alignment
    lands close but has unrelated neighbourhoods; a mated pair has both. Each pair counts
    ``w_local * w_place`` in [0, 1] (local code similarity, remaining distance)."""
    blend = knob[K_WEIGHTED]
    cr, sr = math.cos(rot), math.sin(rot)
    total = 0.0
    for k in range(m):
        i, p = pairs[k, 0], pairs[k, 1]
        dx = cr * xyt_a[i, 0] - sr * xyt_a[i, 1] + tx - xyt_b[p, 0]
        dy = sr * xyt_a[i, 0] + cr * xyt_a[i, 1] + ty - xyt_b[p, 1]
        tol = tolerance_at(xyt_b[p, 0], xyt_b[p, 1], centre, knob)
        place = 1.0 - (dx * dx + dy * dy) / (tol * tol)
        bits = counts_a[i] + counts_b[p]
        local = 0.0
        if bits > 0:
            differing = 0
            for w in range(codes_a.shape[1]):
                differing += popcount64(codes_a[i, w] ^ codes_b[p, w])
            local = 1.0 - differing / bits
        weight = local * max(place, 0.0) / knob[K_MATED_WEIGHT]
        total += (1.0 - blend) + blend * weight
    return total
