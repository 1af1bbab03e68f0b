"""Image in, template out: planted minutiae are found, bad images get typed errors."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
from PIL import Image

from securecomm.biometrics import ImageError, TemplateError, compare, extract, quality_is_nfiq2

from .ridge_images import FVC, PLANTED, found_near, ridge_image


def _encoded(pixels: np.ndarray, fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format=fmt)
    return buffer.getvalue()


def test_planted_minutiae_are_found_with_quality() -> None:
    template = extract(ridge_image(), finger_position=4)
    assert template.finger_position == 4
    assert (template.width, template.height) == (320, 320)
    assert 0 < template.quality <= 100
    found = sum(found_near(template.minutiae, point) for point in PLANTED)
    assert found >= 6, template.minutiae


@pytest.mark.parametrize("fmt", ["PNG", "TIFF", "JPEG2000", "WSQ"])
def test_encoded_formats_give_the_same_minutiae_as_the_array(fmt: str) -> None:
    pixels = ridge_image()
    reference = extract(pixels)
    decoded = extract(_encoded(pixels, fmt))
    assert len(decoded) > 0
    lossless = fmt in ("PNG", "TIFF")
    if lossless:
        assert decoded == reference
    else:  # lossy codecs move a minutia a little, not the pattern
        assert sum(found_near(decoded.minutiae, point) for point in PLANTED) >= 6


def test_pil_image_and_rgb_are_accepted() -> None:
    pixels = ridge_image()
    assert extract(Image.fromarray(pixels)) == extract(pixels)
    assert extract(Image.fromarray(pixels).convert("RGB")) == extract(pixels)


def test_directions_rotate_with_the_image() -> None:
    """A quarter turn of the image turns every minutia direction by a quarter too."""
    pixels = ridge_image()
    upright = extract(pixels)
    turned = extract(np.ascontiguousarray(np.rot90(pixels)))  # counter-clockwise on screen
    width = pixels.shape[1]
    matched = 0
    for x, y, t, _kind, _rel in turned.minutiae:
        # rot90: original (x, y) moved to (y, width - 1 - x); undo it
        ox, oy = width - 1 - y, x
        near = np.hypot(upright.minutiae[:, 0] - ox, upright.minutiae[:, 1] - oy) <= 3
        for original in upright.minutiae[near]:
            # y-down frame: a counter-clockwise quarter turn on screen is -pi/2
            turn = (t - original[2] + math.pi) % (2 * math.pi) - math.pi
            assert abs(turn + math.pi / 2) < 0.4
            matched += 1
    assert matched >= 6


def test_resolution_is_normalised_to_500_ppi() -> None:
    pixels = ridge_image()
    big = np.asarray(Image.fromarray(pixels).resize((640, 640), Image.Resampling.BICUBIC))
    template = extract(big, ppi=1000)
    assert (template.width, template.height) == (320, 320)
    assert sum(found_near(template.minutiae, point, 10.0) for point in PLANTED) >= 6


@pytest.mark.parametrize(
    ("pixels", "reason"),
    [
        (np.full((300, 300), 200, dtype=np.uint8), "blank"),
        (np.zeros((40, 300), dtype=np.uint8), "too small"),
        (
            np.random.default_rng(0).integers(0, 256, (300, 300)).astype(np.uint8),
            "not a fingerprint",
        ),
    ],
    ids=["blank", "tiny", "noise"],
)
def test_unusable_images_get_a_typed_error_naming_the_finger(
    pixels: np.ndarray, reason: str
) -> None:
    with pytest.raises(ImageError) as caught:
        extract(pixels, finger_position=7)
    assert caught.value.reason == reason
    assert caught.value.finger_position == 7
    assert isinstance(caught.value, TemplateError)
    assert caught.value.problems[0].field == "prints[7].image"


@pytest.mark.parametrize(
    "data",
    [b"", b"not an image at all", _encoded(ridge_image(), "PNG")[:200]],
    ids=["empty", "garbage", "truncated"],
)
def test_corrupt_bytes_are_unreadable(data: bytes) -> None:
    with pytest.raises(ImageError) as caught:
        extract(data, finger_position=2)
    assert caught.value.reason == "unreadable"


def test_wrong_array_shapes_and_types_are_unreadable() -> None:
    with pytest.raises(ImageError, match="2-D"):
        extract(np.zeros((300, 300, 3), dtype=np.uint8))
    with pytest.raises(ImageError, match="uint8"):
        extract(np.zeros((300, 300), dtype=np.float32))
    with pytest.raises(ImageError, match="expected an array"):
        extract("101_1.png")  # type: ignore[arg-type]
    with pytest.raises(TemplateError, match="finger_position"):
        extract(ridge_image(), finger_position=11)


needs_fvc = pytest.mark.skipif(not FVC.is_dir(), reason="FVC 2002 images are not present")


@needs_fvc
def test_real_prints_extract_and_mated_impressions_outscore_strangers() -> None:
    folder = FVC / "DB1_B"
    first = extract((folder / "101_1.png").read_bytes(), finger_position=1)
    second = extract((folder / "101_2.png").read_bytes(), finger_position=1)
    stranger = extract((folder / "102_1.png").read_bytes(), finger_position=1)
    for template in (first, second, stranger):
        assert len(template) >= 12
        assert template.quality >= 20
        # filtered: nothing left on the image edge
        assert np.all(template.minutiae[:, 0] >= 10)
        assert np.all(template.minutiae[:, 0] < template.width - 10)
        # the skeleton finder's minutiae of the same filtered image ride along, cut alike
        assert template.second is not None
        assert len(template.second) >= 12
        assert np.all(template.second[:, 0] >= 10)
    assert compare(first, second) > 2 * compare(first, stranger)
    alone = extract((folder / "101_1.png").read_bytes(), finger_position=1, minutiae="skeleton")
    assert alone.second is None
    np.testing.assert_array_equal(alone.minutiae, first.second)


def test_an_unknown_minutiae_finder_is_a_typed_error() -> None:
    with pytest.raises(TemplateError, match="minutiae"):
        extract(ridge_image(), minutiae="bozorth")  # type: ignore[arg-type]


def test_a_truncated_image_stays_unreadable_after_a_pdf_report_was_made() -> None:
    """WeasyPrint turns on Pillow's LOAD_TRUNCATED_IMAGES when imported; the report
    module puts it back, so intake still refuses a cut-off file."""
    from securecomm.oversight import report

    report._weasyprint_html()
    with pytest.raises(ImageError) as caught:
        extract(_encoded(ridge_image(), "PNG")[:200], finger_position=2)
    assert caught.value.reason == "unreadable"


def test_a_reported_nfiq2_score_is_kept_and_nfiq2_is_not_run_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from securecomm.biometrics import _extract

    image = ridge_image()
    measured = extract(image, finger_position=2)
    assert quality_is_nfiq2(measured)

    def nfiq2_must_not_run(*_arguments: object) -> object:
        raise AssertionError("NFIQ 2 ran although the sender had scored the print")

    monkeypatch.setattr(_extract, "_quality", nfiq2_must_not_run)
    reported = extract(image, finger_position=2, reported_quality=77)
    assert reported.quality == 77
    assert reported.quality_note == _extract.REPORTED_NOTE
    assert quality_is_nfiq2(reported)
    assert np.array_equal(reported.minutiae, measured.minutiae)  # only the quality differs
    blank = np.full((320, 320), 200, dtype=np.uint8)
    with pytest.raises(ImageError, match="blank"):  # a score does not make a print
        extract(blank, finger_position=2, reported_quality=90)


def test_a_reported_score_below_the_minimum_is_measured_again() -> None:
    """A claimed low score alone must not keep a finger out of the search."""
    image = ridge_image()
    measured = extract(image, finger_position=2)
    again = extract(image, finger_position=2, reported_quality=3)
    assert again.quality == measured.quality
    assert again.quality_note == measured.quality_note
