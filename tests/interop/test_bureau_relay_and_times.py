"""Answers reach the booking agency through its state bureau (EBTS: the IDR goes to the
bureau that sent the booking), and every message is dated by the service time of each
leg it went through, drawn reproducibly in the simulation."""

from __future__ import annotations

import statistics as stats
from datetime import timedelta

from sqlalchemy import select
from world_fixtures import small_world

from securecomm.auth import service as auth_service
from securecomm.database import Database
from securecomm.interop.clock import BookingTimeClock, Leg, after
from securecomm.interop.models import OutboxMessage, Transaction
from securecomm.oversight.answer_times import answer_times
from securecomm.pipeline.worker import Worker
from securecomm.simulation import runner
from securecomm.simulation.court import SimulatedImmigrationCourt
from securecomm.simulation.service_times import LEG_TIMES, DrawnServiceTimes

ANSWERS = {"SRE", "IDR-NM", "IDR-IAR"}


def _run(database: Database, seed: int = 3) -> None:
    world = small_world()
    links = runner.load_reference(database, world)
    runner.enqueue_events(database, world, links)
    court = SimulatedImmigrationCourt(world)
    Worker(database, court=court, clock=DrawnServiceTimes(seed)).run()


def test_every_answer_to_a_booking_agency_is_relayed_by_its_state_bureau(
    sqlite_database: Database,
) -> None:
    _run(sqlite_database)
    with sqlite_database.session() as session:
        relayed = 0
        for transaction in session.scalars(select(Transaction)):
            state = auth_service.agency_by_ori(session, transaction.ori).state
            bureau = auth_service.state_bureau(session, state)
            assert bureau is not None
            messages = session.scalars(
                select(OutboxMessage).where(OutboxMessage.transaction_id == transaction.id)
            ).all()
            for final in (m for m in messages if m.recipient == transaction.ori):
                if final.message_type not in ANSWERS:
                    continue  # a detainer goes from ICE to the jail directly
                first = next(
                    m
                    for m in messages
                    if m.message_type == final.message_type and m.recipient == bureau.ori
                )
                assert final.sender == bureau.ori
                assert final.payload["relayed_by"] == bureau.ori
                assert first.payload["relay_to"] == transaction.ori
                assert first.created_at <= final.created_at
                assert final.created_at - first.created_at <= LEG_TIMES[Leg.BUREAU_RELAY].cap
                relayed += 1
        assert relayed > 50


def test_messages_carry_their_legs_service_times_not_the_booking_time(
    sqlite_database: Database,
) -> None:
    _run(sqlite_database)
    clock = DrawnServiceTimes(3)
    with sqlite_database.session() as session:
        checked = 0
        for transaction in session.scalars(select(Transaction)):
            sre = session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.transaction_id == transaction.id,
                    OutboxMessage.message_type == "SRE",
                    OutboxMessage.recipient != transaction.ori,  # the leg to the bureau
                )
            ).one()
            expected = after(clock, transaction.booked_at, transaction.tcn, Leg.CRIMINAL_SEARCH)
            assert sre.created_at == expected
            assert sre.created_at > transaction.booked_at
            checked += 1
        waits = {row.answer: row for row in answer_times(session)}
    assert checked > 50
    sre_wait = waits["SRE to the booking agency"]
    assert 10 < sre_wait.median_minutes < 40  # IAFIS measured about 27 minutes on average
    iar = waits["IDR-IAR to the booking agency"]
    assert 60 < iar.median_minutes < 300  # the status centre: within a few hours
    assert iar.max_minutes < 24 * 60  # every answer before the shortest stay ends


def test_drawn_times_are_reproducible_per_booking_and_follow_the_service_levels() -> None:
    clock, other = DrawnServiceTimes(1), DrawnServiceTimes(2)
    assert clock.took(Leg.CRIMINAL_SEARCH, "T1") == clock.took(Leg.CRIMINAL_SEARCH, "T1")
    assert clock.took(Leg.CRIMINAL_SEARCH, "T1") != other.took(Leg.CRIMINAL_SEARCH, "T1")
    for leg, spec in LEG_TIMES.items():
        draws = [clock.took(leg, f"TCN{n}") for n in range(3000)]
        median = stats.median(d.total_seconds() for d in draws)
        assert abs(median - spec.median.total_seconds()) < 0.1 * spec.median.total_seconds()
        assert max(draws) <= spec.cap
        assert min(draws) >= timedelta(0)
    within_sla = sum(
        clock.took(Leg.IMMIGRATION_SEARCH, f"T{n}") <= timedelta(minutes=2) for n in range(3000)
    )
    assert within_sla / 3000 > 0.9  # IDENT's 2-minute service level for ICE queries


def test_without_a_clock_every_leg_takes_no_time() -> None:
    moment = small_world().bookings[0].at
    assert after(BookingTimeClock(), moment, "T", *Leg) == moment
