"""Minutiae of a Gabor-filtered fingerprint image: skeleton and crossing numbers (Numba).

Takes :class:`Enhanced` (ridges dark, valleys bright, background white) and returns the
minutiae in :class:`Template` columns, before the extractor's reliability, edge and
foreground margins. The steps:

1. **Ridge flow.** Gradient moments summed over 4 x 4 blocks and box-smoothed twice
   (about 20 px) give the ridge orientation and its coherence per block.
2. **Binarisation along the flow.** A foreground pixel is ridge when the grey averaged
   over 15 px along its block's orientation is below mid-grey. The filtered image still
   carries 60 % of the original (pores, scratches, gaps): thresholded pixel by pixel it
   broke ridges everywhere (EER over 10 %); averaging along the ridge closes the gaps
   without merging neighbouring ridges. Valley specks under 20 px (pores) are filled.
3. **Skeleton.** Zhang-Suen thinning (Guo-Hall did no better), then the pixels of
   4-connected corners are dropped so that a line pixel has exactly two neighbours.
4. **Cleaning the skeleton itself**, so that the ridge a defect hung on stays a plain
   ridge and keeps its true minutiae: spurs (an end reaching a junction within 12 px)
   are cut unless longer than 6 px and within 30 degrees of the ridge flow (a real
   branch: cutting those cost a third of the DB1_B EER), fragments (an end reaching
   another within 20 px) go, and so do bridges of at most 3 px between two junctions.
5. **Minutiae.** Crossing number (0-1 transitions round the 8 neighbours): 1 is a ridge
   ending, 3 or more a junction; touching junction pixels form one bifurcation at
   their centre, kept only with exactly three branches. Transitions, not 8-connected
   neighbour groups: a junction drawn as a 3-pixel triangle has no pixel with three
   groups, and missing those lost a quarter of the bifurcations (EER 5 % instead of 1 %).
6. **Directions** follow mindtct's, as :mod:`._extract` converts them: a ridge ending
   points from the ending into its ridge, a bifurcation into its fork (the bisector of
   the two branches closest in angle), each branch traced 12 px along the skeleton.
   The two agree when a ridge ending touches its neighbour and becomes a bifurcation in
   another impression. Of the minutiae both extractors find (within 6 px, same kind)
   94-96 % lie within 20 degrees of mindtct's, under 1 % are reversed.
7. **Broken ridges.** Two ridge endings within 20 px, each pointing out towards the
   other (within 50 degrees), are one ridge with a gap: both are dropped.
8. **Reliability** is the coherence of the ridge flow at the minutia times the contrast
   of the filtered image around it (mean distance from mid-grey over 25 x 25 px,
   doubled, at most 1): near 1 in clear parallel flow, lower in smudges and at cores.
   Every cut tried on it (0.2-0.4, on either factor alone, relative to the print's
   median) raised the EER: this matcher loses more by missing minutiae than by extra
   ones, so the extractor's cut at 0.1 drops almost nothing.

Measured on FVC 2002 DB1_B / DB2_B (FVC protocol, all 2,880 impostor pairs, the
extractor's margins applied), with mindtct on the same filtered images in brackets:
EER 0.72 % / 1.43 % (1.07 % / 1.02 %), FMR1000 1.79 % / 3.57 % (1.79 % / 2.86 %),
bozorth3 on the same minutiae 6.6 % / 3.1 % (6.7 % / 3.5 %). One genuine pair is
0.36 % of EER, so each figure is also averaged over the images as captured, mirrored,
flipped and transposed (``benchmarks/bench_fvc_transforms.py``): ours 0.81 % / 1.69 %,
mindtct's 1.92 % / 1.24 %. About 40 / 51 minutiae per print kept (mindtct 37 / 47),
86-88 % of mindtct's among them. 3.5-4.5 ms per image on one core after the JIT warm-up
(mindtct: 18-21 ms); docs/benchmarks.md has the commands.

The steps live by noun: the ridge flow in :mod:`._ridge_flow`, the skeleton and its
cleaning in :mod:`._skeleton`, the minutiae on it in :mod:`._crossings`; binarisation
is here. Numba caches each kernel beside its own file and does not notice edits to the
kernels it calls in the others: ``make clean-jit`` after editing one.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from numba import njit

from securecomm.biometrics._crossings import broken_ridge_ends, contrast_at, minutiae_on
from securecomm.biometrics._enhance import Enhanced
from securecomm.biometrics._ridge_flow import FLOW_BINS, FLOW_BLOCK_PX, ridge_flow
from securecomm.biometrics._skeleton import clean_skeleton, thinned

U8 = npt.NDArray[np.uint8]
I64 = npt.NDArray[np.int64]
BOOL = npt.NDArray[np.bool_]

# Half-length of the averaging line: 4 gave EER 9 % on DB1_B, 7 gave 1 %, 9 no better
# and blurs the cores.
LINE_HALF_PX = 7
PORE_PX = 20  # valley specks smaller than this are pores inside a ridge


def find_minutiae(enhanced: Enhanced) -> npt.NDArray[np.float32]:
    """Minutiae of ``enhanced`` as float32 (n, 5) rows: x, y, direction, kind (0 ridge
    ending, 1 bifurcation), reliability; see the module notes."""
    pixels = np.ascontiguousarray(enhanced.pixels, dtype=np.uint8)
    foreground = np.ascontiguousarray(enhanced.foreground, dtype=np.bool_)
    height, width = pixels.shape
    if min(height, width) < 2 * LINE_HALF_PX:
        return np.empty((0, 5), np.float32)
    bins, coherence = ridge_flow(pixels)
    skeleton = _binarised(pixels, foreground, bins)
    _fill_pores(skeleton, foreground)
    line = thinned(skeleton)
    clean_skeleton(skeleton, line, bins)
    ys, xs, kinds, directions = minutiae_on(skeleton, line)
    keep = ~broken_ridge_ends(ys, xs, kinds, directions)
    ys, xs, kinds, directions = ys[keep], xs[keep], kinds[keep], directions[keep]
    reliability = coherence[ys // FLOW_BLOCK_PX, xs // FLOW_BLOCK_PX] * contrast_at(pixels, ys, xs)
    rows = np.empty((ys.size, 5), np.float32)
    rows[:, 0] = xs
    rows[:, 1] = ys
    rows[:, 2] = np.mod(directions, 2.0 * math.pi)
    rows[:, 2] = np.where(rows[:, 2] >= 2.0 * math.pi, 0.0, rows[:, 2])  # float32 rounding
    rows[:, 3] = kinds
    rows[:, 4] = np.clip(reliability, 0.0, 1.0)
    return rows


@njit(cache=True)
def _binarised(pixels: U8, foreground: BOOL, bins: I64) -> U8:
    """1 on ridge pixels: grey averaged along the ridge flow below mid-grey. The image
    frame stays 0, so every set pixel has all 8 neighbours inside the image."""
    h, w = pixels.shape
    n = 2 * LINE_HALF_PX + 1
    offsets = np.zeros((FLOW_BINS, n), np.int64)
    steps = np.zeros((FLOW_BINS, n, 2), np.int64)
    for o in range(FLOW_BINS):
        angle = o * math.pi / FLOW_BINS
        for k in range(n):
            dy = round((k - LINE_HALF_PX) * math.sin(angle))
            dx = round((k - LINE_HALF_PX) * math.cos(angle))
            steps[o, k, 0] = dy
            steps[o, k, 1] = dx
            offsets[o, k] = dy * w + dx
    flat = pixels.ravel()
    out = np.zeros((h, w), np.uint8)
    m = LINE_HALF_PX
    for y in range(1, h - 1):
        for x in range(1, w - 1):
            if not foreground[y, x]:
                continue
            o = bins[y // FLOW_BLOCK_PX, x // FLOW_BLOCK_PX]
            i = y * w + x
            total = np.int64(0)
            if m <= y < h - m and m <= x < w - m:
                for k in range(n):
                    total += flat[i + offsets[o, k]]
                dark = 2 * total < 255 * n  # below mid-grey, in integers
            else:  # near the image edge: average what lies inside
                count = 0
                for k in range(n):
                    yy = y + steps[o, k, 0]
                    xx = x + steps[o, k, 1]
                    if 0 <= yy < h and 0 <= xx < w:
                        total += pixels[yy, xx]
                        count += 1
                dark = 2 * total < 255 * count
            if dark:
                out[y, x] = 1
    return out


@njit(cache=True)
def _fill_pores(ridges: U8, foreground: BOOL) -> None:
    """Set 4-connected valley components of fewer than PORE_PX pixels. A flood stops as
    soon as it is known to be large (PORE_PX pixels, or it meets an earlier large one),
    so the whole image costs one visit per valley pixel. The background is one large
    valley."""
    h, w = ridges.shape
    flat = ridges.ravel()
    inside = foreground.ravel()
    owner = np.full(h * w, -1, np.int32)  # flood that reached a valley pixel
    stack = np.empty(PORE_PX + 4 * PORE_PX, np.int64)
    members = np.empty(PORE_PX, np.int64)
    edge = (-w, 1, w, -1)
    flood = 0
    for start in range(w + 1, (h - 1) * w - 1):
        if flat[start] or owner[start] >= 0 or not inside[start]:
            continue
        flood += 1
        owner[start] = flood
        stack[0] = start
        top = 1
        count = 0
        large = False
        while top > 0 and not large:
            top -= 1
            i = stack[top]
            y = i // w
            x = i - y * w
            frame = y == 0 or x == 0 or y == h - 1 or x == w - 1
            if frame or not inside[i] or count == PORE_PX:
                large = True
                break
            members[count] = i
            count += 1
            for d in edge:
                j = i + d
                if flat[j]:
                    continue
                if owner[j] < 0:
                    owner[j] = flood
                    stack[top] = j
                    top += 1
                elif owner[j] != flood:
                    large = True  # met a flood that was cut short: part of a large valley
        if not large:
            for k in range(count):
                flat[members[k]] = 1
