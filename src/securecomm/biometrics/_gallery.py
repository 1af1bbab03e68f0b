"""The 1:N gallery: incremental enrolment, two-stage ten-print search, decision trace."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from securecomm.biometrics._compare import DEFAULT_PARAMETERS
from securecomm.biometrics._errors import NoUsableFingerError, TemplateError, UnknownSubjectError
from securecomm.biometrics._fusion import Band, band_for, fuse
from securecomm.biometrics._index import POSITIONS, FingerIndex
from securecomm.biometrics._match import Features, features_of, knobs, match
from securecomm.biometrics._params import MatchParameters
from securecomm.biometrics._quality import unusable_reason
from securecomm.biometrics._template import Template
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


class Gallery:
    """Enrolled ten-prints, searchable one probe at a time.

    Enrolment and removal are incremental. A search first scans every identity's
    fixed-length finger vectors (:mod:`._index`), then fully compares the
    ``params.index_shortlist`` best identities finger by finger and fuses the scores.
    """

    def __init__(self, params: MatchParameters | None = None) -> None:
        self.params = params if params is not None else DEFAULT_PARAMETERS
        self._prints: dict[int, dict[int, Features]] = {}
        self._index = FingerIndex(
            len(self.params.cell_centres) * self.params.descriptor_direction_bins
        )

    def __repr__(self) -> str:
        return f"Gallery(subjects={len(self)}, params={self.params!r})"

    def __len__(self) -> int:
        return len(self._prints)

    def __contains__(self, subject_id: object) -> bool:
        return subject_id in self._prints

    def subject_ids(self) -> list[int]:
        return sorted(self._prints)

    @property
    def index_nbytes(self) -> int:
        return self._index.nbytes

    def enrol(self, subject_id: int, prints: Mapping[int, Template]) -> None:
        """Enrol (or replace) ``subject_id``'s usable prints; unusable ones are skipped.

        Raises NoUsableFingerError when no finger is usable (the subject would be
        unfindable) and TemplateError for a malformed mapping.
        """
        _check_subject_id(subject_id)
        usable, reasons = self._usable(prints)
        if not usable:
            raise NoUsableFingerError(reasons)
        self._prints[subject_id] = usable
        self._index.put(subject_id, _index_rows(usable, self._index_dims))

    def remove(self, subject_id: int) -> None:
        if subject_id not in self._prints:
            raise UnknownSubjectError(subject_id)
        del self._prints[subject_id]
        self._index.drop(subject_id)

    def search(self, probe: Mapping[int, Template], *, max_candidates: int = 5) -> SearchResult:
        if max_candidates < 1:
            raise ValueError("max_candidates must be at least 1")
        usable, reasons = self._usable(probe)
        if not usable:
            raise NoUsableFingerError(reasons)
        shortlist = self._index.shortlist(
            _index_rows(usable, self._index_dims), self.params.index_shortlist
        )
        ranked = sorted(
            (self._compare_subject(usable, subject_id) for subject_id, _ in shortlist),
            key=lambda c: (-c.score, c.subject_id),
        )
        best = ranked[0].score if ranked else None
        kept = [c for c in ranked if c.score >= self.params.possible_threshold]
        return SearchResult(
            band=band_for(best, self.params),
            candidates=kept[:max_candidates],
            fingers_searched=sorted(usable),
            fingers_unusable=sorted(reasons),
            unusable_reasons=reasons,
            gallery_size=len(self),
            top_scores=[c.score for c in ranked[:TRACE_TOP_SCORES]],
            identification_threshold=self.params.identification_threshold,
            possible_threshold=self.params.possible_threshold,
            target_fpir=self.params.target_fpir,
            shortlist_size=len(shortlist),
        )

    @property
    def _index_dims(self) -> int:
        return len(self.params.cell_centres) * self.params.descriptor_direction_bins

    def _usable(self, prints: Mapping[int, Template]) -> tuple[dict[int, Features], dict[int, str]]:
        if not isinstance(prints, Mapping):
            raise TemplateError(
                "prints", "type", "expected a mapping of finger position to Template"
            )
        usable: dict[int, Features] = {}
        reasons: dict[int, str] = {}
        for position, template in prints.items():
            _check_print(position, template)
            reason = unusable_reason(template, self.params)
            if reason is None:
                usable[position] = features_of(template, self.params)
            else:
                reasons[position] = reason
        return usable, reasons

    def _compare_subject(self, probe: dict[int, Features], subject_id: int) -> Candidate:
        enrolled = self._prints[subject_id]
        knob_vector = knobs(self.params)
        scores = {
            position: match(features, enrolled[position], knob_vector)[0]
            for position, features in sorted(probe.items())
            if position in enrolled
        }
        return Candidate(subject_id, fuse(scores), scores)


def _index_rows(prints: Mapping[int, Features], dims: int) -> npt.NDArray[np.float32]:
    rows = np.zeros((POSITIONS, dims), dtype=np.float32)
    for position, features in prints.items():
        rows[position - 1] = features.index_vector
    return rows


def _check_subject_id(subject_id: object) -> None:
    if isinstance(subject_id, bool) or not isinstance(subject_id, int):
        raise TemplateError(
            "subject_id", "type", f"expected an int, got {type(subject_id).__name__}"
        )


def _check_print(position: object, template: object) -> None:
    field_name = f"prints[{position!r}]"
    if isinstance(position, bool) or not isinstance(position, int) or not 1 <= position <= 10:
        raise TemplateError(field_name, "finger_position", "finger position must be 1-10")
    if not isinstance(template, Template):
        raise TemplateError(
            field_name, "type", f"expected a Template, got {type(template).__name__}"
        )
    if template.finger_position not in (0, position):
        raise TemplateError(
            field_name,
            "finger_position",
            f"template says finger {template.finger_position}, mapping says {position}",
        )
