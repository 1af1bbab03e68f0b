"""Ten-print fusion and the decision bands, with how their thresholds were derived.

**Fusion.** A probe finger is compared only with the gallery finger at the same
position. The fused score of an identity is the *sum* of its per-finger scores
(each in [0, 100]) over the positions usable on both sides. A sum rewards every
agreeing finger, so a ten-print mate (typically 35-60 per finger) scores in the
hundreds while a stranger collects only chance pairings (typically 3-15 per finger).

**Thresholds from a target FPIR.** The false-positive identification rate of a
threshold ``t`` is the share of non-mated searches whose *best* candidate reaches
``t``. The best of many impostor scores is a maximum, so its distribution is fitted
with a Gumbel (extreme-value type I) law by the method of moments on the top fused
scores of non-mated searches::

    beta = std * sqrt(6) / pi        mu = mean - 0.5772 * beta
    t(fpir) = mu - beta * ln(-ln(1 - fpir))

``identification_threshold`` is ``t(target_fpir)`` and ``possible_threshold`` is
``t(100 * target_fpir)``; both are rounded up to a multiple of 5 to stay on the safe
side of sampling error. ``benchmarks/bench_biometrics.py`` measures the impostor and
mated distributions and prints the thresholds this rule gives, so they can be checked
and re-derived whenever the matcher changes.

Measured on synthetic data (``bench_biometrics.py --identities 5000 --searches 1000
--seed 1``, severity 1.0): best non-mated fused scores had mean 86.5, sd 9.2, maximum
120 with the first index, which gives 150 / 120; with the centred index (fewer
typical-looking impostors shortlisted) mean 81.8, sd 8.2, maximum 114, giving 140 / 110.
The defaults keep the higher pair, 150 / 120: a best-of-N impostor score grows with the
gallery (roughly with log N for a Gumbel maximum), so the margin is kept for galleries
larger than the one measured. Mated searches scored at least 435 (1st percentile 465),
so the margin costs no misses: FNIR 0 and FPIR 0 over 1,000 searches each.

**At national scale** the first stage is the 256-bit sign-code scan of :mod:`._index`
and the shortlist stays 16 identities, so the best non-mated score is still the best
of 16 full comparisons: the shortlisted strangers are the ones whose codes look most
alike, not the whole gallery, which is why the tail grows slowly with N. Re-measured
with ``securecomm biometrics bench --identities 100000 --searches 1000 --seed 1``
(1,000 mated and 1,000 non-mated searches, load average 2.4-4.9 on 2 cores): best
non-mated fused scores q50 82.2, q99 108.2, maximum 117.7, giving 145 / 115 by the
rule above; mated q1 463.7, minimum 403.6; FNIR 0 and FPIR 0 at the 150 / 120 in use,
and no mate was missed by the index stage. The defaults stay 150 / 120.

The matcher then changed scale (commit 47d134e: weighted pairs): with it, at
``--identities 1000000 --searches 1000 --seed 1`` (ten million fingers, load average
1.8-7 on 2 cores), best non-mated fused scores had q50 21.7, q99 30.4, maximum 33.1
(the rule gives 40 / 35) and mated ones minimum 452, q1 503; FNIR 0 and FPIR 0 at
150 / 120, no mate missed by the index stage. 150 / 120 therefore sits far inside the
gap for both matchers; rederive with the bench whenever the matcher changes.

**Ten-prints through images (the thresholds in use: 300 / 200).** Once minutiae came
from ridge-enhanced images, strangers rendered by the synthetic image generator scored
far higher than synthetic minutiae do (7.5 per finger on average, against about 1; real
FVC 2002 impostors 2.0). ``benchmarks/bench_image_thresholds.py`` measures that tail:
over 85 searches against 84 strangers each, the best non-mated fused score had mean
119.4, sd 15.8, maximum 163.1, so the rule gives 230 / 170, and 150 would have made
false identifications. The defaults are raised to 300 / 200: above the heaviest tail
measured with room for larger galleries, and below every mated search measured (452 on
synthetic minutiae at a million identities, 943 on synthetic images, 349 with only four
usable fingers). See docs/benchmarks.md for the table.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping, Sequence

import numpy as np

from securecomm.biometrics._params import MatchParameters

EULER_GAMMA = 0.5772156649
POSSIBLE_FPIR_FACTOR = 100.0  # the possible band admits a hundred times more strangers
THRESHOLD_STEP = 5.0


class Band(enum.StrEnum):
    IDENTIFICATION = "identification"
    POSSIBLE = "possible_identification"
    NO_IDENTIFICATION = "no_identification"


def fuse(finger_scores: Mapping[int, float]) -> float:
    """Sum of the per-finger scores (see the module docstring)."""
    return float(sum(finger_scores.values()))


def band_for(fused_score: float | None, params: MatchParameters) -> Band:
    if fused_score is None or fused_score < params.possible_threshold:
        return Band.NO_IDENTIFICATION
    if fused_score < params.identification_threshold:
        return Band.POSSIBLE
    return Band.IDENTIFICATION


def gumbel_threshold(impostor_top_scores: Sequence[float], fpir: float) -> float:
    """Score that the best impostor reaches with probability ``fpir`` (Gumbel fit)."""
    scores = np.asarray(impostor_top_scores, dtype=np.float64)
    if scores.size < 2:
        raise ValueError("need at least two impostor searches to fit a tail")
    beta = float(np.std(scores, ddof=1)) * math.sqrt(6.0) / math.pi
    mu = float(np.mean(scores)) - EULER_GAMMA * beta
    return mu - beta * math.log(-math.log1p(-fpir))


def derive_thresholds(
    impostor_top_scores: Sequence[float], target_fpir: float
) -> tuple[float, float]:
    """(identification, possible) thresholds for ``target_fpir``, rounded up to a step."""

    def rounded_up(value: float) -> float:
        return math.ceil(value / THRESHOLD_STEP) * THRESHOLD_STEP

    identification = rounded_up(gumbel_threshold(impostor_top_scores, target_fpir))
    possible_fpir = min(0.5, target_fpir * POSSIBLE_FPIR_FACTOR)
    possible = rounded_up(gumbel_threshold(impostor_top_scores, possible_fpir))
    return identification, min(possible, identification)
