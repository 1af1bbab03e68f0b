"""Our own minutiae finder on filtered images: planted minutiae, blank and plain ridges."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PIL import Image

from securecomm.biometrics import Template, compare
from securecomm.biometrics._enhance import Enhanced, enhance
from securecomm.biometrics._extract import EDGE_MARGIN_PX, FOREGROUND_MARGIN_PX, MIN_RELIABILITY
from securecomm.biometrics._minutiae import find_minutiae

from .ridge_images import FVC, found_near

PERIOD = 10.0
UP, DOWN = 1.5 * math.pi, 0.5 * math.pi


def _planted(points: list[tuple[int, int, int]], size: int = 256) -> np.ndarray:
    """Vertical ridges (dark where x is 5 mod 10) with a fork dislocation of sign s at
    each (x, y, s).

    The extra period opens above the point for s = +1 and below it for s = -1, so an
    ending and a bifurcation there both point up (s = +1) or down (s = -1). Which one it
    is depends on where the point sits in the period: a quarter period left of a ridge
    centre (x = 3 mod 10) gives a bifurcation, a quarter period right of it (x = 8 mod
    10) a ridge ending; inverting the image swaps the two."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    phase = 2 * np.pi / PERIOD * xx
    for x, y, sign in points:
        phase += sign * np.arctan2(yy - y, xx - x)
    noise = np.random.default_rng(0).normal(0, 6, (size, size))
    return np.clip(128 + 90 * np.cos(phase) + noise, 0, 255).astype(np.uint8)


def _angle_gap(a: float, b: float) -> float:
    return abs((a - b + math.pi) % (2 * math.pi) - math.pi)


def _nearest(minutiae: np.ndarray, x: float, y: float) -> np.ndarray:
    return minutiae[np.argmin(np.hypot(minutiae[:, 0] - x, minutiae[:, 1] - y))]


def _inner(
    minutiae: np.ndarray, enhanced: Enhanced, margin: int = FOREGROUND_MARGIN_PX
) -> np.ndarray:
    """Without what the extractor's margins drop (image edge, foreground boundary)."""
    height, width = enhanced.pixels.shape
    xs, ys = minutiae[:, 0], minutiae[:, 1]
    edge = EDGE_MARGIN_PX
    inside = (xs >= edge) & (xs < width - edge) & (ys >= edge) & (ys < height - edge)
    kept: np.ndarray = minutiae[inside & enhanced.deep_inside(minutiae, margin)]
    return kept


@pytest.mark.parametrize(("x", "kind"), [(78, 0), (73, 1)], ids=["ending", "bifurcation"])
@pytest.mark.parametrize("sign", [1, -1], ids=["opening up", "opening down"])
def test_a_planted_minutia_is_found_with_its_kind_and_direction(
    x: int, kind: int, sign: int
) -> None:
    y = 80
    found = find_minutiae(enhance(_planted([(x, y, sign)], size=160)))
    assert found_near(found, (x, y), tolerance=5.0), found
    nearest = _nearest(found, x, y)
    assert nearest[3] == kind, nearest
    # mindtct's convention: an ending points into its ridge, a bifurcation into its fork
    assert _angle_gap(float(nearest[2]), UP if sign > 0 else DOWN) < math.radians(20), nearest


@pytest.mark.parametrize("x", [72, 75, 78, 80])
@pytest.mark.parametrize("sign", [1, -1])
def test_inverting_the_image_swaps_endings_and_bifurcations(x: int, sign: int) -> None:
    """A ridge ending is a valley bifurcation: on the negative the same place holds the
    other kind, pointing the same way."""
    pixels = _planted([(x, 80, sign)], size=160)
    plain = _nearest(find_minutiae(enhance(pixels)), x, 80)
    inverted = _nearest(find_minutiae(enhance(255 - pixels)), x, 80)
    for found in (plain, inverted):
        assert math.hypot(found[0] - x, found[1] - 80) <= 6, found
    assert plain[3] != inverted[3]
    assert _angle_gap(float(plain[2]), float(inverted[2])) < math.radians(20)


