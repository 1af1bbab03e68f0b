"""The few facts the profiling monitor reads from a booking: where, which officer, the
arrestee's race and birthplace as booked, what became of the charges, whether it led to
an immigration match and a detainer. No name, no date of birth."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from securecomm.priority.catalogue import OffenceFlag, UnknownOffenceError, classify_charge_code

FOREIGN_BORN = "born abroad"


@dataclass(frozen=True)
class BookingFacts:
    tcn: str
    jurisdiction: str  # code
    officer: str | None
    race: str | None  # EBTS race code as booked
    foreign_born: bool | None  # place of birth outside the United States
    matched: bool  # an immigration record matched
    detainer: bool
    convicted: bool | None  # None: not yet disposed of
    low_level: bool | None  # no conviction or Level 3 only (None: not yet disposed of)
    minor_only: bool  # every charge at booking a Level 3 offence
    dropped: bool  # every charge dismissed or acquitted
    traffic_only: bool  # every charge a minor traffic offence

    def groups(self) -> list[str]:
        found = [f"race {self.race}"] if self.race else []
        if self.foreign_born:
            found.append(FOREIGN_BORN)
        return found

    @property
    def pretext(self) -> bool:
        """Charges later dropped, or minor traffic offences only."""
        return self.dropped or self.traffic_only

    @property
    def pretext_detainer(self) -> bool:
        return self.pretext and self.matched and self.detainer


# NCIC place-of-birth codes of the states, the District of Columbia and the territories:
# any other code is a country, and the person was born abroad.
US_PLACES = frozenset(
    [
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "DC",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
        "PR",
        "GU",
        "VI",
        "AS",
        "MP",
    ]
)


def born_abroad(place_of_birth: str | None) -> bool | None:
    return None if not place_of_birth else place_of_birth not in US_PLACES


@dataclass(frozen=True)
class ChargeFacts:
    ncic_code: str
    disposition: str | None  # None or "pending": not yet disposed of


def charge_facts(charges: Sequence[ChargeFacts]) -> dict[str, Any]:
    """What a booking's charges say: minor only, traffic only, dropped, convicted, and
    whether it ended with no conviction or only a Level 3 one (the catalogue's levels)."""
    offences = [_offence(charge.ncic_code) for charge in charges]
    levels = [offence[0] for offence in offences]
    decided = [c.disposition for c in charges if c.disposition not in (None, "pending")]
    disposed = bool(charges) and len(decided) == len(charges)
    convicted_levels = [
        level for level, c in zip(levels, charges, strict=True) if c.disposition == "convicted"
    ]
    return {
        "minor_only": bool(levels) and all(level == 3 for level in levels),
        "traffic_only": bool(offences) and all(traffic for _, traffic in offences),
        "dropped": disposed and not convicted_levels,
        "convicted": bool(convicted_levels) if disposed else None,
        "low_level": all(level == 3 for level in convicted_levels) if disposed else None,
    }


def _offence(code: str) -> tuple[int, bool]:
    """(Secure Communities level 1-3, minor traffic) of an NCIC code."""
    try:
        offence = classify_charge_code(code)
    except UnknownOffenceError:
        return 3, False
    if offence is None:
        return 3, False
    level = {"level_1": 1, "level_2": 2}.get(str(offence.sc2008_level), 3)
    return level, offence.has(OffenceFlag.MINOR_TRAFFIC)
