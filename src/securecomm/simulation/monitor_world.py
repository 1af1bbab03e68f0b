"""A synthetic world's bookings as the profiling monitor reads them, straight from the
event stream and the rule oracle's decisions (no flow needed): the monitor can then be
scored against the profiling planted in the world over many seeds quickly. The store
gives the same facts for a world that went through the flow (``oversight.monitor_store``)."""

from __future__ import annotations

from datetime import date

from securecomm.oversight import monitor
from securecomm.oversight.monitor import MonitorReport
from securecomm.oversight.monitor_facts import BookingFacts, ChargeFacts, born_abroad, charge_facts
from securecomm.simulation import scoring
from securecomm.simulation.generate import build_world
from securecomm.simulation.runner import SubjectLinks
from securecomm.simulation.world import BookingEvent, DispositionEvent, World


def booking_facts(world: World) -> list[BookingFacts]:
    expectation = scoring.expected_statistics(world, SubjectLinks())
    disposed = {
        event.tcn: {o.index: o.disposition.value for o in event.outcomes}
        for event in world.events
        if isinstance(event, DispositionEvent)
    }
    facts = []
    for event in world.events:
        if not isinstance(event, BookingEvent):
            continue
        outcomes = disposed.get(event.tcn, {})
        charges = [
            ChargeFacts(charge.ncic_code, outcomes.get(index))
            for index, charge in enumerate(event.charges)
        ]
        decision = expectation.decisions.get(event.tcn)
        facts.append(
            BookingFacts(
                tcn=event.tcn,
                jurisdiction=event.jurisdiction_code,
                officer=event.arresting_officer,
                race=event.subject.race,
                foreign_born=born_abroad(event.subject.place_of_birth),
                matched=decision is not None,
                detainer=decision is not None and decision.lodge,
                **charge_facts(charges),
            )
        )
    return facts


def planted_and_flagged(
    seed: int, *, plant: bool = True, people: int = 2000
) -> tuple[set[str], MonitorReport]:
    """The units a world of ``seed`` planted ("jurisdiction:<code>", "officer:<badge>";
    empty when nothing is planted) and the monitor's report on that world. The world is
    built without fingerprints: the monitor never searches."""
    world = build_world(
        people=people,
        start=date(2008, 10, 1),
        end=date(2018, 12, 31),
        seed=seed,
        plant_profiling=plant,
        fingerprints=False,
    )
    planted = world.truth.planted
    truth = set()
    if planted is not None:
        truth = {f"jurisdiction:{planted.jurisdiction}", f"officer:{planted.officer}"}
    return truth, monitor.run(booking_facts(world))


def flagged_units(report: MonitorReport) -> set[str]:
    return {f"{finding.unit_kind}:{finding.unit}" for finding in report.flagged}
