"""Synthetic people: who they are, where they live, and their immigration encounters.

Every encounter is dated before the world's start, so a person's true status is the
same on every arrest date in the world's range (an overstay's admission ended before
the start; a TPS grant or a non-immigrant admission lasts past the end).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from securecomm.domain import EncounterFact, EncounterKind, StatusCategory
from securecomm.simulation import _names
from securecomm.simulation._draw import Draw
from securecomm.simulation._names import Country
from securecomm.simulation._places import COUNTIES
from securecomm.simulation._populations import DENSE_SHARES
from securecomm.simulation.world import PersonKind

TRUE_STATUS: dict[PersonKind, StatusCategory] = {
    PersonKind.US_BORN: StatusCategory.CITIZEN_BY_BIRTH,
    PersonKind.NATURALISED: StatusCategory.CITIZEN_BY_NATURALISATION,
    PersonKind.DERIVED: StatusCategory.CITIZEN_BY_DERIVATION,
    PersonKind.LPR: StatusCategory.LPR,
    PersonKind.OTHER_LAWFUL: StatusCategory.OTHER_LAWFUL,
    PersonKind.OVERSTAY: StatusCategory.OVERSTAY,
    PersonKind.EWI: StatusCategory.ENTERED_WITHOUT_INSPECTION,
    PersonKind.REMOVED_REENTERED: StatusCategory.REMOVED_AND_REENTERED,
    PersonKind.FINAL_ORDER: StatusCategory.FINAL_ORDER,
    PersonKind.IN_PROCEEDINGS: StatusCategory.IN_PROCEEDINGS,
    PersonKind.INSUFFICIENT_RECORD: StatusCategory.UNABLE_TO_DETERMINE,
}

# Age at the world's start: old enough for the kind's history to fit before it.
_AGE_AT_START: dict[PersonKind, tuple[int, int]] = {
    PersonKind.US_BORN: (18, 62),
    PersonKind.NATURALISED: (30, 64),
    PersonKind.DERIVED: (19, 45),
    PersonKind.LPR: (21, 62),
    PersonKind.OTHER_LAWFUL: (21, 58),
    PersonKind.OVERSTAY: (20, 55),
    PersonKind.EWI: (18, 55),
    PersonKind.REMOVED_REENTERED: (22, 55),
    PersonKind.FINAL_ORDER: (22, 55),
    PersonKind.IN_PROCEEDINGS: (21, 55),
    PersonKind.INSUFFICIENT_RECORD: (21, 55),
}

# Kinds whose immigration history gives them an A-number (benefits or proceedings).
_HAS_A_NUMBER = frozenset(
    {
        PersonKind.NATURALISED,
        PersonKind.DERIVED,
        PersonKind.LPR,
        PersonKind.OTHER_LAWFUL,
        PersonKind.REMOVED_REENTERED,
        PersonKind.FINAL_ORDER,
        PersonKind.IN_PROCEEDINGS,
    }
)

_TPS_COUNTRIES = frozenset({"SV", "HN", "HT"})
_PORTS = ("LAX", "JFK", "MIA", "IAH", "ORD", "ATL", "SFO", "SYS", "ELP", "NOG", "DFW")
_VISA_POSTS = {"MX": "Ciudad Juarez", "CN": "Guangzhou", "IN": "Mumbai", "PH": "Manila"}
_COURTS = ("Houston", "Los Angeles", "Phoenix", "Miami", "Chicago", "New York", "Atlanta")


def _years(count: float) -> timedelta:
    return timedelta(days=round(365.25 * count))


@dataclass(frozen=True)
class Person:
    """One synthetic person as generated; truth and descriptions are derived from it."""

    person_id: int
    kind: PersonKind
    sex: str
    dob: date
    surname: str
    given: str
    middle: str | None
    race: str
    place_of_birth: str  # NCIC code
    country: Country | None  # None for the U.S.-born
    height_in: int
    weight_lb: int
    eyes: str
    hair: str
    home_county: str  # FIPS code
    name_group: str
    encounters: tuple[EncounterFact, ...]

    @property
    def citizen(self) -> bool:
        return TRUE_STATUS[self.kind].is_citizen

    @property
    def in_immigration_repository(self) -> bool:
        return bool(self.encounters)

    @property
    def has_a_number(self) -> bool:
        return self.kind in _HAS_A_NUMBER


def allocate_kinds(
    people: int, draw: Draw, shares: dict[PersonKind, float] = DENSE_SHARES
) -> list[PersonKind]:
    """Kinds for ``people`` persons: the target mix by largest remainder, every kind
    present once the population is large enough, in a shuffled order."""
    kinds = list(shares)
    counts = {kind: int(people * share) for kind, share in shares.items()}
    if people >= len(kinds):
        for kind in kinds:
            counts[kind] = max(counts[kind], 1)
    by_remainder = sorted(kinds, key=lambda k: people * shares[k] - int(people * shares[k]))
    while sum(counts.values()) < people:
        counts[by_remainder.pop() if by_remainder else PersonKind.US_BORN] += 1
    while sum(counts.values()) > people:
        counts[PersonKind.US_BORN] -= 1
    allocated = [kind for kind in kinds for _ in range(counts[kind])]
    order = draw.rng.permutation(len(allocated))
    return [allocated[int(index)] for index in order]


def make_person(person_id: int, kind: PersonKind, start: date, end: date, draw: Draw) -> Person:
    sex = "M" if draw.chance(0.5) else "F"
    low, high = _AGE_AT_START[kind]
    dob = start - timedelta(days=draw.integer(low * 365 + 1, high * 365 + 300))
    county = draw.weighted(COUNTIES, _COUNTY_WEIGHTS)
    if kind is PersonKind.US_BORN:
        group, race = _us_origin(draw)
        country = None
        place_of_birth = county.state if draw.chance(0.7) else draw.pick(_US_STATES)
    else:
        country = draw.weighted(_names.COUNTRIES, [c.weight for c in _names.COUNTRIES])
        group = country.names
        race = draw.weighted([r for r, _ in country.races], [w for _, w in country.races])
        place_of_birth = country.ncic
    dark = group != "anglo" or race != "W"
    encounters = _encounters(kind, dob, start, end, country, draw)
    return Person(
        person_id=person_id,
        kind=kind,
        sex=sex,
        dob=dob,
        surname=_surname(group, draw),
        given=draw.pick(_names.GIVEN_NAMES[group][sex]),
        middle=_middle(group, sex, draw),
        race=race,
        place_of_birth=place_of_birth,
        country=country,
        height_in=draw.integer(63, 76) if sex == "M" else draw.integer(58, 70),
        weight_lb=draw.integer(135, 260) if sex == "M" else draw.integer(105, 220),
        eyes=draw.weighted(
            _names.EYE_COLOURS, _names.DARK_EYE_WEIGHTS if dark else _names.MIXED_EYE_WEIGHTS
        ),
        hair=draw.weighted(
            _names.HAIR_COLOURS, _names.DARK_HAIR_WEIGHTS if dark else _names.MIXED_HAIR_WEIGHTS
        ),
        home_county=county.fips,
        name_group=group,
        encounters=encounters,
    )


# Square root of population: big counties get more people, small ones still some.
_COUNTY_WEIGHTS = tuple(county.population_k**0.5 for county in COUNTIES)
_US_STATES = ("TX", "CA", "AZ", "FL", "IL", "NY", "GA", "OH", "PA", "MI", "NC", "NJ", "WA")


def _us_origin(draw: Draw) -> tuple[str, str]:
    origins = _names.US_BORN_ORIGINS
    group, race, _ = draw.weighted(origins, [share for _, _, share in origins])
    return group, race


def _surname(group: str, draw: Draw) -> str:
    surname = draw.pick(_names.SURNAMES[group])
    if group == "hispanic" and draw.chance(0.35):
        # Two surnames (paternal maternal), common in Latin American records.
        surname = f"{surname} {draw.pick(_names.SURNAMES[group])}"
    return surname


def _middle(group: str, sex: str, draw: Draw) -> str | None:
    if draw.chance(0.35):
        return None
    return draw.pick(_names.GIVEN_NAMES[group][sex])


# --- immigration histories ------------------------------------------------------------


def _encounters(
    kind: PersonKind, dob: date, start: date, end: date, country: Country | None, draw: Draw
) -> tuple[EncounterFact, ...]:
    history = _History(dob=dob, cutoff=start - timedelta(days=30), end=end, draw=draw)
    iso = country.iso if country is not None else "US"
    match kind:
        case PersonKind.US_BORN:
            return ()
        case PersonKind.NATURALISED:
            history.naturalised(iso)
        case PersonKind.DERIVED:
            history.derived(iso)
        case PersonKind.LPR:
            history.permanent_resident(iso)
        case PersonKind.OTHER_LAWFUL:
            history.other_lawful(iso)
        case PersonKind.OVERSTAY:
            history.overstay(iso)
        case PersonKind.EWI:
            history.entered_without_inspection(iso)
        case PersonKind.REMOVED_REENTERED:
            history.removed(iso)
        case PersonKind.FINAL_ORDER:
            history.final_order()
        case PersonKind.IN_PROCEEDINGS:
            history.in_proceedings(start)
        case PersonKind.INSUFFICIENT_RECORD:
            history.visa(history.day_between(history.adult, history.cutoff), "B2", iso)
    return tuple(sorted(history.encounters, key=lambda encounter: encounter.day))


@dataclass
class _History:
    """Builds one person's encounters, all on or before ``cutoff``."""

    dob: date
    cutoff: date
    end: date
    draw: Draw

    def __post_init__(self) -> None:
        self.encounters: list[EncounterFact] = []

    @property
    def adult(self) -> date:
        return self.dob + _years(16)

    def day_between(self, first: date, last: date) -> date:
        return self.draw.day_between(first, min(last, self.cutoff))

    def add(self, kind: EncounterKind, day: date, **detail: str) -> date:
        self.encounters.append(EncounterFact(kind, min(day, self.cutoff), detail))
        return min(day, self.cutoff)

    # building blocks

    def visa(self, day: date, visa_class: str, iso: str) -> date:
        post = _VISA_POSTS.get(iso, "consulate")
        return self.add(EncounterKind.VISA_ISSUANCE, day, **{"class": visa_class, "post": post})

    def entry(self, day: date, visa_class: str, admitted_until: date | None) -> date:
        until = admitted_until.isoformat() if admitted_until is not None else "D/S"
        detail = {"class": visa_class, "admitted_until": until, "port": self.draw.pick(_PORTS)}
        return self.add(EncounterKind.ENTRY, day, **detail)

    def visitor_entry(self, day: date, iso: str) -> date:
        """Visa issued some weeks before, then a six-month visitor admission."""
        self.visa(day - timedelta(days=self.draw.integer(20, 200)), "B2", iso)
        return self.entry(day, "B2", day + timedelta(days=180))

    def turned_back(self, day: date, iso: str) -> date:
        """Caught at the border and allowed to return voluntarily."""
        self.add(EncounterKind.BORDER_APPREHENSION, day, sector=self.draw.pick(_SECTORS))
        return self.add(EncounterKind.VOLUNTARY_RETURN, day + timedelta(days=1), country=iso)

    def proceedings(self, day: date) -> date:
        return self.add(EncounterKind.NTA_ISSUED, day, court=self.draw.pick(_COURTS))

    # one method per kind

    def naturalised(self, iso: str) -> None:
        latest_entry = self.cutoff - _years(8)
        entry = self.day_between(self.adult, latest_entry)
        if self.draw.chance(0.25):
            earlier = self.draw.day_between(self.adult - _years(1), entry - _years(1))
            if self.draw.chance(0.2):
                self.removal(earlier, iso, expedited=True)
            else:
                self.turned_back(earlier, iso)
        self.visitor_entry(entry, iso)
        lpr = self.day_between(entry + timedelta(days=60), entry + _years(2.5))
        self.add(EncounterKind.LPR_ADJUSTMENT, lpr, basis=self.draw.pick(_LPR_BASES))
        nat = self.day_between(lpr + _years(5), lpr + _years(9))
        self.add(
            EncounterKind.NATURALISATION, nat, certificate=f"N{self.draw.integer(10**7, 10**8 - 1)}"
        )

    def derived(self, iso: str) -> None:
        entry = self.draw.day_between(self.dob + _years(8), self.dob + _years(12))
        self.visitor_entry(entry, iso)
        lpr = self.draw.day_between(entry + timedelta(days=90), entry + _years(2))
        self.add(EncounterKind.LPR_ADJUSTMENT, lpr, basis="child of LPR parent")
        derived = self.draw.day_between(lpr + _years(1), self.dob + _years(17.5))
        self.add(
            EncounterKind.DERIVED_CITIZENSHIP,
            derived,
            certificate=f"C{self.draw.integer(10**7, 10**8 - 1)}",
            basis="parent naturalised while the child was an LPR under 18",
        )

    def permanent_resident(self, iso: str) -> None:
        entry = self.day_between(self.adult, self.cutoff - _years(1.5))
        if self.draw.chance(0.15):
            earlier = self.draw.day_between(self.adult - _years(1), entry - _years(1))
            self.turned_back(earlier, iso)
        self.visitor_entry(entry, iso)
        lpr = self.day_between(entry + timedelta(days=60), entry + _years(4))
        self.add(EncounterKind.LPR_ADJUSTMENT, lpr, basis=self.draw.pick(_LPR_BASES))

    def other_lawful(self, iso: str) -> None:
        until = (self.end + _years(self.draw.integer(1, 3))).isoformat()
        arrival = self.day_between(self.adult, self.cutoff - _years(1))
        route = self.draw.weighted(_LAWFUL_ROUTES, _LAWFUL_ROUTE_WEIGHTS)
        if route == "tps" and iso not in _TPS_COUNTRIES:
            route = "nonimmigrant"
        match route:
            case "asylum":
                self.add(
                    EncounterKind.BORDER_APPREHENSION, arrival, sector=self.draw.pick(_SECTORS)
                )
                self.proceedings(arrival + timedelta(days=10))
                grant = self.day_between(arrival + _years(1), arrival + _years(4))
                self.add(EncounterKind.ASYLUM_GRANT, grant, court=self.draw.pick(_COURTS))
            case "refugee":
                self.add(EncounterKind.REFUGEE_ADMISSION, arrival, country=iso)
            case "tps":
                self.add(EncounterKind.TPS_GRANT, arrival, country=iso, admitted_until=until)
            case "parole":
                self.add(EncounterKind.PAROLE, arrival, admitted_until=until)
            case _:
                visa_class = self.draw.pick(("H1B", "E2", "L1"))
                self.visa(arrival - timedelta(days=self.draw.integer(20, 120)), visa_class, iso)
                self.add(
                    EncounterKind.ENTRY,
                    arrival,
                    **{
                        "class": visa_class,
                        "admitted_until": until,
                        "port": self.draw.pick(_PORTS),
                    },
                )

    def overstay(self, iso: str) -> None:
        # The six-month admission ends before the cutoff: out of status all through the world.
        entry = self.day_between(self.adult, self.cutoff - timedelta(days=200))
        self.visitor_entry(entry, iso)

    def entered_without_inspection(self, iso: str) -> None:
        # About half were turned back at the border once (and so are in the repository);
        # the others were never encountered and cannot match.
        if self.draw.chance(0.55):
            self.turned_back(self.day_between(self.adult, self.cutoff), iso)

    def removal(self, day: date, iso: str, *, expedited: bool) -> date:
        if expedited:
            self.add(EncounterKind.BORDER_APPREHENSION, day, sector=self.draw.pick(_SECTORS))
        else:
            self.add(EncounterKind.INTERIOR_APPREHENSION, day, office=self.draw.pick(_COURTS))
            day = self.proceedings(day + timedelta(days=2))
            day += timedelta(days=self.draw.integer(60, 500))
        self.add(EncounterKind.FINAL_ORDER, day, court=self.draw.pick(_COURTS))
        return self.add(
            EncounterKind.REMOVAL, day + timedelta(days=self.draw.integer(1, 40)), country=iso
        )

    def removed(self, iso: str) -> None:
        if self.draw.chance(0.5):
            entry = self.day_between(self.adult, self.cutoff - _years(3))
            self.visitor_entry(entry, iso)
            caught = self.day_between(entry + _years(1), self.cutoff - _years(1.5))
            removed = self.removal(caught, iso, expedited=False)
        else:
            caught = self.day_between(self.adult, self.cutoff - _years(0.5))
            removed = self.removal(caught, iso, expedited=True)
        if self.draw.chance(0.25) and removed < self.cutoff - _years(0.5):
            # Came back, caught and removed again; then re-entered once more.
            self.removal(
                self.day_between(removed + timedelta(days=30), self.cutoff), iso, expedited=True
            )

    def final_order(self) -> None:
        caught = self.day_between(self.adult, self.cutoff - _years(2))
        self.add(EncounterKind.INTERIOR_APPREHENSION, caught, office=self.draw.pick(_COURTS))
        self.proceedings(caught + timedelta(days=3))
        # Ordered removed (often in absentia) but never removed: a fugitive.
        order = self.day_between(caught + _years(0.5), caught + _years(3))
        self.add(EncounterKind.FINAL_ORDER, order, court=self.draw.pick(_COURTS), in_absentia="Y")

    def in_proceedings(self, start: date) -> None:
        caught = self.day_between(
            max(self.adult, start - _years(3)), self.cutoff - timedelta(days=10)
        )
        self.add(EncounterKind.INTERIOR_APPREHENSION, caught, office=self.draw.pick(_COURTS))
        self.proceedings(caught + timedelta(days=5))


_SECTORS = ("Rio Grande Valley", "Tucson", "San Diego", "El Paso", "Laredo", "Yuma")
_LPR_BASES = ("spouse of U.S. citizen", "employment", "parent of U.S. citizen", "sibling")
_LAWFUL_ROUTES = ("asylum", "refugee", "tps", "parole", "nonimmigrant")
_LAWFUL_ROUTE_WEIGHTS = (0.2, 0.15, 0.25, 0.1, 0.3)
