"""NIST's NBIS (mindtct, bozorth3) and NFIQ 2 through the public API of ``nbis-py``.

Only what the bindings export is used: ``new_nbis_extractor(settings)`` and the
extractor's ``extract_minutiae(image bytes)``, whose result gives the minutiae and, when
the settings ask for it, NFIQ 2's score and native quality measures
(``Minutiae.quality()``), or ``extract_minutiae_from_image_file(path)``, the same call
reading the image from a file. The generated bindings copy bytes into Rust one at a time
in Python (about 25 ms for an FVC 2002 DB2_B image as PNG, twice an image), while a path
is a few bytes: so each image is written as a BMP to a private file in memory
(:data:`HANDOVER_DIR`, a tmpfs; mode 0600, deleted as soon as the call returns) and the
file's path is handed over. The answers are the same to the last minutia and score
(``tests/biometrics/test_nbis.py``). Where no such directory is writable, the image is
handed over as PNG bytes at the fastest compression, so a fingerprint image never
touches a disk on its way to NBIS.

NFIQ 2 scores plain impressions: it refuses a print wider than 800 px or taller than
1,000 px once its near-white margin (grey 250 and up) is trimmed, its own limit (the
library reports it as ``Nfiq2ComputeFailed(2)``; its binary carries NFIQ 2's messages
"Width is too large after trimming whitespace ... maximum width is"). Measured: an FVC
print padded to 820 px wide or 1,020 px tall with grey 245 fails, padded to 790 or 990
passes, and padded with grey 252 to 1,200 x 1,200 passes (the margin is trimmed). A
rolled print on a 500 ppi card is wider than 800 px and a scanned card's background is
not white: that is why NFIQ 2 failed on six of the ten rolled prints of a real card. So
:func:`nfiq2` does not ask NFIQ 2 to score a print larger than that: it scores the print's
central 800 x 1,000 px and says so. Where NFIQ 2 fails on a print within its limit (or on
the central region), smaller central regions are tried; where none can be scored,
quality is "unavailable" with the reason and extraction goes on (a failing quality
algorithm never rejects a booking).

mindtct, bozorth3 and NFIQ 2 keep global state in C, so every native call holds
:data:`NATIVE_LOCK`; extraction in parallel needs processes.
"""

from __future__ import annotations

import io
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image

NATIVE_LOCK = threading.RLock()
_WHITE = 250  # grey level NFIQ 2 treats as margin when it crops
HANDOVER_DIR = Path("/dev/shm")  # memory-backed on Linux; images are never written to disk


class NativeCallError(Exception):
    """mindtct or NFIQ 2 could not process the image; ``detail`` says which and why."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(detail)


@dataclass(frozen=True)
class Nfiq2Quality:
    """NFIQ 2's unified score (0-100) and its native quality measures by name; ``region``
    says what was scored ("whole image", or the central region of a larger print)."""

    score: int
    features: dict[str, float]
    region: str = "whole image"


@dataclass(frozen=True)
class MindtctRun:
    """mindtct's minutiae (nbis ``Minutia`` objects) and, when asked for, NFIQ 2."""

    minutiae: list[Any]
    quality: Nfiq2Quality | None


def png(pixels: npt.NDArray[np.uint8]) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def extract_native(extractor: Any, pixels: npt.NDArray[np.uint8]) -> Any:
    """``extractor``'s nbis ``Minutiae`` of ``pixels``, the image handed over as a file in
    :data:`HANDOVER_DIR` where one can be written there, else as PNG bytes (see the
    module notes). The caller holds :data:`NATIVE_LOCK`."""
    try:
        handover = tempfile.NamedTemporaryFile(dir=HANDOVER_DIR, suffix=".bmp")  # noqa: SIM115
    except OSError:
        return extractor.extract_minutiae(png(pixels))
    with handover:
        try:
            Image.fromarray(pixels).save(handover, format="BMP")
            handover.flush()
        except OSError:  # e.g. the memory file system is full
            return extractor.extract_minutiae(png(pixels))
        return extractor.extract_minutiae_from_image_file(handover.name)


