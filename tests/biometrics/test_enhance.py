"""Ridge enhancement before minutiae detection: foreground, filtering, margins."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from securecomm.biometrics import extract
from securecomm.biometrics._enhance import enhance
from securecomm.biometrics._extract import MINUTIAE_METHODS

from .ridge_images import PLANTED, found_near, ridge_image


def _grating(period: float, size: int = 256) -> np.ndarray:
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    phase = 2 * np.pi / period * (0.8 * xx + 0.6 * yy)
    return np.clip(128 + 90 * np.cos(phase), 0, 255).astype(np.uint8)


@pytest.mark.parametrize("period", [8.0, 9.0, 11.0])
def test_ridges_keep_their_place_and_period(period: float) -> None:
    """The filter sharpens the ridges it is given; it does not move or re-space them."""
    pixels = _grating(period)
    enhanced = enhance(pixels).pixels.astype(np.float64)
    inner = (slice(20, -20), slice(20, -20))
    agreement = np.corrcoef(enhanced[inner].ravel(), pixels[inner].ravel().astype(float))
    assert agreement[0, 1] > 0.9


def test_blank_background_is_not_foreground_and_is_whitened() -> None:
    pixels = _grating(9.0)
    pixels[:, :128] = 250  # left half: nothing but sensor glass
    enhanced = enhance(pixels)
    assert not enhanced.foreground[:, :100].any()
    assert enhanced.foreground[20:-20, 150:-20].all()
    assert (enhanced.pixels[:, :100] == 255).all()


def test_filtering_restores_ridges_under_heavy_noise() -> None:
    clean = _grating(9.0).astype(np.float64)
    noisy = clean + np.random.default_rng(3).normal(0, 120, clean.shape)
    noisy_pixels = np.clip(noisy, 0, 255).astype(np.uint8)
    enhanced = enhance(noisy_pixels).pixels.astype(np.float64)
    inner = (slice(20, -20), slice(20, -20))

    def agreement(image: np.ndarray) -> float:
        return float(np.corrcoef(image[inner].ravel(), clean[inner].ravel())[0, 1])

    assert agreement(enhanced) > agreement(noisy_pixels.astype(np.float64)) + 0.2


def test_deep_inside_agrees_with_the_distance_to_the_background() -> None:
    pixels = _grating(9.0)
    pixels[:60, :] = 250
    pixels[:, 200:] = 250
    enhanced = enhance(pixels)
    distance = ndimage.distance_transform_edt(enhanced.foreground)
    points = np.random.default_rng(1).uniform(0, 255, (400, 2)).astype(np.float32)
    expected = distance[points[:, 1].astype(int), points[:, 0].astype(int)] >= 14
    assert np.array_equal(enhanced.deep_inside(points, 14), expected)
    assert enhanced.deep_inside(np.empty((0, 2), np.float32), 14).shape == (0,)


def test_both_minutiae_finders_find_the_planted_minutiae() -> None:
    pixels = ridge_image()
    for finder in MINUTIAE_METHODS:
        template = extract(pixels, minutiae=finder)
        found = sum(found_near(template.minutiae, point) for point in PLANTED)
        assert found >= 6, (finder, template.minutiae)
