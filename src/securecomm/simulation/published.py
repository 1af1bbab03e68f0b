"""The program's published national figures (DOMAIN.md section 7), set beside a synthetic
world's own so a reader sees how realistic the world is, and which way it is off."""

from __future__ import annotations

from dataclasses import dataclass

from securecomm.oversight.statistics import Counts


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
    world: float | None  # None: the world has no base for it (no submissions, no removals)
    reference: Reference

    @property
    def published(self) -> str:
        low, high = self.reference.low, self.reference.high
        return f"{100 * low:.1f} %" if low == high else f"{100 * low:.0f}-{100 * high:.0f} %"

    @property
    def world_text(self) -> str:
        return "—" if self.world is None else f"{100 * self.world:.1f} %"

    @property
    def source(self) -> str:
        return self.reference.source

    def off_by(self) -> float | None:
        """Points outside the published range (0 inside it)."""
        if self.world is None:
            return None
        below = self.reference.low - self.world
        above = self.world - self.reference.high
        return max(0.0, below, above)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def world_figures(n: Counts) -> dict[str, float | None]:
    return {
        "match_rate": _share(n.matches, n.submissions),
        "level_1_of_matches": _share(n.matches_level_1, n.matches),
        "booked_of_matches": _share(n.booked, n.matches),
        "removed_of_booked": _share(n.removed, n.booked),
        "removed_level_1": _share(n.removed_level_1, n.removed),
        "removed_level_2": _share(n.removed_level_2, n.removed),
        "removed_level_3": _share(n.removed_level_3, n.removed),
        "removed_non_criminal": _share(n.removed_non_criminal, n.removed),
    }


def compare(n: Counts) -> list[Comparison]:
    figures = world_figures(n)
    return [
        Comparison(key, reference.figure, figures[key], reference)
        for key, reference in REFERENCES.items()
    ]
