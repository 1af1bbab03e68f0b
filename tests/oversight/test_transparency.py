"""Differentially private counts: the mechanism spends what it says (OpenDP's own
accounting), the noise it adds has the size the scale predicts, and small cells are
suppressed in the exact tables."""

from __future__ import annotations

import statistics

import pytest

from securecomm.oversight import transparency

TRUE = [[200, 40, 12, 5]] * 400


def _errors(noisy: list[list[int]], true: list[list[int]]) -> list[int]:
    return [
        abs(z - t)
        for row, truth in zip(noisy, true, strict=True)
        for z, t in zip(row, truth, strict=True)
    ]


def test_small_cells_are_suppressed_but_zero_and_large_ones_shown() -> None:
    assert transparency.suppress(0) == 0
    assert transparency.suppress(3) == "<10"
    assert transparency.suppress(9) == "<10"
    assert transparency.suppress(10) == 10


def test_the_noise_has_the_size_its_scale_predicts_and_is_never_negative() -> None:
    noisy = transparency.noisy_counts(TRUE, epsilon=1.0)
    large = [row[:2] for row in noisy]  # counts far from zero: clamping never bites
    expected = transparency._expected_mae(transparency.SENSITIVITY / 1.0)
    assert statistics.fmean(_errors(large, [row[:2] for row in TRUE])) == pytest.approx(
        expected, rel=0.15
    )
    assert all(value >= 0 for row in noisy for value in row)
    tight = transparency.noisy_counts(TRUE, epsilon=10.0)
    assert statistics.fmean(_errors(tight, TRUE)) < statistics.fmean(_errors(noisy, TRUE)) / 4


def test_a_release_outside_the_stated_budget_is_refused() -> None:
    with pytest.raises(ValueError, match="epsilon"):
        transparency.noisy_counts([[1, 2, 3, 4]], epsilon=-1.0)
