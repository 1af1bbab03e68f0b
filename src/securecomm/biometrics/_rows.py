"""Gallery rows: subjects with their ten fingers' index codes and quantised minutiae.

One row is one enrolled subject. Rows are what a segment of the store on disk holds
(:mod:`._store`, memory-mapped when read back), what a gallery shard is built from and
what the synthetic population is generated as; minutiae are quantised as
``Template.to_bytes`` quantises them, so a template read back is the one enrolled.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from securecomm.biometrics._descriptors import Features, stored_features
from securecomm.biometrics._index import CODE_WORDS, POSITIONS
from securecomm.biometrics._params import MatchParameters
from securecomm.biometrics._template import Template, dequantised, quantised

MINUTIA = np.dtype([("x", "<u2"), ("y", "<u2"), ("t", "<u2"), ("kind", "u1"), ("rel", "u1")])
# A finger's minutiae sit at start: ``count`` of its first set, then ``second`` of its
# second set (0: none), so one gather reads both.
FINGER = np.dtype(
    [
        ("start", "<u8"),
        ("count", "<u2"),
        ("second", "<u2"),
        ("width", "<u2"),
        ("height", "<u2"),
        ("quality", "u1"),
    ]
)

# A finger's matcher features and its second set's (None without one).
FingerFeatures = tuple[Features, Features | None]


@dataclass(frozen=True)
class Rows:
    """Rows of a segment, in memory (being written) or memory-mapped (read back)."""

    subjects: npt.NDArray[np.int64]
    codes: npt.NDArray[np.uint64]
    fingers: npt.NDArray[np.uint16]
    finger_table: npt.NDArray[np.void]
    minutiae: npt.NDArray[np.void]

    def __len__(self) -> int:
        return len(self.subjects)

    def template(self, row: int, position: int) -> Template:
        entry = self.finger_table[row, position - 1]
        start, count, extra = int(entry["start"]), int(entry["count"]), int(entry["second"])
        minutiae = dequantised(self.minutiae[start : start + count])
        second = (
            dequantised(self.minutiae[start + count : start + count + extra]) if extra else None
        )
        size = (int(entry["width"]), int(entry["height"]))
        return Template(minutiae, *size, int(entry["quality"]), position, second)

    def prints(self, row: int) -> dict[int, Template]:
        return {p: self.template(row, p) for p in self.positions(row)}

    def positions(self, row: int) -> list[int]:
        mask = int(self.fingers[row])
        return [p for p in range(1, POSITIONS + 1) if mask >> (p - 1) & 1]

    def features(self, row: int, params: MatchParameters) -> dict[int, FingerFeatures]:
        """The matcher's features of the row's fingers and their second sets, as
        :meth:`prints` would give them, computed in one call from the stored minutiae."""
        positions = self.positions(row)
        starts: list[int] = []
        counts: list[int] = []
        for position in positions:
            entry = self.finger_table[row, position - 1]
            start, count, extra = int(entry["start"]), int(entry["count"]), int(entry["second"])
            starts += [start, start + count]
            counts += [count, extra]
        computed = stored_features(
            self.minutiae,
            np.array(starts, dtype=np.int64),
            np.array(counts, dtype=np.int64),
            params,
        )
        return {
            position: (computed[2 * k], computed[2 * k + 1] if counts[2 * k + 1] else None)
            for k, position in enumerate(positions)
        }


def subset(rows: Rows, selected: npt.NDArray[np.int64]) -> Rows:
    """Copy of the ``selected`` rows, their minutiae gathered and re-addressed."""
    table = np.array(rows.finger_table[selected])
    counts = (table["count"].astype(np.int64) + table["second"].astype(np.int64)).ravel()
    starts = table["start"].astype(np.int64).ravel()
    new_starts = np.cumsum(counts) - counts
    gather = np.repeat(starts - new_starts, counts) + np.arange(int(counts.sum()))
    table["start"] = new_starts.reshape(table.shape)
    return Rows(
        subjects=np.array(rows.subjects[selected]),
        codes=np.array(rows.codes[selected]),
        fingers=np.array(rows.fingers[selected]),
        finger_table=table,
        minutiae=np.array(rows.minutiae[gather]),
    )


def rows_from_prints(
    entries: Iterable[tuple[int, npt.NDArray[np.uint64], int, dict[int, Template]]],
) -> Rows:
    """Pack (subject, codes, finger mask, prints) entries into in-memory rows."""
    listed = list(entries)
    table = np.zeros((len(listed), POSITIONS), dtype=FINGER)
    chunks: list[npt.NDArray[np.void]] = []
    start = 0
    for row, (_, _, _, prints) in enumerate(listed):
        for position, template in prints.items():
            records = quantise(template.minutiae)
            second = quantise(template.second) if template.second is not None else records[:0]
            table[row, position - 1] = (
                start,
                len(records),
                len(second),
                template.width,
                template.height,
                template.quality,
            )
            chunks += [records, second]
            start += len(records) + len(second)
    return Rows(
        subjects=np.array([e[0] for e in listed], dtype=np.int64),
        codes=np.array([e[1] for e in listed], dtype=np.uint64).reshape(-1, POSITIONS, CODE_WORDS),
        fingers=np.array([e[2] for e in listed], dtype=np.uint16),
        finger_table=table,
        minutiae=np.concatenate(chunks) if chunks else np.zeros(0, dtype=MINUTIA),
    )


def quantise(minutiae: npt.NDArray[np.float32]) -> npt.NDArray[np.void]:
    """Minutiae as the store's records (Template.to_bytes's quantisation, little-endian)."""
    return quantised(minutiae, MINUTIA)
