"""The matchers the engine is measured against, on the same pairs in the same run.

* **NIST's pipeline as its users run it**: mindtct on the image as captured, bozorth3 on
  mindtct's minutiae (``nbis-py``'s public calls). This is the baseline every figure
  stands beside.
* **bozorth3 on our minutiae**: the same minutiae our matcher sees, NIST's matcher; a
  diagnosis of where the difference comes from (extraction or matching), not a baseline.
"""

from __future__ import annotations

import io
import math
import struct
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from PIL import Image, UnidentifiedImageError

from securecomm.biometrics._nbis import (
    NATIVE_LOCK,
    NativeCallError,
    extract_native,
    mindtct_extractor,
)
from securecomm.biometrics._template import DIRECTION, KIND, RELIABILITY, Template, X, Y

FAILED_SCORE = -math.inf  # what a comparison with a failed extraction scores
Scorer = Callable[[int, int], float]


def nist_minutiae(image: bytes) -> Any | None:
    """mindtct's minutiae of an image file as captured (no resampling, no filtering), as
    nbis ``Minutiae`` bozorth3 compares; None when mindtct cannot read it."""
    import nbis

    try:
        pixels = np.asarray(Image.open(io.BytesIO(image)).convert("L"))
        with NATIVE_LOCK:
            return extract_native(mindtct_extractor(), pixels)
    except (UnidentifiedImageError, OSError, NativeCallError, nbis.NbisError):
        return None


def bozorth3_scorer(loaded: Sequence[Any | None]) -> Scorer:
    """bozorth3 scores between nbis ``Minutiae`` (a missing one scores as failed)."""

    def score(i: int, j: int) -> float:
        a, b = loaded[i], loaded[j]
        if a is None or b is None:
            return FAILED_SCORE
        with NATIVE_LOCK:  # bozorth3 keeps its state in C globals
            return float(a.compare(b))

    return score


def to_nbis_minutiae(template: Template) -> Any:
    """The template's minutiae as NBIS (bozorth3) minutiae, through the ISO 19794-2
    record layout that ``nbis-py`` reads (its own writer's 26-byte header)."""
    m = template.minutiae
    body = bytearray()
    for row in m:
        # back to mindtct's convention: degrees counter-clockwise on screen, 256 steps
        angle = round((-float(row[DIRECTION])) % (2 * math.pi) / (2 * math.pi) * 256) % 256
        kind = 1 if row[KIND] == 0 else 2  # ISO: 01 ridge ending, 10 bifurcation
        body += struct.pack(
            ">HHBB",
            (kind << 14) | int(row[X]),
            int(row[Y]),
            angle,
            round(float(row[RELIABILITY]) * 63),
        )
    header = b"FMR\x00 20\x00" + struct.pack(
        ">IHHHHHBBBB", 26 + len(body), 0, template.width, template.height, 0, 0, 0, 0, 0, len(m)
    )
    return mindtct_extractor().load_iso_19794_2_2005(header + bytes(body))
