"""Building the world: determinism, argument checks, the population mix, scale figures."""

from __future__ import annotations

import hashlib
import math
from datetime import date, datetime
from typing import Any

import pytest

from securecomm.biometrics import Template
from securecomm.simulation import PersonKind, World, WorldSpecError, build_world
from securecomm.simulation.world import BookingEvent


def _canonical(value: Any) -> Any:
    """Replace templates by their exact bytes so a world can be hashed through repr."""
    if isinstance(value, Template):
        return value.to_bytes().hex()
    if isinstance(value, dict):
        return sorted((repr(key), _canonical(item)) for key, item in value.items())
    if isinstance(value, tuple | list):
        return [_canonical(item) for item in value]
    if hasattr(value, "__dataclass_fields__"):
        return [type(value).__name__] + [
            (name, _canonical(getattr(value, name))) for name in value.__dataclass_fields__
        ]
    return repr(value)


def _digest(world: World) -> str:
    return hashlib.sha256(repr(_canonical(world)).encode()).hexdigest()


def _small(seed: int) -> World:
    return build_world(
        people=40, start=date(2011, 1, 1), end=date(2013, 12, 31), seed=seed, population="dense"
    )


def test_same_seed_gives_an_identical_world() -> None:
    assert _digest(_small(5)) == _digest(_small(5))


def test_different_seeds_give_different_worlds() -> None:
    first, second = _small(5), _small(6)
    assert _digest(first) != _digest(second)
    assert [e.at for e in first.events] != [e.at for e in second.events]


def test_the_event_hash_covers_prints() -> None:
    world = _small(5)
    booking = world.bookings[0]
    altered_print = dict(booking.prints)
    altered_print[1] = world.truth.masters[world.truth.booking_person[booking.tcn]][1]
    altered = BookingEvent(**{**booking.__dict__, "prints": altered_print})
    assert _canonical(altered) != _canonical(booking)


@pytest.mark.parametrize(
    ("arguments", "argument"),
    [
        ({"people": 0}, "people"),
        ({"people": True}, "people"),
        ({"people": 2.5}, "people"),
        ({"end": date(2009, 12, 31)}, "end"),
        ({"end": date(2010, 1, 1)}, "end"),
        ({"start": datetime(2010, 1, 1, 12, 0)}, "start"),
        ({"seed": -1}, "seed"),
        ({"severity": math.nan}, "severity"),
        ({"severity": -0.5}, "severity"),
    ],
)
def test_bad_arguments_raise_a_typed_error_naming_the_argument(
    arguments: dict[str, Any], argument: str
) -> None:
    spec: dict[str, Any] = {
        "people": 10,
        "start": date(2010, 1, 1),
        "end": date(2011, 1, 1),
        "seed": 1,
    }
    with pytest.raises(WorldSpecError) as raised:
        build_world(**{**spec, **arguments})
    assert raised.value.argument == argument
    assert argument in str(raised.value)


def test_every_kind_of_person_is_present(world: World) -> None:
    kinds = {truth.kind for truth in world.truth.persons.values()}
    assert kinds == set(PersonKind)


def test_the_mix_is_mostly_citizens_by_birth(world: World) -> None:
    persons = list(world.truth.persons.values())
    assert len(persons) == 150
    by_birth = sum(truth.kind == PersonKind.US_BORN for truth in persons)
    assert 0.5 <= by_birth / len(persons) <= 0.7


def test_a_third_to_a_half_are_arrested_some_more_than_once(world: World) -> None:
    people = len(world.truth.persons)
    per_person: dict[int, int] = {}
    for booking in world.bookings:
        person = world.truth.booking_person[booking.tcn]
        per_person[person] = per_person.get(person, 0) + 1
    assert 0.25 <= len(per_person) / people <= 0.55
    assert 1.2 <= len(world.bookings) / len(per_person) <= 2.2
    assert max(per_person.values()) >= 2


def test_every_person_has_one_master_ten_print(world: World) -> None:
    assert set(world.truth.masters) == set(world.truth.persons)
    for master in world.truth.masters.values():
        assert sorted(master) == list(range(1, 11))
