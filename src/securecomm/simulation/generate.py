"""Build a seeded, deterministic synthetic world.

Two kinds of randomness are kept apart so that each stays reproducible on its own:
one generator for the world's structure (people, records, arrests), and one generator
per person for their fingerprints (a master ten-print, then a fresh impression for each
capture in a fixed order: immigration enrolment, criminal enrolment, bookings by time).

With ``images=True`` every finger is drawn as a synthetic fingerprint image instead and
every capture is a rendered impression turned into a template by the image extractor,
as a real booking station's would be. That is slow (about 0.2 s of CPU per captured
finger and 0.35 s per master finger, some 2 s per ten-print capture), so it is meant for
small worlds. The ground-truth masters are then the templates extracted from the clean
master images.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime

import numpy as np

from securecomm.biometrics import synthetic_images
from securecomm.domain import ChargeFact, CriminalHistoryFact, Disposition
from securecomm.simulation import _describe, _places, _profiling
from securecomm.simulation._arrests import PlannedArrest, plan_arrests, prior_history
from securecomm.simulation._captures import Captures, ImageCaptures, NoCaptures, PrintSource
from securecomm.simulation._draw import Draw
from securecomm.simulation._people import (
    TRUE_STATUS,
    Person,
    allocate_kinds,
    make_person,
)
from securecomm.simulation._populations import POPULATIONS
from securecomm.simulation._truth import court_outcome, is_removable
from securecomm.simulation.world import (
    BookingEvent,
    CriminalRecordSpec,
    DispositionEvent,
    Event,
    GroundTruth,
    ImmigrationRecordSpec,
    PersonTruth,
    ReleaseEvent,
    TenPrint,
    World,
    WorldSpecError,
)

_STRUCTURE_STREAM = 0
_MAX_PEOPLE = 1_000_000


def build_world(
    *,
    people: int,
    start: date,
    end: date,
    seed: int,
    severity: float = 1.0,
    images: bool = False,
    population: str = "published",
    plant_profiling: bool = False,
    fingerprints: bool = True,
) -> World:
    """A world of ``people`` persons whose arrests fall in [start, end].

    ``population`` picks the mix of people: ``published`` (the default) is calibrated to
    the program's published national figures (about one submission in ten matches an
    immigration record); ``dense`` gives two in five people an immigration record, to
    exercise the federal side in a small world. ``plant_profiling`` adds pretextual
    arrests of one group in one jurisdiction and by one officer elsewhere (recorded in
    ``truth.planted``, for scoring the profiling monitor). ``fingerprints=False`` leaves
    every ten-print empty (the same people, records and events otherwise: the prints have
    a random stream of their own), for analyses that never search, at a tenth of the cost.

    ``images=True`` renders every capture as a fingerprint image and extracts its
    template (bookings carry what a booking station's extractor would see); a finger
    that still fails extraction after a few fresh captures is left out of that capture.
    The same arguments always give an identical world. Raises :class:`WorldSpecError`
    naming the argument and the rule it breaks.
    """
    _validate(people=people, start=start, end=end, seed=seed, severity=severity, images=images)
    if images and not fingerprints:
        raise WorldSpecError("fingerprints", "images=True draws fingerprints: it needs True")
    if population not in POPULATIONS:
        raise WorldSpecError("population", f"must be one of {sorted(POPULATIONS)}")
    draw = Draw(np.random.default_rng([seed, _STRUCTURE_STREAM]))
    kinds = allocate_kinds(people, draw, POPULATIONS[population])
    persons = [
        make_person(person_id, kind, start, end, draw)
        for person_id, kind in enumerate(kinds, start=1)
    ]
    arrests = {person.person_id: plan_arrests(person, start, end, draw) for person in persons}
    incident_ids = itertools.count(1)
    priors = {
        person.person_id: prior_history(
            person,
            arrested_in_range=bool(arrests[person.person_id]),
            start=start,
            incident_ids=incident_ids,
            draw=draw,
        )
        for person in persons
    }
    planted = (
        _profiling.plant(persons, arrests, start=start, end=end, seed=seed)
        if plant_profiling
        else None
    )
    numbers = _Numbers(draw)
    assembly = _Assembly()
    for person in persons:
        prints: PrintSource
        if not fingerprints:
            prints = NoCaptures()
        elif images:
            prints = ImageCaptures(seed=seed, person_id=person.person_id, severity=severity)
        else:
            prints = Captures(seed=seed, person_id=person.person_id, severity=severity)
        assembly.add_person(
            person, arrests[person.person_id], priors[person.person_id], prints, numbers, draw
        )
    return World(
        seed=seed,
        start=start,
        end=end,
        jurisdictions=_places.jurisdictions(),
        agencies=_places.agencies(),
        criminal_records=tuple(assembly.criminal_records),
        immigration_records=tuple(assembly.immigration_records),
        events=assembly.events(_profiling.officer_draw(seed)),
        truth=GroundTruth(
            persons=assembly.truths,
            booking_person=assembly.booking_person,
            masters=assembly.masters,
            planted=planted,
        ),
    )


def _validate(
    *, people: int, start: date, end: date, seed: int, severity: float, images: bool
) -> None:
    if isinstance(people, bool) or not isinstance(people, int):
        raise WorldSpecError("people", f"must be an int, got {type(people).__name__}")
    if not 1 <= people <= _MAX_PEOPLE:
        raise WorldSpecError("people", f"must be between 1 and {_MAX_PEOPLE}, got {people}")
    for name, day in (("start", start), ("end", end)):
        if isinstance(day, datetime) or not isinstance(day, date):
            raise WorldSpecError(name, f"must be a datetime.date, got {type(day).__name__}")
    if end <= start:
        raise WorldSpecError("end", f"must be after start ({start}), got {end}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise WorldSpecError("seed", f"must be a non-negative int, got {seed!r}")
    if not isinstance(severity, int | float) or not math.isfinite(severity) or severity < 0:
        raise WorldSpecError("severity", f"must be a finite number >= 0, got {severity!r}")
    if not isinstance(images, bool):
        raise WorldSpecError("images", f"must be a bool, got {type(images).__name__}")
    if images and severity > synthetic_images.MAX_SEVERITY:
        raise WorldSpecError(
            "severity",
            f"must be at most {synthetic_images.MAX_SEVERITY:g} with images, got {severity!r}",
        )


class _Numbers:
    """Unique random identifiers: FIN, A-number, FBI number, state id."""

    def __init__(self, draw: Draw) -> None:
        self._draw = draw
        self._used: set[str] = set()

    def _unique(self, make: Callable[[], str]) -> str:
        while True:
            candidate = make()
            if candidate not in self._used:
                self._used.add(candidate)
                return candidate

    def _digits(self, count: int) -> str:
        return str(self._draw.integer(10 ** (count - 1), 10**count - 1))

    def fin(self) -> str:
        return self._unique(lambda: self._digits(10))

    def a_number(self) -> str:
        return self._unique(lambda: "A" + self._digits(9))

    def fbi_number(self) -> str:
        # Six digits, two letters, one digit: nine characters, shaped like a UCN.
        return self._unique(
            lambda: (
                self._digits(6)
                + self._draw.pick(_LETTERS)
                + self._draw.pick(_LETTERS)
                + str(self._draw.integer(0, 9))
            )
        )

    def state_id(self, state: str) -> str:
        return self._unique(lambda: state + self._digits(8))


_LETTERS = "ABCDEFGHJKLMNPRTVWXY"


# Events at the same moment: a booking before the release from it, the release before
# the disposition.
_ORDER = {BookingEvent: 0, ReleaseEvent: 1, DispositionEvent: 2}


@dataclass
class _PendingBooking:
    person_id: int
    arrest: PlannedArrest
    booking: BookingEvent  # seq and tcn filled in when the whole world is ordered


class _Assembly:
    """Collects records, bookings and truth person by person, then orders the events."""

    def __init__(self) -> None:
        self.criminal_records: list[CriminalRecordSpec] = []
        self.immigration_records: list[ImmigrationRecordSpec] = []
        self.truths: dict[int, PersonTruth] = {}
        self.masters: dict[int, TenPrint] = {}
        self.booking_person: dict[str, int] = {}
        self._pending: list[_PendingBooking] = []

    def add_person(
        self,
        person: Person,
        arrests: list[PlannedArrest],
        priors: tuple[ChargeFact, ...],
        prints: PrintSource,
        numbers: _Numbers,
        draw: Draw,
    ) -> None:
        self.masters[person.person_id] = prints.master
        fin = self._add_immigration_record(person, prints, numbers, draw)
        if priors:
            self.criminal_records.append(
                CriminalRecordSpec(
                    person_id=person.person_id,
                    fbi_number=numbers.fbi_number(),
                    state_id=numbers.state_id(_home_state(person)),
                    subject=_describe.at_criminal_enrolment(person, draw),
                    history=CriminalHistoryFact(priors),
                    prints=prints.fresh(),
                )
            )
        for arrest in arrests:
            self._pending.append(
                _PendingBooking(person.person_id, arrest, _booking(person, arrest, prints, draw))
            )
        self.truths[person.person_id] = _truth(person, arrests, priors, fin, draw)

    def _add_immigration_record(
        self, person: Person, prints: PrintSource, numbers: _Numbers, draw: Draw
    ) -> str | None:
        if not person.in_immigration_repository:
            return None
        fin = numbers.fin()
        self.immigration_records.append(
            ImmigrationRecordSpec(
                person_id=person.person_id,
                fin=fin,
                a_number=numbers.a_number() if person.has_a_number else None,
                subject=_describe.at_immigration_enrolment(person, draw),
                encounters=person.encounters,
                prints=prints.fresh(),
            )
        )
        return fin

    def events(self, officers: Draw) -> tuple[Event, ...]:
        """Bookings get TCNs and arresting officers in time order; then every event gets
        its place in (at, seq)."""
        self._pending.sort(key=lambda pending: (pending.arrest.at, pending.person_id))
        unordered: list[Event] = []
        for number, pending in enumerate(self._pending, start=1):
            booking = pending.booking
            tcn = f"{booking.ori}{booking.at:%Y%m%d}{number:06d}"
            self.booking_person[tcn] = pending.person_id
            arrest = pending.arrest
            officer = arrest.officer or _profiling.any_officer(arrest.county, officers)
            unordered.append(replace(booking, tcn=tcn, arresting_officer=officer))
            if arrest.pretrial_release_at is not None:
                unordered.append(ReleaseEvent(seq=0, at=arrest.pretrial_release_at, tcn=tcn))
            unordered.append(
                DispositionEvent(
                    seq=0,
                    at=pending.arrest.disposed_at,
                    tcn=tcn,
                    outcomes=pending.arrest.outcomes,
                    release_at=pending.arrest.release_at,
                )
            )
        unordered.sort(key=lambda event: (event.at, _ORDER[type(event)], event.tcn))
        return tuple(replace(event, seq=seq) for seq, event in enumerate(unordered, start=1))


def _booking(
    person: Person, arrest: PlannedArrest, prints: PrintSource, draw: Draw
) -> BookingEvent:
    captured, images = prints.booking_capture()
    return BookingEvent(
        seq=0,
        at=arrest.at,
        tcn="",
        ori=arrest.county.local_ori,
        jurisdiction_code=arrest.county.fips,
        subject=_describe.at_booking(person, draw),
        charges=arrest.charges,
        prints=captured,
        images=images,
    )


def _truth(
    person: Person,
    arrests: list[PlannedArrest],
    priors: tuple[ChargeFact, ...],
    fin: str | None,
    draw: Draw,
) -> PersonTruth:
    convictions = [(c.ncic_code, c.sentence_days) for c in priors if c.convicted]
    for arrest in arrests:
        convictions.extend(
            (arrest.charges[outcome.index].ncic_code, outcome.sentence_days)
            for outcome in arrest.outcomes
            if outcome.disposition is Disposition.CONVICTED
        )
    removable = is_removable(person.kind, convictions)
    return PersonTruth(
        person_id=person.person_id,
        kind=person.kind,
        true_status=TRUE_STATUS[person.kind],
        citizen=person.citizen,
        removable=removable,
        in_immigration_repository=person.in_immigration_repository,
        in_criminal_repository_at_start=bool(priors),
        court_outcome=court_outcome(
            person.kind, citizen=person.citizen, removable=removable, draw=draw
        ),
        fin=fin,
    )


def _home_state(person: Person) -> str:
    return next(county.state for county in _places.COUNTIES if county.fips == person.home_county)