PLANTED = [(60, 70, 1), (120, 70, -1), (180, 70, 1), (85, 180, -1), (145, 180, 1), (200, 180, -1)]


def test_planted_minutiae_are_found_and_nothing_else() -> None:
    enhanced = enhance(_planted(PLANTED))
    found = _inner(find_minutiae(enhanced), enhanced)
    for x, y, _ in PLANTED:
        assert found_near(found, (x, y), tolerance=6.0), (x, y, found)
    extra = [m for m in found if min(math.hypot(m[0] - x, m[1] - y) for x, y, _ in PLANTED) > 6]
    assert len(extra) <= 1, extra


def test_rows_have_template_columns() -> None:
    found = find_minutiae(enhance(_planted(PLANTED)))
    assert found.dtype == np.float32
    assert found.ndim == 2
    assert found.shape[1] == 5
    assert np.all((found[:, 2] >= 0) & (found[:, 2] < 2 * math.pi))
    assert set(np.unique(found[:, 3])) <= {0.0, 1.0}
    assert np.all((found[:, 4] >= 0) & (found[:, 4] <= 1))
    # clear synthetic ridges: the planted minutiae are reliable
    assert np.median(found[:, 4]) > 0.3
    Template(found, 256, 256, 60)  # validates the columns


@pytest.mark.parametrize("angle", [0.0, 0.5, 1.2])
def test_plain_parallel_ridges_have_no_minutiae(angle: float) -> None:
    yy, xx = np.mgrid[0:256, 0:256].astype(np.float64)
    phase = 2 * np.pi / PERIOD * (xx * math.cos(angle) + yy * math.sin(angle))
    noise = np.random.default_rng(1).normal(0, 10, phase.shape)
    pixels = np.clip(128 + 90 * np.cos(phase) + noise, 0, 255).astype(np.uint8)
    enhanced = enhance(pixels)
    assert len(_inner(find_minutiae(enhanced), enhanced)) <= 1


def test_blank_images_have_no_minutiae() -> None:
    white = Enhanced(np.full((200, 180), 255, np.uint8), np.zeros((200, 180), bool))
    assert find_minutiae(white).shape == (0, 5)
    flat = np.full((200, 180), 128, np.uint8)
    assert find_minutiae(enhance(flat)).shape == (0, 5)
    tiny = Enhanced(np.zeros((8, 8), np.uint8), np.ones((8, 8), bool))
    assert find_minutiae(tiny).shape == (0, 5)


def test_a_solid_dark_foreground_is_one_blob_not_minutiae() -> None:
    pixels = np.full((120, 120), 255, np.uint8)
    pixels[30:90, 30:90] = 0
    foreground = np.zeros((120, 120), bool)
    foreground[20:100, 20:100] = True
    found = find_minutiae(Enhanced(pixels, foreground))
    assert len(found) <= 4  # at most the corners of the thinned square's diagonals


needs_fvc = pytest.mark.skipif(not (FVC / "DB1_B").is_dir(), reason="FVC 2002 is not present")


def _template(name: str) -> Template:
    pixels = np.asarray(Image.open(FVC / "DB1_B" / name).convert("L"))
    enhanced = enhance(pixels)
    found = find_minutiae(enhanced)
    kept = _inner(found[found[:, 4] >= MIN_RELIABILITY], enhanced)
    height, width = pixels.shape
    return Template(np.ascontiguousarray(kept), width, height, 60)


@needs_fvc
def test_real_mated_impressions_match_and_strangers_do_not() -> None:
    first, second, stranger = (_template(f) for f in ("101_1.png", "101_2.png", "102_1.png"))
    for template in (first, second, stranger):
        assert 15 <= len(template) <= 80
    mated = compare(first, second)
    assert mated > 30
    assert compare(first, stranger) < 10
    assert compare(second, stranger) < 10
