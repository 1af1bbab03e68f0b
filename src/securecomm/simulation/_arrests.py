"""Arrests in the world's range, with their court dispositions, and criminal histories
from before the world's start.

Rates are plausible, not measured: about a third of people are arrested at least once
(men more often than women, non-citizens slightly more often), repeat arrests follow
release from the previous one, and most charges end in a conviction or a dismissal.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from securecomm.domain import ChargeFact, Disposition
from securecomm.simulation._draw import Draw
from securecomm.simulation._offences import OFFENCE_WEIGHTS, OFFENCES, Offence
from securecomm.simulation._people import Person
from securecomm.simulation._places import COUNTIES, County
from securecomm.simulation.world import ChargeOutcome, ChargeSpec

_ARREST_CHANCE = {"M": 0.52, "F": 0.2}
_NON_CITIZEN_FACTOR = 1.15
_BOOKINGS_PER_ARRESTEE = (1, 2, 3, 4, 5)
_BOOKINGS_WEIGHTS = (0.55, 0.25, 0.11, 0.06, 0.03)
_CHARGES_PER_BOOKING = (1, 2, 3)
_CHARGES_WEIGHTS = (0.55, 0.3, 0.15)
_DISPOSITIONS = (Disposition.CONVICTED, Disposition.DISMISSED, Disposition.ACQUITTED)
_DISPOSITION_WEIGHTS = (0.6, 0.32, 0.08)
_PRIOR_RECORD_CHANCE = {True: 0.4, False: 0.08}  # keyed by "arrested in the range"


@dataclass(frozen=True)
class PlannedArrest:
    """One arrest and what became of it, before TCNs and prints are assigned."""

    person_id: int
    at: datetime
    county: County
    charges: tuple[ChargeSpec, ...]
    outcomes: tuple[ChargeOutcome, ...]
    disposed_at: datetime
    release_at: datetime
    officer: str | None = None  # a planted profiling officer; others are drawn later


def plan_arrests(person: Person, start: date, end: date, draw: Draw) -> list[PlannedArrest]:
    chance = _ARREST_CHANCE[person.sex] * (1.0 if person.citizen else _NON_CITIZEN_FACTOR)
    if not draw.chance(chance):
        return []
    wanted = draw.weighted(_BOOKINGS_PER_ARRESTEE, _BOOKINGS_WEIGHTS)
    days = sorted(draw.day_between(start, end) for _ in range(wanted))
    arrests: list[PlannedArrest] = []
    for day in days:
        if arrests and day <= arrests[-1].release_at.date():
            # Still in custody on that day: the next arrest comes some weeks after release.
            day = arrests[-1].release_at.date() + timedelta(days=draw.integer(7, 90))
        if day > end:
            break
        arrests.append(_arrest(person, draw.moment_on(day), draw))
    return arrests


def _arrest(person: Person, at: datetime, draw: Draw) -> PlannedArrest:
    offences = _offences(draw)
    charges = tuple(
        ChargeSpec(
            ncic_code=offence.ncic_code,
            description=offence.description,
            offence_date=at.date() - timedelta(days=draw.integer(0, 3) if draw.chance(0.2) else 0),
            max_term_days=offence.max_term_days,
        )
        for offence in offences
    )
    outcomes = tuple(_outcome(index, offence, draw) for index, offence in enumerate(offences))
    felony = any(offence.is_felony for offence in offences)
    disposed_at = at + timedelta(
        days=draw.integer(30, 240) if felony else draw.integer(1, 60),
        hours=draw.integer(1, 8),
    )
    return PlannedArrest(
        person_id=person.person_id,
        at=at,
        county=_arrest_county(person, draw),
        charges=charges,
        outcomes=outcomes,
        disposed_at=disposed_at,
        release_at=disposed_at + _time_served(outcomes, draw),
    )


def _offences(draw: Draw) -> list[Offence]:
    count = draw.weighted(_CHARGES_PER_BOOKING, _CHARGES_WEIGHTS)
    chosen: list[Offence] = []
    while len(chosen) < count:
        offence = draw.weighted(OFFENCES, OFFENCE_WEIGHTS)
        if offence not in chosen:
            chosen.append(offence)
    return chosen


def _outcome(index: int, offence: Offence, draw: Draw) -> ChargeOutcome:
    disposition = draw.weighted(_DISPOSITIONS, _DISPOSITION_WEIGHTS)
    sentence = _sentence(offence, draw) if disposition is Disposition.CONVICTED else None
    return ChargeOutcome(index=index, disposition=disposition, sentence_days=sentence)


def _sentence(offence: Offence, draw: Draw) -> int:
    """Custodial days imposed on a conviction; 0 means probation, a fine or time served."""
    if offence.is_felony and draw.chance(0.55):
        return draw.integer(366, min(offence.max_term_days, 3650))
    if draw.chance(0.5):
        return 0
    return draw.integer(1, min(offence.max_term_days, 365))


def _time_served(outcomes: tuple[ChargeOutcome, ...], draw: Draw) -> timedelta:
    longest = max((outcome.sentence_days or 0) for outcome in outcomes)
    if longest == 0:
        return timedelta(hours=draw.integer(2, 20))
    # Good-time credit: most people serve half to most of the sentence.
    served = max(1, round(longest * (0.5 + 0.35 * float(draw.rng.random()))))
    return timedelta(days=served, hours=draw.integer(0, 12))


def _arrest_county(person: Person, draw: Draw) -> County:
    home = next(county for county in COUNTIES if county.fips == person.home_county)
    roll = float(draw.rng.random())
    if roll < 0.85:
        return home
    if roll < 0.95:
        return draw.pick([county for county in COUNTIES if county.state == home.state])
    return draw.pick(COUNTIES)


def prior_history(
    person: Person, *, arrested_in_range: bool, start: date, incident_ids: Iterator[int], draw: Draw
) -> tuple[ChargeFact, ...]:
    """Charges from arrests before ``start``, all disposed of before ``start``; empty when
    the person is not in the criminal repository at the world's start."""
    if not draw.chance(_PRIOR_RECORD_CHANCE[arrested_in_range]):
        return ()
    earliest = max(person.dob + timedelta(days=18 * 366), start - timedelta(days=20 * 365))
    latest = start - timedelta(days=300)
    if earliest > latest:
        return ()  # too young at the start to have an adult record
    charges: list[ChargeFact] = []
    for day in sorted(draw.day_between(earliest, latest) for _ in range(draw.integer(1, 3))):
        incident = f"{_arrest_county(person, draw).local_ori}{day:%Y%m%d}H{next(incident_ids):05d}"
        disposed = day + timedelta(days=draw.integer(1, 200))
        for index, offence in enumerate(_offences(draw)):
            outcome = _outcome(index, offence, draw)
            charges.append(
                ChargeFact(
                    ncic_code=offence.ncic_code,
                    description=offence.description,
                    arrest_date=day,
                    incident_id=incident,
                    max_term_days=offence.max_term_days,
                    disposition=outcome.disposition,
                    disposition_date=disposed,
                    sentence_days=outcome.sentence_days,
                )
            )
    return tuple(charges)
