"""A small typed wrapper over a numpy Generator: the draws the world builder needs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import TypeVar

import numpy as np

T = TypeVar("T")


class Draw:
    """Typed random draws; every call consumes the wrapped generator deterministically."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng

    def chance(self, probability: float) -> bool:
        return bool(self.rng.random() < probability)

    def integer(self, low: int, high: int) -> int:
        """Uniform integer in [low, high] (both inclusive)."""
        return int(self.rng.integers(low, high + 1))

    def pick(self, items: Sequence[T]) -> T:
        return items[int(self.rng.integers(0, len(items)))]

    def weighted(self, items: Sequence[T], weights: Sequence[float]) -> T:
        total = float(sum(weights))
        index = int(self.rng.choice(len(items), p=[weight / total for weight in weights]))
        return items[index]

    def day_between(self, first: date, last: date) -> date:
        """Uniform day in [first, last]; ``last`` before ``first`` collapses to ``first``."""
        span = max((last - first).days, 0)
        return first + timedelta(days=self.integer(0, span))

    def moment_on(self, day: date) -> datetime:
        """A time of day on ``day``, weighted towards evening and night arrests."""
        hour = self.weighted(range(24), _ARREST_HOUR_WEIGHTS)
        return datetime.combine(day, time(hour, self.integer(0, 59), self.integer(0, 59)))

    def exponential_days(self, mean_days: float) -> int:
        return int(self.rng.exponential(mean_days))


# Bookings cluster in the evening and early night.
_ARREST_HOUR_WEIGHTS: tuple[float, ...] = (
    5, 5, 4, 3, 2, 1, 1, 2, 3, 3, 3, 3, 3, 3, 4, 4, 4, 5, 5, 6, 6, 6, 6, 5,
)  # fmt: skip
