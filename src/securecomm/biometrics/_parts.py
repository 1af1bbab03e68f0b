"""Where a gallery's rows live: mapped segments of its store, and the rows enrolled
since the last save (in memory)."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from securecomm.biometrics._index import CODE_WORDS, POSITIONS
from securecomm.biometrics._rows import Rows, rows_from_prints
from securecomm.biometrics._store import segment_number
from securecomm.biometrics._template import Template

INITIAL_ROWS = 64


class Segment:
    """A mapped, immutable segment plus the in-memory flags of its removed rows."""

    def __init__(self, name: str, rows: Rows) -> None:
        self.name = name
        self.number = segment_number(name)
        self.rows = rows
        self.subjects = rows.subjects
        self.live = np.ones(len(rows), dtype=np.bool_)

    @property
    def row_count(self) -> int:
        return len(self.rows)

    @property
    def codes_view(self) -> npt.NDArray[np.uint64]:
        return self.rows.codes

    @property
    def fingers_view(self) -> npt.NDArray[np.uint16]:
        return self.rows.fingers

    @property
    def live_view(self) -> npt.NDArray[np.bool_]:
        return self.live

    @property
    def index_nbytes(self) -> int:
        return int(self.rows.codes.nbytes + self.rows.fingers.nbytes + self.live.nbytes)

    def prints(self, row: int) -> dict[int, Template]:
        return self.rows.prints(row)

    def kill(self, row: int) -> None:
        self.live[row] = False


class PendingRows:
    """Rows enrolled since the last save: growable arrays, templates kept as objects
    (with their cached matcher features); a removed row's slot is reused."""

    def __init__(self) -> None:
        self.codes = np.zeros((INITIAL_ROWS, POSITIONS, CODE_WORDS), dtype=np.uint64)
        self.fingers = np.zeros(INITIAL_ROWS, dtype=np.uint16)
        self.subjects = np.full(INITIAL_ROWS, -1, dtype=np.int64)
        self.live = np.zeros(INITIAL_ROWS, dtype=np.bool_)
        self.templates: list[dict[int, Template]] = []
        self._free: list[int] = []

    @property
    def row_count(self) -> int:
        return len(self.templates)

    @property
    def codes_view(self) -> npt.NDArray[np.uint64]:
        return self.codes[: self.row_count]

    @property
    def fingers_view(self) -> npt.NDArray[np.uint16]:
        return self.fingers[: self.row_count]

    @property
    def live_view(self) -> npt.NDArray[np.bool_]:
        return self.live[: self.row_count]

    @property
    def index_nbytes(self) -> int:
        return int(self.codes.nbytes + self.fingers.nbytes + self.live.nbytes)

    def add(
        self, subject_id: int, codes: npt.NDArray[np.uint64], mask: int, prints: dict[int, Template]
    ) -> int:
        if self._free:
            row = self._free.pop()
            self.templates[row] = prints
        else:
            row = len(self.templates)
            if row == len(self.subjects):
                self._grow()
            self.templates.append(prints)
        self.codes[row] = codes
        self.fingers[row] = mask
        self.subjects[row] = subject_id
        self.live[row] = True
        return row

    def kill(self, row: int) -> None:
        self.live[row] = False
        self.fingers[row] = 0
        self.templates[row] = {}
        self._free.append(row)

    def prints(self, row: int) -> dict[int, Template]:
        return self.templates[row]

    def live_rows(self) -> npt.NDArray[np.int64]:
        return np.flatnonzero(self.live_view).astype(np.int64)

    def rows(self, selected: npt.NDArray[np.int64]) -> Rows:
        return rows_from_prints(
            (int(self.subjects[r]), self.codes[r], int(self.fingers[r]), self.templates[r])
            for r in selected.tolist()
        )

    def _grow(self) -> None:
        capacity = 2 * len(self.subjects)
        self.codes = _grown(self.codes, capacity, 0)
        self.fingers = _grown(self.fingers, capacity, 0)
        self.subjects = _grown(self.subjects, capacity, -1)
        self.live = _grown(self.live, capacity, False)


Part = Segment | PendingRows


def _grown(array: npt.NDArray[Any], capacity: int, fill: object) -> npt.NDArray[Any]:
    grown = np.full((capacity, *array.shape[1:]), fill, dtype=array.dtype)
    grown[: len(array)] = array
    return grown
