"""1:N on an evaluation set: every impression searched against a gallery of the others.

* **rank-1 rate**: share of searches whose best-scoring gallery impression is a mate
  (another impression of the same finger);
* **FNIR at FPIR**: open-set identification as NIST's FRVT and ELFT report it. Each
  impression is searched twice: against the others (a mated search: the mates are in the
  gallery) and against the others less its mates (a non-mated search). At threshold t,
  FPIR is the share of non-mated searches whose best score reaches t, FNIR the share of
  mated searches whose best candidate is not a mate scoring at least t. Reported at the
  thresholds where FPIR is 1 % and 0.1 % (with 80 impressions, 0.1 % means none of the
  80 non-mated searches may return a candidate).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class IdentificationRates:
    searches: int
    rank1: float  # share of mated searches with a mate on top
    fnir_at_fpir_1pct: float
    fnir_at_fpir_01pct: float

    def as_dict(self) -> dict[str, float]:
        return {
            "searches": self.searches,
            "rank1": self.rank1,
            "fnir_at_fpir_1pct": self.fnir_at_fpir_1pct,
            "fnir_at_fpir_01pct": self.fnir_at_fpir_01pct,
        }


def identification_rates(
    scores: npt.NDArray[np.float64], fingers: Sequence[str]
) -> IdentificationRates:
    """From the symmetric all-pairs score matrix (diagonal ignored) and each row's finger."""
    n = len(fingers)
    finger = np.asarray(fingers)
    mate = finger[:, None] == finger[None, :]
    np.fill_diagonal(mate, False)
    matrix = scores.astype(np.float64).copy()
    np.fill_diagonal(matrix, -np.inf)
    searchable = mate.any(axis=1)  # an impression with no mate cannot be a mated search
    top = np.argmax(matrix, axis=1)
    top_score = matrix[np.arange(n), top]
    top_is_mate = mate[np.arange(n), top]
    non_mated_best = np.where(mate, -np.inf, matrix).max(axis=1)
    rank1 = float(np.mean(top_is_mate[searchable])) if searchable.any() else 0.0
    return IdentificationRates(
        searches=int(searchable.sum()),
        rank1=rank1,
        fnir_at_fpir_1pct=_fnir_at(0.01, top_score, top_is_mate, searchable, non_mated_best),
        fnir_at_fpir_01pct=_fnir_at(0.001, top_score, top_is_mate, searchable, non_mated_best),
    )


def _fnir_at(
    fpir: float,
    top_score: npt.NDArray[np.float64],
    top_is_mate: npt.NDArray[np.bool_],
    searchable: npt.NDArray[np.bool_],
    non_mated_best: npt.NDArray[np.float64],
) -> float:
    """FNIR at the lowest threshold whose FPIR is at most ``fpir``."""
    candidates = np.unique(np.concatenate([non_mated_best, top_score, [np.inf]]))
    best = 1.0
    for threshold in candidates[::-1]:  # from the highest threshold down
        false_positive = float(np.mean(non_mated_best >= threshold))
        if false_positive > fpir + 1e-12:
            break
        hits = top_is_mate & (top_score >= threshold) & searchable
        best = 1.0 - float(hits.sum()) / max(int(searchable.sum()), 1)
    return best
