"""A synthetic world's bookings as the profiling monitor reads them, straight from the
event stream and the rule oracle's decisions (no flow needed): the monitor can then be
scored against the profiling planted in the world over many seeds quickly. The store
gives the same facts for a world that went through the flow (``oversight.monitor_store``)."""

from __future__ import annotations

from securecomm.oversight.monitor_facts import BookingFacts, ChargeFacts, born_abroad, charge_facts
from securecomm.simulation import scoring
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
