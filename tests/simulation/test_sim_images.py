"""The world built from fingerprint images: every capture is a rendered impression turned
into a template by the extractor, and only the prints differ from the default world."""

from __future__ import annotations

from datetime import date

import pytest

from securecomm.ansi_nist import parse
from securecomm.biometrics import Template, compare
from securecomm.booking.car import car_from_booking
from securecomm.booking.car_reading import booking_from_car
from securecomm.booking.schemas import BookingDocument
from securecomm.simulation import World
from securecomm.simulation.generate import build_world
from securecomm.simulation.runner import booking_document
from securecomm.simulation.world import WorldSpecError

# people=2, seed=33: person 2 is booked once and enrolled in the immigration repository
# (two ten-print captures of one person), person 1 is never captured. Small on purpose:
# every finger costs about a third of a second to render and extract.
SPEC = {
    "people": 2,
    "start": date(2008, 10, 1),
    "end": date(2018, 12, 31),
    "seed": 33,
    "population": "dense",
}


@pytest.fixture(scope="module")
def image_world() -> World:
    return build_world(**SPEC, images=True)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def minutiae_world() -> World:
    return build_world(**SPEC)  # type: ignore[arg-type]


def _ten_finger_score(a: dict[int, Template], b: dict[int, Template]) -> float:
    return sum(compare(a[finger], b[finger]) for finger in sorted(a.keys() & b.keys()))


@pytest.mark.slow  # renders and extracts 40 fingers: ~15 s of CPU
def test_only_the_prints_differ_from_the_minutiae_world(
    image_world: World, minutiae_world: World
) -> None:
    assert image_world.truth.persons == minutiae_world.truth.persons
    assert image_world.truth.booking_person == minutiae_world.truth.booking_person
    assert [(e.seq, e.at, e.tcn) for e in image_world.events] == [
        (e.seq, e.at, e.tcn) for e in minutiae_world.events
    ]
    assert [r.fin for r in image_world.immigration_records] == [
        r.fin for r in minutiae_world.immigration_records
    ]


@pytest.mark.slow  # renders and extracts 40 fingers: ~15 s of CPU
def test_captures_are_templates_extracted_from_images(image_world: World) -> None:
    captures = [b.prints for b in image_world.bookings] + [
        r.prints for r in image_world.immigration_records
    ]
    assert len(captures) == 2
    for prints in captures:
        assert len(prints) >= 9  # a finger may be left out only if extraction kept failing
        for position, template in prints.items():
            assert template.finger_position == position
            # what the extractor saw: the whole 416 x 560 capture, NFIQ 2 quality, mindtct
            assert (template.width, template.height) == (416, 560)
            assert 15 <= len(template) <= 100
            assert template.quality > 0
    assert sorted(image_world.truth.masters) == [1, 2]
    assert all(len(master) >= 9 for master in image_world.truth.masters.values())


@pytest.mark.slow  # renders and extracts 40 fingers: ~15 s of CPU
def test_one_persons_captures_identify_them_and_not_a_stranger(image_world: World) -> None:
    booking = image_world.bookings[0]
    person = image_world.truth.booking_person[booking.tcn]
    enrolment = next(r for r in image_world.immigration_records if r.person_id == person)
    stranger = next(pid for pid in image_world.truth.masters if pid != person)
    mated = _ten_finger_score(booking.prints, enrolment.prints)
    impostor = _ten_finger_score(booking.prints, image_world.truth.masters[stranger])
    assert mated > 3 * impostor
    assert _ten_finger_score(booking.prints, image_world.truth.masters[person]) > 3 * impostor


@pytest.mark.parametrize(
    ("arguments", "field"),
    [({"images": "yes"}, "images"), ({"images": True, "severity": 3.5}, "severity")],
)
def test_bad_image_options_name_the_argument(arguments: dict[str, object], field: str) -> None:
    with pytest.raises(WorldSpecError, match=field):
        build_world(**{**SPEC, **arguments})  # type: ignore[arg-type]


@pytest.mark.slow  # extracts ten WSQ-decoded fingers on intake: ~5 s of CPU
def test_a_booking_of_the_image_world_travels_as_wsq_type14_and_is_extracted_on_intake(
    image_world: World, minutiae_world: World
) -> None:
    booking = image_world.bookings[0]
    assert booking.images is not None
    assert sorted(booking.images) == sorted(booking.prints)
    assert {image.shape for image in booking.images.values()} == {(560, 416)}
    assert all(event.images is None for event in minutiae_world.bookings)
    document = BookingDocument.model_validate(booking_document(booking))
    scored = {position: t.quality for position, t in booking.prints.items()}
    raw = car_from_booking(
        document, destination_ori="NYSIB0000", images=booking.images, nfiq2=scored
    )
    records = parse(raw).records
    assert [record.type for record in records] == [1, 2] + [14] * len(booking.images)
    assert {records[2].get(11)} == {"WSQ20"}  # EBTS: 500 ppi prints compressed with WSQ
    received = booking_from_car(raw).template_bytes()  # no Type-9: intake extracts
    assert sorted(received) == sorted(booking.prints)
    # the station's NFIQ 2 (14.024 FQM) is kept where it makes a print usable
    kept = {p: Template.from_bytes(data).quality for p, data in received.items()}
    assert {p: q for p, q in kept.items() if scored[p] >= 20} == {
        p: q for p, q in scored.items() if q >= 20
    }
    person = image_world.truth.booking_person[booking.tcn]
    stranger = next(pid for pid in image_world.truth.masters if pid != person)
    extracted = {position: Template.from_bytes(data) for position, data in received.items()}
    mated = _ten_finger_score(extracted, booking.prints)
    assert mated > 3 * _ten_finger_score(extracted, image_world.truth.masters[stranger])
