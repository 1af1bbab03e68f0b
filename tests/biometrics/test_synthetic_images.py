"""Synthetic fingerprint images: determinism, fields, ridges, impressions, bad input and,
when the image extractor is installed, minutiae and identities that survive extraction."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from scipy import ndimage

from securecomm.biometrics import _ridges, compare
from securecomm.biometrics import synthetic_images as si
from securecomm.exceptions import InputError


@pytest.fixture(scope="module")
def tenprint() -> dict[int, si.MasterFingerImage]:
    return si.synthesize_tenprint_images(np.random.default_rng(101))


def _extractor() -> Callable[..., Any] | None:
    try:
        from securecomm.biometrics import extract
    except ImportError:
        return None
    return extract


def test_same_seed_same_images_different_seed_different_images() -> None:
    def draw(seed: int) -> tuple[bytes, bytes]:
        rng = np.random.default_rng(seed)
        master = si.synthesize_master_image(rng, 2)
        return master.image.tobytes(), si.impression_image(master, rng).tobytes()

    assert draw(4) == draw(4)
    first, second = draw(4), draw(5)
    assert first[0] != second[0]
    assert first[1] != second[1]


def test_master_is_a_fingerprint_sized_grey_image(
    tenprint: dict[int, si.MasterFingerImage],
) -> None:
    for position, master in tenprint.items():
        image = master.image
        assert image.dtype == np.uint8
        assert image.shape == (si.CANVAS_HEIGHT, si.CANVAS_WIDTH)
        assert master.finger_position == position
        assert master.pattern in si.PATTERNS
        assert 250 <= master.shape.width <= 350
        assert 320 <= master.shape.height <= 460
        rows, cols = np.nonzero(master.mask)
        assert rows.min() > 0
        assert rows.max() < si.CANVAS_HEIGHT - 1
        assert cols.min() > 0
        assert cols.max() < si.CANVAS_WIDTH - 1
        assert np.all(image[~master.mask] == 255)  # nothing drawn off the finger


def test_ridges_fill_the_finger_with_saturated_ridges_and_valleys(
    tenprint: dict[int, si.MasterFingerImage],
) -> None:
    for master in tenprint.values():
        # Grown everywhere: within one ridge period of every interior pixel the pattern
        # reaches full ridge or valley strength (no grey holes the seeds never reached).
        interior = ndimage.binary_erosion(master.mask, iterations=6)
        strength = ndimage.maximum_filter(np.abs(master.ridges), size=11)
        assert np.mean(strength[interior] > 0.9) > 0.99
        inside = master.ridges[master.mask]
        ridge_share = np.mean(inside < 0)
        assert 0.35 < ridge_share < 0.65  # ridges and valleys about equally wide


def test_ridge_period_measured_by_fft_is_that_of_a_500_ppi_fingerprint(
    tenprint: dict[int, si.MasterFingerImage],
) -> None:
    rng = np.random.default_rng(3)
    for master in tenprint.values():
        assert 8.0 <= si.measured_ridge_period_px(master.image) <= 12.5
        # captures stretch and squeeze the skin a little
        assert 7.0 <= si.measured_ridge_period_px(si.impression_image(master, rng)) <= 13.0
        # ...and agrees with the period map the ridges were grown from (FFT bins ~0.8 px)
        drawn = master.period[master.mask]
        assert drawn.min() - 0.9 <= si.measured_ridge_period_px(master.image) <= drawn.max() + 0.9


def test_period_measurement_finds_a_known_sinusoid() -> None:
    ys, xs = np.mgrid[0:200, 0:200]
    wave = 128 + 100 * np.cos(2 * math.pi * (0.6 * xs + 0.8 * ys) / 9.0)
    assert si.measured_ridge_period_px(wave.astype(np.uint8)) == pytest.approx(9.0, abs=0.6)


def test_the_ten_fingers_of_a_person_are_distinct(
    tenprint: dict[int, si.MasterFingerImage],
) -> None:
    assert sorted(tenprint) == list(range(1, 11))
    for a, b in itertools.combinations(tenprint.values(), 2):
        both = a.mask & b.mask
        correlation = np.corrcoef(a.ridges[both], b.ridges[both])[0, 1]
        assert abs(correlation) < 0.3
        assert a.shape != b.shape


def test_zero_pole_field_keeps_the_index_of_each_singular_point() -> None:
    # Poincare index: walk a circle around the point and add up orientation changes
    # (mod pi); +1/2 around a core, -1/2 around a delta, whatever the correction knots.
    rng = np.random.default_rng(0)
    cores = np.array([[100.0, 100.0]])
    deltas = np.array([[160.0, 190.0]])
    knots_core = rng.normal(0.0, si.VIZCAYA_KNOT_SD, (1, 8))
    knots_delta = rng.normal(0.0, si.VIZCAYA_KNOT_SD, (1, 8))
    for point, expected in ((cores[0], 0.5), (deltas[0], -0.5)):
        angles = np.linspace(0.0, 2 * math.pi, 721)
        xs = point[0] + 15.0 * np.cos(angles)
        ys = point[1] + 15.0 * np.sin(angles)
        theta = _ridges.zero_pole_orientation(xs, ys, cores, deltas, 0.2, knots_core, knots_delta)
        steps = np.diff(theta)
        steps = (steps + math.pi / 2) % math.pi - math.pi / 2
        assert steps.sum() / (2 * math.pi) == pytest.approx(expected, abs=1e-6)


def test_impression_is_a_displaced_distorted_noisy_capture(
    tenprint: dict[int, si.MasterFingerImage],
) -> None:
    rng = np.random.default_rng(8)
    master = tenprint[1]
    first, second = si.impression_image(master, rng), si.impression_image(master, rng)
    assert first.dtype == np.uint8
    assert first.shape == (si.CANVAS_HEIGHT, si.CANVAS_WIDTH)
    assert not np.array_equal(first, second)
    for capture in (first, second):
        assert np.percentile(capture, 5) < 160  # dark ridges, even on a light touch
        assert 0.6 < np.mean(capture > 180) < 0.95  # mostly light background and valleys
        assert capture[0:20, 0:20].mean() > 180  # a light background around the finger
        assert capture.std() > 25


def test_severity_zero_keeps_the_master_in_place_and_severity_moves_it(
    tenprint: dict[int, si.MasterFingerImage],
) -> None:
    rng = np.random.default_rng(9)
    master = tenprint[3]
    reference = master.image.astype(np.float64)

    def correlation(image: np.ndarray[Any, Any]) -> float:
        return float(np.corrcoef(reference[master.mask], image[master.mask])[0, 1])

    assert correlation(si.impression_image(master, rng, severity=0.0)) > 0.95
    assert correlation(si.impression_image(master, rng, severity=1.5)) < 0.6


def test_impressions_of_images_captures_every_finger_in_order(
    tenprint: dict[int, si.MasterFingerImage],
) -> None:
    captures = si.impressions_of_images(
        {p: tenprint[p] for p in (7, 2)}, np.random.default_rng(1), severity=0.5
    )
    assert list(captures) == [2, 7]


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda rng: si.synthesize_master_image(rng, 11), "finger_position"),
        (lambda rng: si.synthesize_master_image(rng, True), "finger_position"),
        (lambda rng: si.synthesize_master_image(rng, "3"), "finger_position"),
        (lambda rng: si.impression_image("not a master", rng), "master"),
        (lambda rng: si.measured_ridge_period_px(np.zeros((20, 20), np.uint8)), "image"),
    ],
)
def test_bad_arguments_get_a_typed_error_naming_the_argument(
    call: Callable[[np.random.Generator], object], field: str
) -> None:
    with pytest.raises(si.ImageSpecError) as caught:
        call(np.random.default_rng(0))
    assert isinstance(caught.value, InputError)
    assert caught.value.field == field
    assert field in str(caught.value)


@pytest.mark.parametrize("severity", [-0.1, 3.5, float("nan")])
def test_severity_outside_its_range_is_refused(
    tenprint: dict[int, si.MasterFingerImage], severity: float
) -> None:
    with pytest.raises(si.ImageSpecError, match="severity"):
        si.impression_image(tenprint[1], np.random.default_rng(0), severity=severity)


def test_extracted_minutiae_are_plausible_and_identify_the_finger(
    tenprint: dict[int, si.MasterFingerImage],
) -> None:
    extract = _extractor()
    if extract is None:
        pytest.skip("securecomm.biometrics.extract (image extraction) is not installed")
    rng = np.random.default_rng(21)
    fingers = [tenprint[p] for p in (1, 4, 8)]
    templates = [
        [extract(si.impression_image(m, rng), finger_position=m.finger_position) for _ in range(3)]
        for m in fingers
    ]
    counts = [len(t) for row in templates for t in row]
    assert all(15 <= n <= 100 for n in counts), counts
    assert 25 <= float(np.median(counts)) <= 80, counts
    genuine = [compare(a, b) for row in templates for a, b in itertools.combinations(row, 2)]
    impostor = [
        compare(templates[i][k], templates[j][k])
        for i, j in itertools.combinations(range(len(fingers)), 2)
        for k in range(3)
    ]
    assert min(genuine) > max(impostor), (genuine, impostor)
