from __future__ import annotations

import math

import numpy as np
import pytest

from securecomm.biometrics import compare, synthetic


def test_same_seed_same_world_different_seed_different_world() -> None:
    def world(seed: int) -> list[bytes]:
        rng = np.random.default_rng(seed)
        tenprint = synthetic.synthesize_tenprint(rng)
        captures = synthetic.impressions_of(tenprint, rng)
        return [t.to_bytes() for t in [*tenprint.values(), *captures.values()]]

    assert world(5) == world(5)
    assert world(5) != world(6)


def test_master_is_a_plausible_finger() -> None:
    rng = np.random.default_rng(1)
    for _ in range(20):
        master = synthetic.synthesize_master(rng, 3)
        m = master.minutiae
        assert 30 <= len(master) <= 70
        assert 300 <= master.width <= 400
        assert 400 <= master.height <= 500
        assert master.finger_position == 3
        gaps = np.hypot(m[:, None, 0] - m[None, :, 0], m[:, None, 1] - m[None, :, 1])
        np.fill_diagonal(gaps, np.inf)
        assert gaps.min() >= synthetic.MIN_SPACING_PX - 0.01
        assert 0 < master.quality <= 100


def test_tenprint_has_ten_distinct_fingers() -> None:
    tenprint = synthetic.synthesize_tenprint(np.random.default_rng(2))
    assert sorted(tenprint) == list(range(1, 11))
    assert all(t.finger_position == p for p, t in tenprint.items())
    assert len({t.to_bytes() for t in tenprint.values()}) == 10
    assert compare(tenprint[1], tenprint[2]) < 30


def test_impression_perturbs_but_keeps_the_finger() -> None:
    rng = np.random.default_rng(3)
    master = synthetic.synthesize_master(rng, 1)
    capture = synthetic.impression(master, rng)
    assert capture.finger_position == 1
    assert (capture.width, capture.height) == (master.width, master.height)
    assert not np.array_equal(capture.minutiae, master.minutiae)
    assert 0.5 * len(master) <= len(capture) <= 1.15 * len(master)
    assert compare(master, capture) > 25


def test_severity_zero_gives_the_master_back() -> None:
    rng = np.random.default_rng(4)
    master = synthetic.synthesize_master(rng, 1)
    capture = synthetic.impression(master, rng, severity=0.0)
    assert len(capture) == len(master)
    np.testing.assert_allclose(capture.minutiae[:, :2], master.minutiae[:, :2], atol=1e-3)
    turned = np.angle(np.exp(1j * (capture.minutiae[:, 2] - master.minutiae[:, 2])))
    assert np.abs(turned).max() < 1e-3
    assert compare(master, capture) == pytest.approx(100.0)


def test_severity_out_of_range_is_refused() -> None:
    master = synthetic.synthesize_master(np.random.default_rng(0), 1)
    with pytest.raises(ValueError, match="severity"):
        synthetic.impression(master, np.random.default_rng(0), severity=-1.0)
    assert math.isfinite(master.quality)
