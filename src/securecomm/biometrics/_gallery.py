"""The 1:N gallery: incremental enrolment, persistence, two-stage ten-print search, trace."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from securecomm.biometrics._compare import DEFAULT_PARAMETERS
from securecomm.biometrics._descriptors import features_of, second_features_of
from securecomm.biometrics._errors import NoUsableFingerError, TemplateError, UnknownSubjectError
from securecomm.biometrics._fusion import fuse
from securecomm.biometrics._index import (
    CodeBasis,
    default_basis,
    rows_reaching,
    scan,
    tenprint_codes,
)
from securecomm.biometrics._knobs import knobs
from securecomm.biometrics._match import match_score
from securecomm.biometrics._params import MatchParameters
from securecomm.biometrics._parts import Part, PendingRows, Segment
from securecomm.biometrics._quality import unusable_reason
from securecomm.biometrics._result import (
    Candidate,
    SearchResult,
    ranked,
    search_result,
    shortlisted,
)
from securecomm.biometrics._rows import FingerFeatures, subset
from securecomm.biometrics._store import MANIFEST, GalleryStore
from securecomm.biometrics._template import Template


class Gallery:
    """Enrolled ten-prints, searchable one probe at a time; optionally kept on disk.

    A search first scans every identity's 256-bit finger codes (:mod:`._index`), then
    fully compares the ``params.index_shortlist`` best identities finger by finger and
    fuses the scores (:mod:`._fusion`).

    Rows live in memory-mapped segments of a :class:`GalleryStore` (after :meth:`open`
    or :meth:`save`) and in an in-memory part for what was enrolled since. Enrolment,
    replacement and removal are incremental; :meth:`save` persists them
    crash-consistently, and :meth:`open` restarts from disk without rebuilding
    anything (the codes are mapped, not recomputed).
    """

    def __init__(
        self, params: MatchParameters | None = None, *, basis: CodeBasis | None = None
    ) -> None:
        self.params = params if params is not None else DEFAULT_PARAMETERS
        self._basis = basis if basis is not None else default_basis()
        self._store: GalleryStore | None = None
        self._segments: list[Segment] = []
        self._pending = PendingRows()
        # subject -> location: (slot << LOCATION_SHIFT | row) in a segment, -(row + 1) pending
        self._where: dict[int, int] = {}
        # Stored rows compared lately, by (segment, row): their features computed once.
        self._recent: OrderedDict[tuple[int, int], dict[int, FingerFeatures]] = OrderedDict()

    @classmethod
    def open(
        cls, path: str | Path, params: MatchParameters | None = None, *, create: bool = False
    ) -> Gallery:
        """The gallery stored at ``path`` (mapped, not rebuilt); with ``create=True`` an
        empty store is made when ``path`` holds none. Raises GalleryStoreError."""
        path = Path(path)
        if create and not (path / MANIFEST).exists():
            gallery = cls(params)
            gallery._attach(GalleryStore.create(path, gallery._basis))
            return gallery
        store = GalleryStore.open(path)
        gallery = cls(params, basis=store.basis)
        gallery._attach(store)
        return gallery

    def save(self, path: str | Path | None = None) -> None:
        """Persist enrolments and removals since the last save, atomically: a crash
        leaves the previous saved state. ``path`` is needed only the first time."""
        if self._store is None:
            if path is None:
                raise ValueError("this gallery has no store yet: save(path) names one")
            self._store = GalleryStore.create(Path(path), self._basis)
        elif path is not None and Path(path).resolve() != self._store.path.resolve():
            raise ValueError(f"this gallery is stored at {self._store.path}, not {path}")
        store = self._store
        added: list[dict[str, Any]] = []
        live = self._pending.live_rows()
        if len(live):
            writer = store.new_segment()
            try:
                writer.append(self._pending.rows(live))
                added.append(writer.finish())
            except BaseException:
                writer.abandon()
                raise
        store.commit(added, self._deleted_pairs())
        self._attach(store)

    def compact(self) -> None:
        """Rewrite the store as one segment of live rows (removed and replaced rows
        dropped, pending rows included), with the same atomic switch as :meth:`save`.
        Worth it when many rows were removed or many small saves made many segments."""
        if self._store is None:
            raise ValueError("this gallery has no store yet: save(path) first")
        store = self._store
        writer = store.new_segment()
        try:
            for segment in self._segments:
                live = np.flatnonzero(segment.live).astype(np.int64)
                for start in range(0, len(live), COMPACTION_ROWS):
                    writer.append(subset(segment.rows, live[start : start + COMPACTION_ROWS]))
            pending = self._pending.live_rows()
            if len(pending):
                writer.append(self._pending.rows(pending))
            added = writer.finish()
        except BaseException:
            writer.abandon()
            raise
        dropped = [segment.name for segment in self._segments]
        store.commit([added], np.zeros((0, 2), dtype=np.int64), dropped)
        self._attach(store)

    @property
    def path(self) -> Path | None:
        return self._store.path if self._store is not None else None

    def __repr__(self) -> str:
        return f"Gallery(subjects={len(self)}, params={self.params!r})"

    def __len__(self) -> int:
        return len(self._where)

    def __contains__(self, subject_id: object) -> bool:
        return subject_id in self._where

    def subject_ids(self) -> list[int]:
        return sorted(self._where)

    @property
    def index_nbytes(self) -> int:
        """Bytes of the scanned index (codes, finger masks, live flags) of every row."""
        return sum(part.index_nbytes for part in self._parts())

    def prints_of(self, subject_id: int) -> dict[int, Template]:
        """The enrolled (usable) prints of ``subject_id``."""
        if subject_id not in self._where:
            raise UnknownSubjectError(subject_id)
        part, row = self._locate(self._where[subject_id])
        return part.prints(row)

    def enrol(self, subject_id: int, prints: Mapping[int, Template]) -> None:
        """Enrol (or replace) ``subject_id``'s usable prints; unusable ones are skipped.

        Raises NoUsableFingerError when no finger is usable (the subject would be
        unfindable) and TemplateError for a malformed mapping.
        """
        check_subject_id(subject_id)
        usable, reasons = self._usable(prints)
        if not usable:
            raise NoUsableFingerError(reasons)
        codes, mask = tenprint_codes(usable, self._basis)
        if subject_id in self._where:
            self._forget(subject_id)
        self._where[subject_id] = -(self._pending.add(subject_id, codes, mask, usable) + 1)

    def remove(self, subject_id: int) -> None:
        if subject_id not in self._where:
            raise UnknownSubjectError(subject_id)
        self._forget(subject_id)

    def search(self, probe: Mapping[int, Template], *, max_candidates: int = 5) -> SearchResult:
        if max_candidates < 1:
            raise ValueError("max_candidates must be at least 1")
        usable, reasons = self.usable_prints(probe)
        shortlist = self.index_stage(usable)
        compared = self.compare_stage(usable, [subject for _, subject in shortlist])
        return search_result(
            self.params,
            searched=usable,
            unusable_reasons=reasons,
            ranked=compared,
            gallery_size=len(self),
            shortlist_size=len(shortlist),
            max_candidates=max_candidates,
        )

    def shortlist_ids(self, probe: Mapping[int, Template]) -> list[int]:
        """Subjects the index stage hands to full comparison, best first (diagnostics)."""
        usable, _ = self.usable_prints(probe)
        return [subject for _, subject in self.index_stage(usable)]

    def usable_prints(
        self, probe: Mapping[int, Template]
    ) -> tuple[dict[int, Template], dict[int, str]]:
        """The probe's usable prints and, by position, why the others are not; raises
        NoUsableFingerError when none is usable."""
        usable, reasons = self._usable(probe)
        if not usable:
            raise NoUsableFingerError(reasons)
        return usable, reasons

    def index_stage(self, usable: Mapping[int, Template]) -> list[tuple[int, int]]:
        """The search's first stage: the ``params.index_shortlist`` identities whose codes
        are closest to the probe's, as (index score, subject id), best first. Equal
        scores go in subject order, so a gallery split in shards shortlists the same
        identities as the whole (the best of each shard's stage are the best overall)."""
        codes, mask = tenprint_codes(usable, self._basis)
        size = self.params.index_shortlist
        found: list[tuple[int, int]] = []
        for part in self._parts():
            if not part.row_count:
                continue
            scores = scan(part.codes_view, part.fingers_view, codes, mask, part.live_view)
            rows = rows_reaching(scores, size)
            found += zip(scores[rows].tolist(), part.subjects[rows].tolist(), strict=True)
        return shortlisted(found, size)

    def compare_stage(
        self, usable: Mapping[int, Template], subject_ids: Collection[int]
    ) -> list[Candidate]:
        """The second stage: each of ``subject_ids`` compared finger by finger with the
        probe and fused, best first."""
        probe = self._features_of(usable)
        return ranked([self._compare_subject(probe, subject) for subject in subject_ids])

    def _features_of(self, prints: Mapping[int, Template]) -> dict[int, FingerFeatures]:
        """Each print's matcher features and its second set's (cached on the template)."""
        return {
            p: (features_of(t, self.params), second_features_of(t, self.params))
            for p, t in prints.items()
        }

    def _compare_subject(self, probe: dict[int, FingerFeatures], subject_id: int) -> Candidate:
        enrolled = self._features_for_comparison(subject_id)
        knob_vector = knobs(self.params)
        scores: dict[int, float] = {}
        for position, (features, second) in sorted(probe.items()):
            if position in enrolled:
                other, other_second = enrolled[position]
                scores[position] = match_score(features, other, knob_vector, second, other_second)
        return Candidate(subject_id, fuse(scores), scores)

    def _features_for_comparison(self, subject_id: int) -> dict[int, FingerFeatures]:
        """The matcher's features of the subject's prints. In memory the templates keep
        theirs; a stored row's are computed from the mapped file in one call, and kept
        for the rows compared most recently (a person searched again, a candidate that
        comes up often)."""
        part, row = self._locate(self._where[subject_id])
        if not isinstance(part, Segment):
            return self._features_of(part.prints(row))
        key = (part.number, row)
        found = self._recent.get(key)
        if found is None:
            found = part.rows.features(row, self.params)
            self._recent[key] = found
            if len(self._recent) > RECENT_ROWS:
                self._recent.popitem(last=False)
        else:
            self._recent.move_to_end(key)
        return found

    def _usable(self, prints: Mapping[int, Template]) -> tuple[dict[int, Template], dict[int, str]]:
        if not isinstance(prints, Mapping):
            raise TemplateError(
                "prints", "type", "expected a mapping of finger position to Template"
            )
        usable: dict[int, Template] = {}
        reasons: dict[int, str] = {}
        for position, template in prints.items():
            _check_print(position, template)
            reason = unusable_reason(template, self.params)
            if reason is None:
                usable[position] = template
            else:
                reasons[position] = reason
        return usable, reasons

    def _parts(self) -> list[Part]:
        return [*self._segments, self._pending]

    def _locate(self, location: int) -> tuple[Part, int]:
        if location < 0:
            return self._pending, -location - 1
        return self._segments[location >> LOCATION_SHIFT], location & LOCATION_ROW_MASK

    def _forget(self, subject_id: int) -> None:
        part, row = self._locate(self._where.pop(subject_id))
        part.kill(row)

    def _deleted_pairs(self) -> npt.NDArray[np.int64]:
        pairs = [
            np.stack([np.full(len(dead), segment.number), dead], axis=1)
            for segment in self._segments
            if len(dead := np.flatnonzero(~segment.live))
        ]
        if not pairs:
            return np.zeros((0, 2), dtype=np.int64)
        return np.concatenate(pairs).astype(np.int64)

    def _attach(self, store: GalleryStore) -> None:
        """Map ``store``'s segments and rebuild the subject directory from them."""
        self._store = store
        self._recent.clear()
        self._pending = PendingRows()
        self._segments = [Segment(name, rows) for name, rows in store.segments]
        by_number = {segment.number: segment for segment in self._segments}
        for number, row in store.deleted.tolist():
            if number in by_number:
                by_number[number].live[row] = False
        self._where = {}
        for slot, segment in enumerate(self._segments):
            rows = np.flatnonzero(segment.live)
            subjects = np.asarray(segment.subjects[rows]).tolist()
            for subject_id, row in zip(subjects, rows.tolist(), strict=True):
                if subject_id in self._where:  # listed twice: the later segment wins
                    self._forget(subject_id)
                self._where[subject_id] = slot << LOCATION_SHIFT | row


RECENT_ROWS = 1_024  # stored rows whose features are kept: about 50 MB
COMPACTION_ROWS = 65_536  # rows copied at a time: bounded memory for any gallery
LOCATION_SHIFT = 40
LOCATION_ROW_MASK = (1 << LOCATION_SHIFT) - 1


def check_subject_id(subject_id: object) -> None:
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
