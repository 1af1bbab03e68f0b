"""Fingerprint image in, minutiae template out.

NIST's NFIQ 2 (quality) and mindtct (minutiae) do the image work, through the
``nbis-py`` bindings (:mod:`._nbis`); this module decodes what callers hand in
(arrays, Pillow images, PNG/TIFF/JPEG 2000/WSQ bytes), refuses what is not a usable
fingerprint with a typed :class:`ImageError`, and then:

* measures NFIQ 2 quality on the image as captured (quality describes the sample, so
  it is never measured on a processed one), through the public call that runs it with
  mindtct (:mod:`._nbis`); a print larger than NFIQ 2 accepts is scored on its central
  region, and where NFIQ 2 cannot score it the quality is "unavailable" with the reason
  and estimated from the minutiae instead: a failing quality algorithm never rejects a
  booking (:attr:`Template.quality_note` says which);
* filters the image with contextual Gabor kernels (:mod:`._enhance`), which restores
  the ridges of faint, dark and smudged areas where minutiae on the raw image are
  missed or invented (mindtct on FVC 2002 DB1_B: EER 2.85 % raw, 1.07 % filtered;
  DB2_B: 0.72 %, 1.02 %);
* finds the minutiae of the filtered image with mindtct (the default) and with our
  skeleton finder (:mod:`._minutiae`, a few milliseconds), which the template carries
  as its second set (the matcher checks an alignment against it), or with the skeleton
  finder alone; converts them to :class:`Template` columns and drops those that hurt
  matching more than they help:
  the lowest-reliability ones, those within a few pixels of the image edge, and those
  near the edge of the filtered foreground, where a ridge cut by the boundary looks
  like a ridge ending.

Each image costs one NFIQ 2 run (with mindtct on the raw image, as the public bindings
bundle them), the filtering and the minutiae finders; ``benchmarks/bench_extract.py``
measures each part.

Directions: mindtct measures angles counter-clockwise on screen (y axis up), while
templates store the direction whose unit vector in image coordinates (y down) is
``(cos t, sin t)``, so ``t = -angle``; only then do positions and directions rotate
together, as the matcher's alignment assumes.
"""

from __future__ import annotations

import io
import math
import warnings
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import wsq  # noqa: F401  (registers the WSQ codec with Pillow)
from PIL import Image, UnidentifiedImageError

from securecomm.biometrics._compare import DEFAULT_PARAMETERS
from securecomm.biometrics._enhance import Enhanced, enhance
from securecomm.biometrics._errors import TemplateError
from securecomm.biometrics._minutiae import find_minutiae
from securecomm.biometrics._nbis import MindtctRun, NativeCallError, nfiq2, run_mindtct
from securecomm.biometrics._quality import (
    estimate_quality,
    is_fingerprint_like,
)
from securecomm.biometrics._template import MAX_SIDE_PX, Template

TEMPLATE_PPI = 500
MIN_SIDE_PX = 96  # about 5 mm: smaller holds too few minutiae to identify anyone
MIN_CONTRAST = 8.0  # grey-level standard deviation below which an image is blank
# mindtct gives reliability 0.05-0.1 to minutiae in blocks it already doubts; on raw
# images dropping them lowered the EER on FVC 2002 DB2_B from 1.8 % to 1.1 %, while
# higher cuts (0.15, 0.2) lost real minutiae. On filtered images 0.05-0.15 score alike.
# The skeleton finder's reliability (coherence x contrast) is rarely this low: every
# higher cut tried on it raised the EER.
MIN_RELIABILITY = 0.1
EDGE_MARGIN_PX = 10  # minutiae this close to the image edge are cut ridges, not minutiae
FOREGROUND_MARGIN_PX = 14  # nor those this close to the filtered foreground's boundary
# Without NFIQ 2's coherence (quality unavailable, or reported by the sender), a print
# must at least fill this share of the image with ridge contrast.
MIN_FOREGROUND_SHARE = 0.1
# A sender's NFIQ 2 score is taken as it is when it makes the print usable; a lower one is
# measured again here, so a claimed score alone never keeps a finger out of the search.
REPORTED_QUALITY_FLOOR = DEFAULT_PARAMETERS.min_quality
REPORTED_NOTE = "NFIQ 2 as the submission reported it (14.024 FQM)"
UNAVAILABLE_NOTE = "quality unavailable"

MinutiaeMethod = Literal["mindtct", "skeleton"]
MINUTIAE_METHODS: tuple[MinutiaeMethod, ...] = ("mindtct", "skeleton")
ImageInput = npt.NDArray[np.uint8] | Image.Image | bytes | bytearray | memoryview


