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


def _print_on_background(
    rng: np.random.Generator, *, radius: int = 70, size: int = 300
) -> tuple[np.ndarray, np.ndarray]:
    """A round print (a grating) in the middle of a sensor's noisy, striped background,
    as FVC 2002 DB3_B's small captures are; and where the print is."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    inside = (yy - size / 2) ** 2 + (xx - size / 2) ** 2 < radius**2
    background = 128 + rng.normal(0, 20, (size, size)) + 15 * np.cos(2 * np.pi * xx / 3.0)
    image = np.where(inside, _grating(9.0, size), np.clip(background, 0, 255))
    return image.astype(np.uint8), inside


def _share(mask: np.ndarray, where: np.ndarray) -> float:
    return float(mask[where].mean())


def test_a_noisy_striped_background_is_not_taken_for_print() -> None:
    """Contrast alone took such a background for print (the dust of DB3_B gave 100+
    false minutiae); ridge structure does not."""
    pixels, inside = _print_on_background(np.random.default_rng(3))
    foreground = enhance(pixels).foreground
    core = ndimage.binary_erosion(inside, iterations=15)
    far = ~ndimage.binary_dilation(inside, iterations=20)
    assert _share(foreground, core) > 0.95
    assert _share(foreground, far) < 0.05


@pytest.mark.parametrize("period", [6.5, 12.0])
def test_fine_and_coarse_ridges_are_print(period: float) -> None:
    """The ridge share is the best over a fine, a typical and a coarse period: a print
    whose ridges are far from the filter's own period is not cut away."""
    foreground = enhance(_grating(period, size=300)).foreground
    assert _share(foreground, np.s_[30:-30, 30:-30]) > 0.95


def test_a_wet_patch_inside_the_print_stays_print() -> None:
    """A blotch without ridges inside the print is a hole of the mask, filled: the print
    keeps one outline and the filter output is not cut around every wet patch."""
    pixels, _inside = _print_on_background(np.random.default_rng(4), radius=100)
    yy, xx = np.mgrid[0 : pixels.shape[0], 0 : pixels.shape[1]]
    blotch = (yy - 150) ** 2 + (xx - 140) ** 2 < 18**2
    pixels[blotch] = 30
    foreground = enhance(pixels).foreground
    assert _share(foreground, blotch) > 0.95


def _dry_grating(seed: int, period: float = 9.0, size: int = 256) -> np.ndarray:
    """A grating whose ridges dry skin broke into pieces: 40 % of 6 px blocks whitened
    where they cross a ridge, plus sensor noise."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    wave = np.cos(2 * np.pi / period * (0.8 * xx + 0.6 * yy))
    blocks = rng.random((size // 6 + 1, size // 6 + 1)) < 0.4
    gaps = np.kron(blocks, np.ones((6, 6)))[:size, :size].astype(bool)
    pixels = np.where(gaps & (wave < 0), 200.0, 128.0 + 90.0 * wave)
    return np.clip(pixels + rng.normal(0, 10, pixels.shape), 0, 255).astype(np.uint8)


@pytest.mark.parametrize("seed", [5, 6, 7])
def test_ridges_broken_by_dry_skin_give_no_false_minutiae(seed: int) -> None:
    """Where the ridge filter explains little of the signal the output is the filter's,
    which joins the pieces; with a fixed blend (60 % of the original everywhere) mindtct
    found 4-9 ridge endings in each of these gratings, which have none."""
    template = extract(_dry_grating(seed), reported_quality=60)
    assert len(template) == 0
