"""First search stage: one fixed-length vector per finger, scanned for the whole gallery.

Each finger's vector is the square-rooted, unit-length sum of its minutiae's local
evidence (see :mod:`._match`): a histogram of where neighbours sit, and how they point,
in each minutia's own frame, so it ignores rotation and translation. A subject's ten
vectors form one row; the probe's ten vectors (zeros for fingers it lacks) are dotted
with every row in one matrix-vector product, giving the sum of per-finger cosines.

Rows live in one array that grows geometrically; a removed subject's row is zeroed and
reused, so enrolment and removal never rebuild the index.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

POSITIONS = 10
INITIAL_ROWS = 64


class FingerIndex:
    def __init__(self, dims: int) -> None:
        self._dims = dims
        self._vectors = np.zeros((INITIAL_ROWS, POSITIONS, dims), dtype=np.float32)
        self._subject_at = np.full(INITIAL_ROWS, -1, dtype=np.int64)
        self._row_of: dict[int, int] = {}
        self._free: list[int] = []
        self._high_water = 0  # rows below this have been used at least once

    def __len__(self) -> int:
        return len(self._row_of)

    @property
    def nbytes(self) -> int:
        return int(self._vectors.nbytes + self._subject_at.nbytes)

    def put(self, subject_id: int, vectors: npt.NDArray[np.float32]) -> None:
        """Store ``vectors`` (10, dims): row ``position - 1``, zeros where no finger."""
        row = self._row_of.get(subject_id)
        if row is None:
            row = self._free.pop() if self._free else self._next_row()
            self._row_of[subject_id] = row
            self._subject_at[row] = subject_id
        self._vectors[row] = vectors

    def drop(self, subject_id: int) -> None:
        row = self._row_of.pop(subject_id)
        self._vectors[row] = 0.0
        self._subject_at[row] = -1
        self._free.append(row)

    def shortlist(self, probe: npt.NDArray[np.float32], size: int) -> list[tuple[int, float]]:
        """The ``size`` subjects most similar to ``probe`` (10, dims), best first."""
        if not self._row_of:
            return []
        rows = self._high_water
        flat = self._vectors[:rows].reshape(rows, POSITIONS * self._dims)
        scores = flat @ probe.reshape(-1)
        scores[self._subject_at[:rows] < 0] = -np.inf
        size = min(size, len(self._row_of))
        top = np.argpartition(-scores, size - 1)[:size]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(self._subject_at[r]), float(scores[r])) for r in top]

    def _next_row(self) -> int:
        if self._high_water == len(self._subject_at):
            self._grow()
        row = self._high_water
        self._high_water += 1
        return row

    def _grow(self) -> None:
        capacity = 2 * len(self._subject_at)
        vectors = np.zeros((capacity, POSITIONS, self._dims), dtype=np.float32)
        vectors[: len(self._vectors)] = self._vectors
        subjects = np.full(capacity, -1, dtype=np.int64)
        subjects[: len(self._subject_at)] = self._subject_at
        self._vectors, self._subject_at = vectors, subjects