class ImageError(TemplateError):
    """A fingerprint image that cannot give a template: names the finger and the reason."""

    def __init__(self, finger_position: int, reason: str, detail: str = "") -> None:
        self.finger_position = finger_position
        self.reason = reason
        message = f"finger {finger_position}: {reason}" + (f" ({detail})" if detail else "")
        super().__init__(f"prints[{finger_position}].image", reason.replace(" ", "_"), message)


def extract(
    image: ImageInput,
    *,
    finger_position: int = 0,
    ppi: int = TEMPLATE_PPI,
    minutiae: MinutiaeMethod = "mindtct",
    reported_quality: int | None = None,
) -> Template:
    """Minutiae and NFIQ 2 quality of one fingerprint image.

    ``image`` is a 2-D uint8 array, a Pillow image or encoded bytes (PNG, TIFF, JPEG 2000,
    WSQ, or anything else Pillow reads); ``ppi`` its resolution, resampled to 500 ppi.
    ``minutiae`` names the finder run on the filtered image: "mindtct" (NIST's; the
    template also carries the skeleton finder's minutiae as its ``second`` set), or
    "skeleton" (ours, :mod:`._minutiae`, alone: faster; better on FVC 2002 DB1_B, worse
    on the others). A gallery should hold templates of one finder only.
    Raises :class:`ImageError` with reason "unreadable", "too small", "blank",
    "not a fingerprint". A low NFIQ 2 score refuses nothing: the score travels with the
    template, and what is searched with it is the gallery's decision (FVC 2004 DB2_B's
    prints scoring 1-4 still match their mates). ``reported_quality``: the NFIQ 2 score
    the sender measured (a Type-14 record's FQM); at or above the gallery's minimum it
    is kept and NFIQ 2 is not run again (about two thirds of the time of extraction).
    """
    if isinstance(finger_position, bool) or finger_position not in range(11):
        raise TemplateError("finger_position", "range", f"{finger_position!r} is outside 0..10")
    if minutiae not in MINUTIAE_METHODS:
        raise TemplateError("minutiae", "choice", f"{minutiae!r} is not one of {MINUTIAE_METHODS}")
    if isinstance(ppi, bool) or not isinstance(ppi, int) or not 100 <= ppi <= 2000:
        raise ImageError(finger_position, "unreadable", f"ppi {ppi!r} is outside 100..2000")
    pixels = _resampled(_decoded(image, finger_position), ppi)
    _check_usable_pixels(pixels, finger_position)
    trusted = _trusted(reported_quality)
    quality, unavailable = None, None
    if trusted is None:
        captured, unavailable = _quality(pixels, finger_position)
        quality = captured.quality
    if quality is not None and not is_fingerprint_like(quality.features):
        raise ImageError(finger_position, "not a fingerprint", "no coherent ridge flow")
    enhanced = enhance(pixels)
    if quality is None and enhanced.foreground.mean() < MIN_FOREGROUND_SHARE:
        raise ImageError(finger_position, "not a fingerprint", "too little ridge area")
    skeleton = _cut(find_minutiae(enhanced), pixels, enhanced)
    if minutiae == "skeleton":
        kept, second = skeleton, None
    else:
        kept = _cut(_mindtct_minutiae(enhanced.pixels, finger_position), pixels, enhanced)
        second = skeleton
    height, width = pixels.shape
    if trusted is not None:
        score, note = trusted, REPORTED_NOTE
    elif quality is None:
        score = estimate_quality(kept)
        note = f"{UNAVAILABLE_NOTE}: {unavailable}; estimated from the minutiae"
    else:
        score = quality.score
        note = "" if quality.region == "whole image" else f"NFIQ 2 on the {quality.region}"
    return Template(kept, width, height, score, finger_position, second, quality_note=note)


def _cut(
    rows: npt.NDArray[np.float32], pixels: npt.NDArray[np.uint8], enhanced: Enhanced
) -> npt.NDArray[np.float32]:
    """``rows`` without the minutiae that hurt matching more than they help."""
    kept = _kept_minutiae(rows, pixels)
    return np.ascontiguousarray(kept[enhanced.deep_inside(kept, FOREGROUND_MARGIN_PX)])


def _trusted(reported_quality: int | None) -> int | None:
    """The sender's score where it is kept as it is (see REPORTED_QUALITY_FLOOR)."""
    if reported_quality is None or not REPORTED_QUALITY_FLOOR <= reported_quality <= 100:
        return None
    return reported_quality


def quality_is_nfiq2(template: Template) -> bool:
    """Whether ``template.quality`` is an NFIQ 2 score (measured here or by the sender),
    not an estimate from the minutiae. Known only for a template just extracted: the
    note does not travel in the template's bytes."""
    return not template.quality_note.startswith(UNAVAILABLE_NOTE)