def run_mindtct(pixels: npt.NDArray[np.uint8], *, quality: bool = False) -> MindtctRun:
    """mindtct on ``pixels`` (500 ppi grey), with NFIQ 2 on the same image if ``quality``."""
    import nbis

    try:
        with NATIVE_LOCK:
            found = extract_native(mindtct_extractor(quality), pixels)
            minutiae = list(found.get())
            scored = found.quality() if quality else None
    except nbis.NbisError as error:
        raise NativeCallError(f"mindtct/NFIQ 2: {error!r}") from error
    return MindtctRun(minutiae, _quality_of(scored) if scored is not None else None)


def _quality_of(result: Any, region: str = "whole image") -> Nfiq2Quality:
    features = {value.name: float(value.value) for value in result.features}
    return Nfiq2Quality(int(result.score), features, region)


# NFIQ 2's largest print (width, height in px, after its near-white margin is trimmed).
NFIQ2_LARGEST = (800, 1000)
# Central regions tried, largest first, where NFIQ 2 cannot score the whole print.
CENTRAL_REGIONS = (NFIQ2_LARGEST, (640, 800), (512, 640))


def nfiq2(pixels: npt.NDArray[np.uint8]) -> tuple[MindtctRun, str | None]:
    """mindtct's minutiae of the image as captured and NFIQ 2's quality of it (one native
    call), and why quality is unavailable (None when NFIQ 2 scored it).

    Where the print is larger than NFIQ 2 scores, or NFIQ 2 fails on it, the largest
    central region it can score is scored (``quality.region`` says which); where none
    is, the minutiae come back with ``quality`` None and the reason."""
    bounds = _print_bounds(pixels)
    most_w, most_h = NFIQ2_LARGEST
    if bounds[2] <= most_w and bounds[3] <= most_h:
        try:
            return run_mindtct(pixels, quality=True), None
        except NativeCallError as error:
            failure = error.detail
    else:  # NFIQ 2 would refuse it: no failing call first
        failure = (
            f"the print is {bounds[2]}x{bounds[3]} px, NFIQ 2 scores {most_w}x{most_h} at most"
        )
    full = run_mindtct(pixels)  # mindtct alone may still read it; if not, this raises
    for width, height in CENTRAL_REGIONS:
        if bounds[2] <= width and bounds[3] <= height:
            continue  # no smaller than the print itself
        central = _central_region(pixels, bounds, width, height)
        try:
            scored = run_mindtct(central, quality=True).quality
        except NativeCallError:
            continue
        if scored is not None:
            region = f"central {central.shape[1]}x{central.shape[0]} px of a larger print"
            return MindtctRun(
                full.minutiae, Nfiq2Quality(scored.score, scored.features, region)
            ), None
    return MindtctRun(full.minutiae, None), f"NFIQ 2 could not score it: {failure}"


def _print_bounds(pixels: npt.NDArray[np.uint8]) -> tuple[int, int, int, int]:
    """(left, top, width, height) of what is not white margin."""
    inked = pixels < _WHITE
    rows, cols = np.flatnonzero(inked.any(axis=1)), np.flatnonzero(inked.any(axis=0))
    if rows.size == 0:
        return 0, 0, 0, 0
    return int(cols[0]), int(rows[0]), int(cols[-1] - cols[0] + 1), int(rows[-1] - rows[0] + 1)


def _central_region(
    pixels: npt.NDArray[np.uint8], bounds: tuple[int, int, int, int], most_w: int, most_h: int
) -> npt.NDArray[np.uint8]:
    left, top, width, height = bounds
    keep_w, keep_h = min(width, most_w), min(height, most_h)
    x0 = left + (width - keep_w) // 2
    y0 = top + (height - keep_h) // 2
    return np.ascontiguousarray(pixels[y0 : y0 + keep_h, x0 : x0 + keep_w])


_local = threading.local()  # native objects per thread: each holds C state


def mindtct_extractor(quality: bool = False) -> Any:
    """This thread's nbis extractor (also the loader of ISO templates for bozorth3)."""
    name = "with_quality" if quality else "minutiae_only"
    found = getattr(_local, name, None)
    if found is None:
        import nbis

        settings = nbis.NbisExtractorSettings(
            min_quality=0.0,
            get_center=False,
            check_fingerprint=False,  # SIVV costs ~230 ms; NFIQ 2's coherence does the job
            compute_nfiq2=quality,
            ppi=None,
        )
        found = nbis.new_nbis_extractor(settings)
        setattr(_local, name, found)
    return found
