"""Arrests in the world's range, with their court dispositions, and criminal histories
from before the world's start.

Rates are plausible, not measured: about a third of people are arrested at least once
(men more often than women, non-citizens slightly more often), repeat arrests follow
release from the previous one, and most charges end in a conviction or a dismissal.

Most people are released before trial (bail, own recognisance, a citation): about six
in ten felony defendants and most people charged with a misdemeanour (BJS, State Court
Processing Statistics, felony defendants in large urban counties 2009), never anyone
charged with an offence that is an aggravated felony in itself; bail is set the day after
the arrest at the earliest. A detainer meets the
person at that release, before any conviction: this is how most people the program
removed came to be "non-criminal" or Level 3 at the time ICE took custody.
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
_PRETRIAL_RELEASE_CHANCE = {True: 0.6, False: 0.8}  # keyed by "charged with a felony"


@dataclass(frozen=True)
class PlannedArrest:
    """One arrest and what became of it, before TCNs and prints are assigned."""

    person_id: int
    at: datetime
    county: County
    charges: tuple[ChargeSpec, ...]
    outcomes: tuple[ChargeOutcome, ...]
    disposed_at: datetime
    # Released from local custody at the disposition (having served any sentence); None
    # when the person was released before trial and the sentence keeps nobody in custody.
    release_at: datetime | None
    officer: str | None = None  # a planted profiling officer; others are drawn later
    pretrial_release_at: datetime | None = None  # bail, own recognisance, a citation

    @property
    def free_from(self) -> datetime:
        """When the person is out of local custody for good after this arrest."""
        return self.release_at or self.disposed_at


def plan_arrests(person: Person, start: date, end: date, draw: Draw) -> list[PlannedArrest]:
    chance = _ARREST_CHANCE[person.sex] * (1.0 if person.citizen else _NON_CITIZEN_FACTOR)
    if not draw.chance(chance):
        return []
    wanted = draw.weighted(_BOOKINGS_PER_ARRESTEE, _BOOKINGS_WEIGHTS)
    days = sorted(draw.day_between(start, end) for _ in range(wanted))
    arrests: list[PlannedArrest] = []
    for day in days:
        if arrests and day <= arrests[-1].free_from.date():
            # Still in custody or awaiting trial on that day: the next arrest comes some
            # weeks after the last one is over.
            day = arrests[-1].free_from.date() + timedelta(days=draw.integer(7, 90))
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
    pretrial = _pretrial_release(at, offences, draw)
    if pretrial is not None and pretrial >= disposed_at:
        pretrial = None  # the court disposed of the charges before bail was made
    served = _time_served(outcomes, draw)
    kept = pretrial is None or any(outcome.sentence_days for outcome in outcomes)
    return PlannedArrest(
        person_id=person.person_id,
        at=at,
        county=_arrest_county(person, draw),
        charges=charges,
        outcomes=outcomes,
        disposed_at=disposed_at,
        release_at=disposed_at + served if kept else None,
        pretrial_release_at=pretrial,
    )


def _pretrial_release(at: datetime, offences: list[Offence], draw: Draw) -> datetime | None:
    """When the person leaves on bail or own recognisance, None when held until trial."""
    if any(offence.aggravated == "per_se" for offence in offences):
        return None  # held without bail
    felony = any(offence.is_felony for offence in offences)
    if not draw.chance(_PRETRIAL_RELEASE_CHANCE[felony]):
        return None
    # Bail is set at the first appearance before a judge, the day after the arrest at the
    # earliest; by then every answer to the booking has arrived (service_times caps them).
    if felony:
        return at + timedelta(days=draw.integer(1, 14), hours=draw.integer(0, 12))
    return at + timedelta(days=1, hours=draw.integer(0, 36))


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
    the person is not in the criminal repository at the world's start. Nobody has a U.S.
    arrest from before they first came to the United States, and the chance of a record
    shrinks with the share of their adult years before ``start`` spent here."""
    adult = max(person.dob + timedelta(days=18 * 366), start - timedelta(days=20 * 365))
    latest = start - timedelta(days=300)
    arrived = min((e.day for e in person.encounters), default=adult)
    earliest = max(adult, arrived)
    here = (latest - earliest).days / (latest - adult).days if latest > adult else 0.0
    if not draw.chance(_PRIOR_RECORD_CHANCE[arrested_in_range] * max(0.0, min(1.0, here))):
        return ()
    if earliest > latest:
        return ()  # too young at the start, or arrived too late, to have a record
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
