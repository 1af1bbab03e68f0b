"""What a 1:N search gives back: candidates, band, and the reasons (the trace)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace

from securecomm.biometrics._fusion import Band, band_for
from securecomm.biometrics._params import MatchParameters
from securecomm.decisions import JSONValue, Trace

TRACE_RULE = "biometrics.tenprint.fusion"
TRACE_TOP_SCORES = 5


@dataclass(frozen=True)
class Candidate:
    subject_id: int
    score: float  # fused over fingers (see _fusion)
    finger_scores: dict[int, float]  # finger position -> score in [0, 100]


@dataclass(frozen=True)
class SearchResult:
    """Outcome of one ten-print search.

    ``candidates`` holds only identities that reach the possible-identification
    threshold, best first; a stranger's search therefore has none.
    """

    band: Band
    candidates: list[Candidate]
    fingers_searched: list[int]
    fingers_unusable: list[int]
    unusable_reasons: dict[int, str]
    gallery_size: int
    top_scores: list[float]  # best fused scores of the compared shortlist, above or not
    identification_threshold: float
    possible_threshold: float
    target_fpir: float
    shortlist_size: int = 0

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    def excluding(self, subject_ids: Collection[int]) -> SearchResult:
        """The result without candidates already ruled out for this person (a match a
        redress decision found wrong); the band follows the best one left."""
        kept = [c for c in self.candidates if c.subject_id not in subject_ids]
        if len(kept) == len(self.candidates):
            return self
        return replace(self, band=self._band_of(kept), candidates=kept)

    def merged(self, other: SearchResult) -> SearchResult:
        """This result and one over identities this search did not cover (enrolled since,
        searched apart): one candidate list, best first, the band from the best of both.
        Scores are per identity, so the merge ranks them as one search would have."""
        by_subject = {c.subject_id: c for c in other.candidates}
        by_subject.update({c.subject_id: c for c in self.candidates})
        kept = sorted(by_subject.values(), key=lambda c: (-c.score, c.subject_id))
        return replace(
            self,
            band=self._band_of(kept),
            candidates=kept[: max(len(self.candidates), len(other.candidates))],
            gallery_size=self.gallery_size + other.gallery_size,
            top_scores=sorted(self.top_scores + other.top_scores, reverse=True)[:TRACE_TOP_SCORES],
            shortlist_size=self.shortlist_size + other.shortlist_size,
        )

    def _band_of(self, kept: list[Candidate]) -> Band:
        best = kept[0].score if kept else None
        if best is None or best < self.possible_threshold:
            return Band.NO_IDENTIFICATION
        if best < self.identification_threshold:
            return Band.POSSIBLE
        return Band.IDENTIFICATION

    def to_trace(self) -> Trace:
        reasons: dict[str, JSONValue] = {str(k): v for k, v in self.unusable_reasons.items()}
        best_id: JSONValue = self.best.subject_id if self.best else None
        return Trace(
            rule=TRACE_RULE,
            outcome=self.band.value,
            inputs={
                "top_scores": [round(s, 2) for s in self.top_scores],
                "best_subject_id": best_id,
                "fingers_searched": list(self.fingers_searched),
                "fingers_unusable": reasons,
                "gallery_size": self.gallery_size,
                "shortlist_size": self.shortlist_size,
            },
            thresholds={
                "identification": self.identification_threshold,
                "possible_identification": self.possible_threshold,
                "target_fpir": self.target_fpir,
                "derivation": "Gumbel fit to best non-mated fused scores (biometrics._fusion)",
            },
        )


def search_result(
    params: MatchParameters,
    *,
    searched: Collection[int],
    unusable_reasons: Mapping[int, str],
    ranked: list[Candidate],
    gallery_size: int,
    shortlist_size: int,
    max_candidates: int,
) -> SearchResult:
    """The result of a search whose shortlist was compared into ``ranked`` (best first)."""
    best = ranked[0].score if ranked else None
    kept = [c for c in ranked if c.score >= params.possible_threshold]
    return SearchResult(
        band=band_for(best, params),
        candidates=kept[:max_candidates],
        fingers_searched=sorted(searched),
        fingers_unusable=sorted(unusable_reasons),
        unusable_reasons=dict(unusable_reasons),
        gallery_size=gallery_size,
        top_scores=[c.score for c in ranked[:TRACE_TOP_SCORES]],
        identification_threshold=params.identification_threshold,
        possible_threshold=params.possible_threshold,
        target_fpir=params.target_fpir,
        shortlist_size=shortlist_size,
    )


def shortlisted(found: Iterable[tuple[int, int]], size: int) -> list[tuple[int, int]]:
    """The ``size`` best (index score, subject id) pairs, best first; equal scores in
    subject order, so the shortlist never depends on where (which shard, which segment)
    an identity is stored."""
    return sorted(found, key=lambda item: (-item[0], item[1]))[:size]


def ranked(candidates: list[Candidate]) -> list[Candidate]:
    """Best first; equal scores in subject order, so the order never depends on where
    (which shard, which segment) a candidate was found."""
    return sorted(candidates, key=lambda c: (-c.score, c.subject_id))