def _decoded(image: object, finger_position: int) -> npt.NDArray[np.uint8]:
    """8-bit grey pixels of whatever was given, or an "unreadable" ImageError."""
    if isinstance(image, np.ndarray):
        return _grey_array(image, finger_position)
    if isinstance(image, Image.Image):
        return _grey_array(_pil_to_array(image, finger_position), finger_position)
    if isinstance(image, bytes | bytearray | memoryview):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # e.g. DecompressionBombWarning: refused below
                opened = Image.open(io.BytesIO(bytes(image)))
                opened.load()
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
            raise ImageError(finger_position, "unreadable", str(error) or "corrupt") from error
        return _grey_array(_pil_to_array(opened, finger_position), finger_position)
    raise ImageError(
        finger_position, "unreadable", f"expected an array, image or bytes, got {type(image)}"
    )


def _pil_to_array(image: Image.Image, finger_position: int) -> npt.NDArray[Any]:
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        wide = np.asarray(image, dtype=np.float64)
        top = float(wide.max()) if wide.size else 0.0
        return (wide * (255.0 / top)).astype(np.uint8) if top > 0 else wide.astype(np.uint8)
    try:
        return np.asarray(image.convert("L"))
    except (OSError, ValueError) as error:
        raise ImageError(finger_position, "unreadable", str(error)) from error


def _grey_array(array: npt.NDArray[Any], finger_position: int) -> npt.NDArray[np.uint8]:
    if array.ndim != 2:
        raise ImageError(finger_position, "unreadable", f"expected 2-D grey, got {array.shape}")
    if array.dtype != np.uint8:
        raise ImageError(finger_position, "unreadable", f"expected uint8, got {array.dtype}")
    return np.ascontiguousarray(array)


def _resampled(pixels: npt.NDArray[np.uint8], ppi: int) -> npt.NDArray[np.uint8]:
    if ppi == TEMPLATE_PPI or min(pixels.shape) == 0:
        return pixels
    scale = TEMPLATE_PPI / ppi
    height, width = pixels.shape
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return np.asarray(Image.fromarray(pixels).resize(size, Image.Resampling.BICUBIC))


def _check_usable_pixels(pixels: npt.NDArray[np.uint8], finger_position: int) -> None:
    height, width = pixels.shape
    if min(height, width) < MIN_SIDE_PX:
        raise ImageError(
            finger_position,
            "too small",
            f"{width}x{height} px at 500 ppi, each side needs at least {MIN_SIDE_PX}",
        )
    if max(height, width) > MAX_SIDE_PX:
        raise ImageError(
            finger_position, "unreadable", f"{width}x{height} px exceeds {MAX_SIDE_PX} px a side"
        )
    if float(pixels.std()) < MIN_CONTRAST:
        raise ImageError(finger_position, "blank", "no contrast between ridges and valleys")


def _quality(pixels: npt.NDArray[np.uint8], finger_position: int) -> tuple[MindtctRun, str | None]:
    """NFIQ 2 of the image as captured, with mindtct's minutiae of it (one native call);
    an image mindtct cannot read at all is not a fingerprint."""
    try:
        return nfiq2(pixels)
    except NativeCallError as error:
        raise ImageError(finger_position, "not a fingerprint", error.detail) from error


def _mindtct_minutiae(
    pixels: npt.NDArray[np.uint8], finger_position: int
) -> npt.NDArray[np.float32]:
    """mindtct's minutiae of ``pixels`` in :class:`Template` columns."""
    try:
        found = run_mindtct(pixels).minutiae
    except NativeCallError as error:
        raise ImageError(finger_position, "not a fingerprint", error.detail) from error
    rows = np.empty((len(found), 5), dtype=np.float32)
    for k, minutia in enumerate(found):
        rows[k, 0] = minutia.x()
        rows[k, 1] = minutia.y()
        rows[k, 2] = (-math.radians(minutia.angle())) % (2.0 * math.pi)
        rows[k, 3] = 0.0 if minutia.kind().name == "RIDGE_ENDING" else 1.0
        rows[k, 4] = minutia.reliability()
    rows[:, 2] = np.where(rows[:, 2] >= 2.0 * math.pi, 0.0, rows[:, 2])  # float32 rounding
    return rows


def _kept_minutiae(
    rows: npt.NDArray[np.float32], pixels: npt.NDArray[np.uint8]
) -> npt.NDArray[np.float32]:
    """``rows`` without the unreliable minutiae and those at the image edge."""
    height, width = pixels.shape
    keep = rows[:, 4] >= MIN_RELIABILITY
    keep &= (rows[:, 0] >= EDGE_MARGIN_PX) & (rows[:, 0] < width - EDGE_MARGIN_PX)
    keep &= (rows[:, 1] >= EDGE_MARGIN_PX) & (rows[:, 1] < height - EDGE_MARGIN_PX)
    return rows[keep]
