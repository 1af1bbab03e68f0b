"""Bookings, releases before trial and dispositions: where, when, what charges, in what
order."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from securecomm.domain import AgencyRole, Disposition
from securecomm.simulation import World
from securecomm.simulation._offences import BY_CODE, OFFENCES, is_valid_ncic_code
from securecomm.simulation.world import BookingEvent, DispositionEvent, ReleaseEvent


def test_events_are_sorted_by_time_then_sequence(world: World) -> None:
    keys = [(event.at, event.seq) for event in world.events]
    assert keys == sorted(keys)
    assert len({event.seq for event in world.events}) == len(world.events)


def test_every_booking_happens_at_an_existing_local_agency_of_its_county(world: World) -> None:
    local = {
        agency.ori: agency.jurisdiction_code
        for agency in world.agencies
        if agency.role is AgencyRole.LOCAL_AGENCY
    }
    codes = {jurisdiction.code for jurisdiction in world.jurisdictions}
    assert world.bookings
    for booking in world.bookings:
        assert booking.jurisdiction_code in codes
        assert local[booking.ori] == booking.jurisdiction_code


def test_bookings_fall_in_the_range_and_some_precede_activation(world: World) -> None:
    activation = {j.code: j.activation_date for j in world.jurisdictions}
    first = datetime.combine(world.start, datetime.min.time())
    last = datetime.combine(world.end, datetime.max.time())
    assert all(first <= booking.at <= last for booking in world.bookings)
    assert any(
        (day := activation[booking.jurisdiction_code]) is not None and booking.at.date() < day
        for booking in world.bookings
    )


def test_tcns_are_unique_and_map_to_persons(world: World) -> None:
    tcns = [booking.tcn for booking in world.bookings]
    assert len(set(tcns)) == len(tcns)
    assert set(world.truth.booking_person) == set(tcns)
    assert set(world.truth.booking_person.values()) <= set(world.truth.persons)


def test_each_booking_carries_a_fresh_ten_print(world: World) -> None:
    for booking in world.bookings:
        assert sorted(booking.prints) == list(range(1, 11))
        master = world.truth.masters[world.truth.booking_person[booking.tcn]]
        assert all(booking.prints[f] is not master[f] for f in booking.prints)
        assert booking.prints[1] != master[1]


def test_charges_use_valid_ncic_codes_with_felony_terms_over_a_year(world: World) -> None:
    charges = [charge for booking in world.bookings for charge in booking.charges]
    assert all(1 <= len(booking.charges) <= 3 for booking in world.bookings)
    assert all(is_valid_ncic_code(charge.ncic_code) for charge in charges)
    assert any(charge.max_term_days > 365 for charge in charges)
    assert any(charge.max_term_days <= 365 for charge in charges)
    for booking in world.bookings:
        assert all(c.offence_date <= booking.at.date() for c in booking.charges)


def test_the_offence_catalogue_stays_inside_the_allowed_ranges() -> None:
    assert all(is_valid_ncic_code(offence.ncic_code) for offence in OFFENCES)
    assert not is_valid_ncic_code("0200")
    assert not is_valid_ncic_code("5400x")
    assert is_valid_ncic_code("5401")


def test_common_offences_outnumber_homicide(world: World) -> None:
    prefixes = [c.ncic_code[:2] for b in world.bookings for c in b.charges]
    common = sum(prefix in ("54", "23", "13", "35") for prefix in prefixes)
    assert common > len(prefixes) / 2
    assert prefixes.count("09") < len(prefixes) / 20


def test_each_booking_has_one_later_disposition(world: World) -> None:
    bookings = {booking.tcn: booking for booking in world.bookings}
    dispositions = world.dispositions
    assert sorted(d.tcn for d in dispositions) == sorted(bookings)
    seq_of = {event.tcn: event.seq for event in world.events if isinstance(event, BookingEvent)}
    margin = datetime.combine(world.end + timedelta(days=366), datetime.min.time())
    for disposition in dispositions:
        booking = bookings[disposition.tcn]
        assert disposition.at > booking.at
        assert disposition.seq > seq_of[disposition.tcn]
        assert disposition.at < margin
        _check_outcomes(disposition, booking)


def test_each_booking_ends_in_a_release_before_trial_or_at_the_disposition(world: World) -> None:
    """Released on bail (a release event between booking and disposition), then back in
    custody only for a custodial sentence; otherwise held until the disposition."""
    bookings = {booking.tcn: booking for booking in world.bookings}
    before_trial = {e.tcn: e for e in world.events if isinstance(e, ReleaseEvent)}
    assert len(before_trial) == len({e.tcn for e in before_trial.values()})
    for disposition in world.dispositions:
        release = before_trial.get(disposition.tcn)
        sentenced = any(o.sentence_days for o in disposition.outcomes)
        if release is None:
            assert disposition.release_at is not None
        else:
            # Bail is set the next day at the earliest: every answer has arrived by then.
            assert bookings[disposition.tcn].at + timedelta(days=1) <= release.at
            assert release.at < disposition.at
            assert seq_between(world, release, disposition)
            assert (disposition.release_at is not None) == sentenced
        if disposition.release_at is not None:
            assert disposition.release_at > disposition.at


def seq_between(world: World, release: ReleaseEvent, disposition: DispositionEvent) -> bool:
    booked = next(e.seq for e in world.events if e.tcn == release.tcn)
    return booked < release.seq < disposition.seq


def test_most_people_leave_before_trial_but_nobody_charged_with_a_grave_crime(
    world: World,
) -> None:
    released = {e.tcn for e in world.events if isinstance(e, ReleaseEvent)}
    share = len(released) / len(world.bookings)
    assert 0.5 < share < 0.85, share
    for booking in world.bookings:
        if booking.tcn in released:
            assert all(BY_CODE[c.ncic_code].aggravated != "per_se" for c in booking.charges)


def _check_outcomes(disposition: DispositionEvent, booking: BookingEvent) -> None:
    assert [o.index for o in disposition.outcomes] == list(range(len(booking.charges)))
    for outcome in disposition.outcomes:
        charge = booking.charges[outcome.index]
        if outcome.disposition is Disposition.CONVICTED:
            assert outcome.sentence_days is not None
            assert 0 <= outcome.sentence_days <= charge.max_term_days
        else:
            assert outcome.sentence_days is None
        assert outcome.disposition is not Disposition.PENDING


def test_repeat_arrests_never_overlap_custody(world: World) -> None:
    release: dict[str, datetime] = {d.tcn: d.release_at or d.at for d in world.dispositions}
    by_person: dict[int, list[BookingEvent]] = {}
    for booking in world.bookings:
        by_person.setdefault(world.truth.booking_person[booking.tcn], []).append(booking)
    for bookings in by_person.values():
        for earlier, later in itertools.pairwise(bookings):
            assert later.at > release[earlier.tcn]


def test_the_dispositions_mix_convictions_dismissals_and_acquittals(world: World) -> None:
    seen = {o.disposition for d in world.dispositions for o in d.outcomes}
    assert seen == {Disposition.CONVICTED, Disposition.DISMISSED, Disposition.ACQUITTED}
