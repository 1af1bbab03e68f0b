"""The program's published national figures (DOMAIN.md section 7), set beside a synthetic
world's own so a reader sees how realistic the world is, and which way it is off."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from statsmodels.stats.proportion import proportion_confint

from securecomm.oversight.statistics import Counts
from securecomm.simulation import scoring
from securecomm.simulation.generate import build_world
from securecomm.simulation.runner import SubjectLinks


@dataclass(frozen=True)
class Reference:
    figure: str
    low: float  # the published range (a single figure has low == high)
    high: float
    source: str


REFERENCES: dict[str, Reference] = {
    "match_rate": Reference(
        "IDENT matches per submission",
        0.06,
        0.12,
        "derived ratio 2009-2011; 477,035 matches of 7,225,393 submissions by Feb/Mar 2011",
    ),
    "level_1_of_matches": Reference(
        "Level 1 share of matches", 0.149, 0.149, "71,197 of 477,035 matches (28 Feb 2011)"
    ),
    "booked_of_matches": Reference(
        "Matches booked into ICE custody", 0.40, 0.40, "about 40 % (derived ratio 2009-2011)"
    ),
    "removed_of_booked": Reference(
        "Booked into custody then removed", 0.516, 0.516, "101,741 of 197,302 (31 Mar 2011)"
    ),
    "removed_level_1": Reference("Removals: Level 1", 0.25, 0.26, "H1 2011 25 %; FY2011 26 %"),
    "removed_level_2": Reference("Removals: Level 2", 0.18, 0.19, "H1 2011 18 %; FY2011 19 %"),
    "removed_level_3": Reference("Removals: Level 3", 0.26, 0.29, "H1 2011 26 %; FY2011 29 %"),
    "removed_non_criminal": Reference(
        "Removals: non-criminal", 0.26, 0.32, "H1 2011 32 %; FY2011 26 %"
    ),
}


@dataclass(frozen=True)
class Comparison:
    key: str
    figure: str
    part: int
    whole: int  # 0: the world has no base for it (no submissions, no removals)
    reference: Reference

    @property
    def world(self) -> float | None:
        return self.part / self.whole if self.whole else None

    @property
    def published(self) -> str:
        low, high = self.reference.low, self.reference.high
        return f"{100 * low:.1f} %" if low == high else f"{100 * low:.0f}-{100 * high:.0f} %"

    @property
    def world_text(self) -> str:
        if self.world is None:
            return "—"
        return f"{100 * self.world:.1f} % ({self.part:,} of {self.whole:,})"

    @property
    def source(self) -> str:
        return self.reference.source

    def interval(self) -> tuple[float, float] | None:
        """95 % Wilson interval of the world's share: a small world's shares are noisy."""
        if not self.whole:
            return None
        low, high = proportion_confint(self.part, self.whole, alpha=0.05, method="wilson")
        return float(low), float(high)

    def off_by(self) -> float | None:
        """Points outside the published range (0 inside it)."""
        if self.world is None:
            return None
        below = self.reference.low - self.world
        above = self.world - self.reference.high
        return max(0.0, below, above)

    def clearly_off(self) -> bool:
        """The published range lies outside the world's 95 % interval: more than noise."""
        interval = self.interval()
        if interval is None:
            return False
        return interval[1] < self.reference.low or interval[0] > self.reference.high


def world_counts(n: Counts) -> dict[str, tuple[int, int]]:
    """Each figure's numerator and denominator in the world."""
    return {
        "match_rate": (n.matches, n.submissions),
        "level_1_of_matches": (n.matches_level_1, n.matches),
        "booked_of_matches": (n.booked, n.matches),
        "removed_of_booked": (n.removed, n.booked),
        "removed_level_1": (n.removed_level_1, n.removed),
        "removed_level_2": (n.removed_level_2, n.removed),
        "removed_level_3": (n.removed_level_3, n.removed),
        "removed_non_criminal": (n.removed_non_criminal, n.removed),
    }


def world_figures(n: Counts) -> dict[str, float | None]:
    return {key: part / whole if whole else None for key, (part, whole) in world_counts(n).items()}


def compare(n: Counts) -> list[Comparison]:
    counts = world_counts(n)
    return [
        Comparison(key, reference.figure, *counts[key], reference)
        for key, reference in REFERENCES.items()
    ]


@dataclass(frozen=True)
class Calibration:
    """The default world beside the published figures, over several seeds of one size."""

    people: int
    by_seed: dict[int, list[Comparison]]
    pooled: list[Comparison]  # every seed's counts added together


def calibrate(
    *,
    people: int,
    seeds: Sequence[int],
    start: date,
    end: date,
    population: str = "published",
    on_seed: Callable[[int], None] | None = None,
) -> Calibration:
    """Build each world and count it as the flow would: the rule oracle's statistics,
    which the flow reproduces cell for cell (every demo and the agreement tests check
    that), so a world large enough for stable shares costs seconds, not hours."""
    pooled = Counts()
    by_seed: dict[int, list[Comparison]] = {}
    for seed in seeds:
        world = build_world(
            people=people,
            start=start,
            end=end,
            seed=seed,
            population=population,
            fingerprints=False,  # nobody is searched: the oracle knows who matches
        )
        nationwide = scoring.expected_statistics(world, SubjectLinks()).statistics.nationwide
        by_seed[seed] = compare(nationwide)
        pooled.add(nationwide)
        if on_seed is not None:
            on_seed(seed)
    return Calibration(people, by_seed, compare(pooled))
