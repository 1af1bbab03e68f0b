"""The simulated immigration court decides from truth and refuses unknown FINs."""

from __future__ import annotations

from datetime import date

import pytest

from securecomm.domain import CourtOutcome
from securecomm.simulation import (
    HearingDateError,
    SimulatedImmigrationCourt,
    SimulationError,
    UnknownFinError,
    World,
)


def test_the_court_decides_what_the_truth_says(world: World) -> None:
    court = SimulatedImmigrationCourt(world)
    decided = 0
    for truth in world.truth.persons.values():
        if truth.fin is None:
            continue
        outcome = court.decide(fin=truth.fin, on=date(2012, 6, 1))
        assert outcome is truth.court_outcome
        if truth.citizen:
            assert outcome is CourtOutcome.PROCEEDINGS_TERMINATED
        decided += 1
    assert decided == len(world.immigration_records)


def test_an_unknown_fin_is_a_typed_error(world: World) -> None:
    court = SimulatedImmigrationCourt(world)
    with pytest.raises(UnknownFinError) as raised:
        court.decide(fin="0000000000", on=date(2012, 6, 1))
    assert raised.value.fin == "0000000000"
    assert isinstance(raised.value, SimulationError)
    assert "fin" in str(raised.value)


def test_a_hearing_before_the_world_began_is_refused(world: World) -> None:
    court = SimulatedImmigrationCourt(world)
    fin = world.immigration_records[0].fin
    with pytest.raises(HearingDateError):
        court.decide(fin=fin, on=date(2001, 1, 1))
