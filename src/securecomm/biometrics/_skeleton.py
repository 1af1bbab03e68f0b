"""The ridge skeleton: Zhang-Suen thinning and the cleaning of its defects (Numba).

Steps 3 and 4 of :mod:`._minutiae`: the binarised ridges are thinned to one-pixel lines
(4-connected corners dropped, so that a line pixel has exactly two neighbours), then
spurs, fragments and short bridges between junctions are cut so that the ridge a defect
hung on stays a plain ridge and keeps its true minutiae. The neighbour tables (bit k =
neighbour k, clockwise from north) serve the crossing numbers of :mod:`._crossings`.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from numba import njit

from securecomm.biometrics._ridge_flow import FLOW_BINS, FLOW_BLOCK_PX

U8 = npt.NDArray[np.uint8]
I64 = npt.NDArray[np.int64]

SPUR_PX = 12  # about a ridge period: longer side branches are real bifurcations
SPUR_KEPT_PX = 6  # a longer spur running with the flow is a real branch
SPUR_ALIGNED = math.radians(30.0)
FRAGMENT_PX = 20
BRIDGE_PX = 3  # 5 or 12 also cut real bifurcations where two ridges merge

# The 8 neighbours, clockwise from north: (row, column) steps.
# The 8 neighbours, clockwise from north: (row, column) steps.
_DY = np.array([-1, -1, 0, 1, 1, 1, 0, -1], dtype=np.int64)
_DX = np.array([0, 1, 1, 1, 0, -1, -1, -1], dtype=np.int64)
FOUR_FIRST = np.array([0, 2, 4, 6, 1, 3, 5, 7], dtype=np.int64)  # edge neighbours first


def _neighbour_tables() -> tuple[U8, U8, U8, U8]:
    """Per 8-neighbour pattern (bit k = neighbour k): Zhang-Suen deletable in the first
    and second sub-iteration, 0-1 transitions round the ring (the crossing number), and
    whether the pixel is a redundant corner of a staircase."""
    first = np.zeros(256, np.uint8)
    second = np.zeros(256, np.uint8)
    crossings = np.zeros(256, np.uint8)
    corner = np.zeros(256, np.uint8)
    for code in range(256):
        p = [(code >> k) & 1 for k in range(8)]
        count = sum(p)
        transitions = sum(1 for k in range(8) if p[k] == 0 and p[(k + 1) % 8] == 1)
        n, e, s, w = p[0], p[2], p[4], p[6]
        thinnable = 2 <= count <= 6 and transitions == 1
        first[code] = thinnable and n * e * s == 0 and e * s * w == 0
        second[code] = thinnable and n * e * w == 0 and n * s * w == 0
        crossings[code] = transitions
        # two edge neighbours that touch each other diagonally make the pixel redundant
        # when they are all it joins (one 8-connected group of neighbours)
        joined = (n and e) or (e and s) or (s and w) or (w and n)
        corner[code] = count >= 2 and _groups(p) == 1 and bool(joined)
    return first, second, crossings, corner


def _groups(p: list[int]) -> int:
    """8-connected groups among the set neighbours ``p`` (ring order)."""
    seen = [False] * 8
    count = 0
    for k in range(8):
        if p[k] and not seen[k]:
            count += 1
            stack = [k]
            seen[k] = True
            while stack:
                j = stack.pop()
                for m in range(8):
                    near = max(abs(int(_DY[j] - _DY[m])), abs(int(_DX[j] - _DX[m]))) == 1
                    if p[m] and not seen[m] and near:
                        seen[m] = True
                        stack.append(m)
    return count


_THIN_FIRST, _THIN_SECOND, CROSSINGS, _CORNER = _neighbour_tables()


@njit(cache=True)
def neighbour_code(flat: U8, i: int, w: int) -> int:
    """8-neighbour pattern of flat pixel ``i`` (bit k = neighbour k, clockwise from N)."""
    return int(  # pixels hold 0 or 1
        np.int64(flat[i - w])
        | np.int64(flat[i - w + 1]) << 1
        | np.int64(flat[i + 1]) << 2
        | np.int64(flat[i + w + 1]) << 3
        | np.int64(flat[i + w]) << 4
        | np.int64(flat[i + w - 1]) << 5
        | np.int64(flat[i - 1]) << 6
        | np.int64(flat[i - w - 1]) << 7
    )


@njit(cache=True)
def thinned(ridges: U8) -> I64:
    """Zhang-Suen thinning in place; returns the flat indices of the skeleton pixels."""
    w = ridges.shape[1]
    flat = ridges.ravel()
    alive: I64 = np.flatnonzero(flat).astype(np.int64)
    doomed = np.empty(alive.size, np.int64)
    changed = True
    while changed:
        changed = False
        for table in (_THIN_FIRST, _THIN_SECOND):
            d = 0
            for i in alive:
                if table[neighbour_code(flat, i, w)]:
                    doomed[d] = i
                    d += 1
            for k in range(d):
                flat[doomed[k]] = 0
            if d > 0:
                changed = True
                kept = 0
                for i in alive:
                    if flat[i]:
                        alive[kept] = i
                        kept += 1
                alive = alive[:kept]
    return alive


@njit(cache=True)
def clean_skeleton(skeleton: U8, line: I64, bins: I64) -> None:
    """Staircase corners, spurs, fragments and short bridges out of the skeleton."""
    w = skeleton.shape[1]
    flat = skeleton.ravel()
    _drop_corners(flat, line, w)
    _prune(flat, line, w, bins)
    _drop_corners(flat, line, w)
    _cut_bridges(flat, line, w)
    _drop_corners(flat, line, w)
    _prune(flat, line, w, bins)


@njit(cache=True)
def _drop_corners(flat: U8, line: I64, w: int) -> None:
    for i in line:
        if flat[i] and _CORNER[neighbour_code(flat, i, w)]:
            flat[i] = 0


@njit(cache=True)
def _walk(flat: U8, w: int, path: I64, n: int, limit: int) -> tuple[int, int]:
    """Extend ``path`` (``n`` pixels so far) along the skeleton to at most ``limit``
    pixels, stopping before a junction. Returns the length and how the walk ended:
    1 before a junction, 0 at a line end, -1 still going."""
    offsets = (-w, -w + 1, 1, w + 1, w, w - 1, -1, -w - 1)
    while n < limit:
        i = path[n - 1]
        step = -1
        for k in FOUR_FIRST:  # edge neighbours first: the shorter way along
            q = i + offsets[k]
            if not flat[q]:
                continue
            seen = False
            for j in range(max(0, n - 4), n):
                seen = seen or path[j] == q
            if not seen:
                step = q
                break
        if step < 0:
            return n, 0
        if CROSSINGS[neighbour_code(flat, step, w)] >= 3:
            return n, 1
        path[n] = step
        n += 1
    return n, -1


@njit(cache=True)
def _prune(flat: U8, line: I64, w: int, bins: I64) -> None:
    """Delete spurs and short fragments, walking in from their free ends. A spur
    longer than SPUR_KEPT_PX that runs with the ridge flow is a real branch: kept."""
    longest = max(SPUR_PX, FRAGMENT_PX)
    path = np.empty(longest + 1, np.int64)
    for i in line:
        if not flat[i] or CROSSINGS[neighbour_code(flat, i, w)] > 1:
            continue
        path[0] = i
        n, end = _walk(flat, w, path, 1, longest)
        spur = end == 1 and n <= SPUR_PX
        if spur and n > SPUR_KEPT_PX and _along_flow(path[0], path[n - 1], w, bins):
            continue
        if spur or (end == 0 and n <= FRAGMENT_PX):
            for k in range(n):
                flat[path[k]] = 0


@njit(cache=True)
def _along_flow(a: int, b: int, w: int, bins: I64) -> bool:
    """Whether the segment from pixel a to pixel b runs with the ridge flow at b."""
    dy = b // w - a // w
    dx = b % w - a % w
    flow: float = bins[(b // w) // FLOW_BLOCK_PX, (b % w) // FLOW_BLOCK_PX] * math.pi / FLOW_BINS
    gap = abs((math.atan2(dy, dx) - flow + 0.5 * math.pi) % math.pi - 0.5 * math.pi)  # mod pi
    return gap < SPUR_ALIGNED


@njit(cache=True)
def _cut_bridges(flat: U8, line: I64, w: int) -> None:
    """Delete paths of at most BRIDGE_PX pixels that join two junctions."""
    offsets = (-w, -w + 1, 1, w + 1, w, w - 1, -1, -w - 1)
    path = np.empty(BRIDGE_PX + 2, np.int64)
    for i in line:
        if not flat[i] or CROSSINGS[neighbour_code(flat, i, w)] < 3:
            continue
        for d in offsets:
            q = i + d
            if not flat[i] or not flat[q] or CROSSINGS[neighbour_code(flat, q, w)] >= 3:
                continue
            path[0] = i
            path[1] = q
            n, end = _walk(flat, w, path, 2, BRIDGE_PX + 1)
            if end == 1:
                for k in range(1, n):
                    flat[path[k]] = 0
