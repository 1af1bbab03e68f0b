"""Officers on every arrest, and (on request) planted profiling: a jurisdiction whose
police stop one group on pretexts, and one officer elsewhere who does the same.

A pretextual stop is an arrest for a minor traffic offence of a person of the target
group (born in Latin America), usually dropped within days. Planted arrests are normal
bookings in every other way: they go through the flow, match where the person has an
immigration record, and may lead to a detainer. The plant is recorded in the ground
truth only, for scoring the profiling monitor; nothing the system sees says it exists.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np

from securecomm.domain import Disposition
from securecomm.simulation._arrests import PlannedArrest
from securecomm.simulation._draw import Draw
from securecomm.simulation._offences import BY_CODE
from securecomm.simulation._people import Person
from securecomm.simulation._places import COUNTIES, County
from securecomm.simulation.world import ChargeOutcome, ChargeSpec, PlantedProfiling

OFFICERS_PER_COUNTY = 6
TARGET_NAME_GROUP = "hispanic"  # born in Latin America (the synthetic origin groups)
_PRETEXT_CODES = ("5405", "5499")  # driving without a valid licence; other traffic offence
# Pretextual stops of each target resident over the world's range: by the jurisdiction's
# police, and by the one profiling officer (who works one beat, so stops the same people).
_STOPS_PER_TARGET = (2, 5)
_OFFICER_STOPS_PER_TARGET = (3, 6)
_DROPPED_SHARE = 0.8
_MIN_TARGETS = 3  # residents of the group a county needs for a plant to be possible
_OFFICER_STREAM = 2
_PLANT_STREAM = 3


def officer_badge(county: County, number: int) -> str:
    return f"{county.fips}-{number:02d}"


def officer_draw(seed: int) -> Draw:
    """The stream that assigns arresting officers: apart from the world's structure, so
    worlds with and without officers are otherwise identical."""
    return Draw(np.random.default_rng([seed, _OFFICER_STREAM]))


def any_officer(county: County, draw: Draw) -> str:
    return officer_badge(county, draw.integer(1, OFFICERS_PER_COUNTY))


def plant(
    persons: list[Person],
    arrests: dict[int, list[PlannedArrest]],
    *,
    start: date,
    end: date,
    seed: int,
) -> PlantedProfiling | None:
    """Add pretextual arrests to ``arrests`` in place; None when no county has enough
    residents of the target group (a very small world)."""
    draw = Draw(np.random.default_rng([seed, _PLANT_STREAM]))
    targets: dict[str, list[Person]] = {}
    for person in persons:
        if person.country is not None and person.country.names == TARGET_NAME_GROUP:
            targets.setdefault(person.home_county, []).append(person)
    eligible = sorted(
        (fips for fips, group in targets.items() if len(group) >= _MIN_TARGETS),
        key=lambda fips: (-len(targets[fips]), fips),
    )
    if len(eligible) < 2:
        return None
    jurisdiction = draw.pick(eligible[: max(2, len(eligible) // 2)])
    officer_county = _county(draw.pick([fips for fips in eligible if fips != jurisdiction]))
    officer = any_officer(officer_county, draw)
    for person in targets[jurisdiction]:
        stops = draw.integer(*_STOPS_PER_TARGET)
        _stop(person, _county(jurisdiction), None, stops, arrests, start, end, draw)
    for person in targets[officer_county.fips]:
        stops = draw.integer(*_OFFICER_STOPS_PER_TARGET)
        _stop(person, officer_county, officer, stops, arrests, start, end, draw)
    return PlantedProfiling(jurisdiction, officer, "born in Latin America")


def _county(fips: str) -> County:
    return next(county for county in COUNTIES if county.fips == fips)


def _stop(
    person: Person,
    county: County,
    officer: str | None,
    stops: int,
    arrests: dict[int, list[PlannedArrest]],
    start: date,
    end: date,
    draw: Draw,
) -> None:
    planned = arrests.setdefault(person.person_id, [])
    for _ in range(stops):
        day = draw.day_between(start, end - timedelta(days=30))
        at = draw.moment_on(day)
        if any(_overlaps(at, existing) for existing in planned):
            continue  # in custody then, or too close to another arrest: no stop that day
        planned.append(_pretext(person, county, officer, at, draw))
    planned.sort(key=lambda arrest: arrest.at)


def _overlaps(at: datetime, arrest: PlannedArrest) -> bool:
    return arrest.at - timedelta(days=2) <= at <= arrest.free_from + timedelta(days=2)


def _pretext(
    person: Person, county: County, officer: str | None, at: datetime, draw: Draw
) -> PlannedArrest:
    offence = BY_CODE[draw.pick(_PRETEXT_CODES)]
    charge = ChargeSpec(offence.ncic_code, offence.description, at.date(), offence.max_term_days)
    dropped = draw.chance(_DROPPED_SHARE)
    outcome = ChargeOutcome(
        0, Disposition.DISMISSED if dropped else Disposition.CONVICTED, None if dropped else 0
    )
    disposed_at = at + timedelta(days=draw.integer(1, 10), hours=draw.integer(1, 8))
    return PlannedArrest(
        person_id=person.person_id,
        at=at,
        county=county,
        charges=(charge,),
        outcomes=(outcome,),
        disposed_at=disposed_at,
        release_at=disposed_at + timedelta(hours=draw.integer(2, 20)),
        officer=officer,
    )
