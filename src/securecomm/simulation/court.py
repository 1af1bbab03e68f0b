"""The simulated immigration court: decides a case from the world's ground truth."""

from __future__ import annotations

from datetime import date

from securecomm.domain import CourtOutcome
from securecomm.simulation.world import PersonTruth, SimulationError, World


class UnknownFinError(SimulationError, LookupError):
    """No person in the world has this fingerprint identification number (FIN)."""

    def __init__(self, fin: str) -> None:
        super().__init__(f"immigration court: fin: no person in the world has FIN {fin!r}")
        self.fin = fin


class HearingDateError(SimulationError, ValueError):
    """A hearing date outside what the world can decide."""

    def __init__(self, on: date, start: date) -> None:
        super().__init__(
            f"immigration court: on: hearing on {on} is before the world's start {start}"
        )
        self.on = on


class SimulatedImmigrationCourt:
    """The immigration judge of the synthetic world.

    It reads ground truth the rest of the system never sees: the outcome each person
    would get (citizens' proceedings are always terminated; nobody who is not removable
    is ever ordered removed).
    """

    def __init__(self, world: World) -> None:
        self._start = world.start
        self._by_fin: dict[str, PersonTruth] = {
            truth.fin: truth for truth in world.truth.persons.values() if truth.fin is not None
        }

    def decide(self, *, fin: str, on: date) -> CourtOutcome:
        truth = self._by_fin.get(fin)
        if truth is None:
            raise UnknownFinError(fin)
        if on < self._start:
            raise HearingDateError(on, self._start)
        return truth.court_outcome
