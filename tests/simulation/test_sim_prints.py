"""Fingerprints: every capture is a fresh impression of the person's one master ten-print,
so repeat arrests and repository enrolments can be re-identified by fingerprints."""

from __future__ import annotations

from securecomm.biometrics import Template, compare
from securecomm.simulation import World
from securecomm.simulation.world import BookingEvent


def _ten_finger_score(a: dict[int, Template], b: dict[int, Template]) -> float:
    return sum(compare(a[finger], b[finger]) for finger in range(1, 11))


def _bookings_by_person(world: World) -> dict[int, list[BookingEvent]]:
    by_person: dict[int, list[BookingEvent]] = {}
    for booking in world.bookings:
        by_person.setdefault(world.truth.booking_person[booking.tcn], []).append(booking)
    return by_person


def test_repeat_arrests_carry_mated_prints(world: World) -> None:
    repeats = [b for b in _bookings_by_person(world).values() if len(b) >= 2]
    assert repeats
    for first, second, *_ in repeats[:8]:
        other = next(
            booking
            for booking in world.bookings
            if world.truth.booking_person[booking.tcn] != world.truth.booking_person[first.tcn]
        )
        mated = _ten_finger_score(first.prints, second.prints)
        impostor = _ten_finger_score(first.prints, other.prints)
        assert mated > 2 * impostor
        assert first.prints[1] != second.prints[1]  # fresh impressions, not copies


def test_repository_enrolments_mate_with_bookings(world: World) -> None:
    records = {record.person_id: record for record in world.immigration_records}
    checked = 0
    for person, bookings in _bookings_by_person(world).items():
        if person not in records or checked >= 8:
            continue
        enrolled = records[person].prints
        stranger = next(pid for pid in world.truth.masters if pid != person)
        mated = _ten_finger_score(enrolled, bookings[0].prints)
        impostor = _ten_finger_score(enrolled, world.truth.masters[stranger])
        assert mated > 2 * impostor
        checked += 1
    assert checked
