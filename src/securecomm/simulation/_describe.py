"""How a person is described at one capture (a booking or a repository enrolment).

Descriptions drift on purpose: a misspelt surname, an alias, a claimed citizenship that
is not true, a different weight. Identity is decided by fingerprints, never by these.
"""

from __future__ import annotations

from securecomm.simulation import _names
from securecomm.simulation._draw import Draw
from securecomm.simulation._people import Person
from securecomm.simulation.world import SubjectDescription

_MISSPELT_CHANCE = 0.05
_ALIAS_CHANCE = 0.08


def at_booking(person: Person, draw: Draw) -> SubjectDescription:
    surname = _misspelt(person.surname, draw) if draw.chance(_MISSPELT_CHANCE) else person.surname
    aliases = (_alias(person, draw),) if draw.chance(_ALIAS_CHANCE) else ()
    return _description(person, draw, surname, aliases, _claimed_at_arrest(person, draw))


def at_immigration_enrolment(person: Person, draw: Draw) -> SubjectDescription:
    # Enrolled (visa, entry, apprehension) as a national of the country of birth.
    claimed = person.country.ncic if person.country is not None else None
    return _description(person, draw, person.surname, (), claimed)


def at_criminal_enrolment(person: Person, draw: Draw) -> SubjectDescription:
    aliases = (_alias(person, draw),) if draw.chance(_ALIAS_CHANCE) else ()
    return _description(person, draw, person.surname, aliases, _claimed_at_arrest(person, draw))


def _description(
    person: Person, draw: Draw, surname: str, aliases: tuple[str, ...], claimed: str | None
) -> SubjectDescription:
    return SubjectDescription(
        surname=surname,
        given=person.given,
        middle=person.middle,
        dob=person.dob,
        sex=person.sex,
        race=person.race,
        place_of_birth=person.place_of_birth,
        height_in=person.height_in,
        weight_lb=person.weight_lb + draw.integer(-15, 15),
        eyes=person.eyes,
        hair=person.hair,
        aliases=aliases,
        claimed_citizenship=claimed,
    )


def _claimed_at_arrest(person: Person, draw: Draw) -> str | None:
    """What the arrestee says: citizens nearly always 'US'; some non-citizens claim it too."""
    roll = float(draw.rng.random())
    if person.citizen or person.country is None:
        return "US" if roll < 0.95 else None
    if roll < 0.65:
        return person.country.ncic
    if roll < 0.75:
        return "US"
    return None


def _alias(person: Person, draw: Draw) -> str:
    """An EBTS-style alias 'SURNAME,GIVEN': another given name, or one of two surnames."""
    parts = person.surname.split()
    if len(parts) > 1 and draw.chance(0.5):
        return f"{draw.pick(parts)},{person.given}"
    given_names = _names.GIVEN_NAMES[person.name_group][person.sex]
    return f"{person.surname},{draw.pick(given_names)}"


def _misspelt(name: str, draw: Draw) -> str:
    """Two neighbouring letters swapped, as a clerk might type them."""
    positions = [
        i
        for i in range(len(name) - 1)
        if name[i].isalpha() and name[i + 1].isalpha() and name[i] != name[i + 1]
    ]
    if not positions:
        return name
    i = draw.pick(positions)
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
