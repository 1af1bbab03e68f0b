"""The synthetic world: people, records, jurisdictions, arrests and a simulated court.

``build_world`` makes a seeded, deterministic :class:`World`; the system sees only its
jurisdictions, agencies, repository records and events, while ``World.truth`` is kept
for scoring and for :class:`SimulatedImmigrationCourt`.
"""

from securecomm.simulation.court import (
    HearingDateError,
    SimulatedImmigrationCourt,
    UnknownFinError,
)
from securecomm.simulation.generate import build_world
from securecomm.simulation.world import (
    PersonKind,
    SimulationError,
    World,
    WorldSpecError,
)

__all__ = [
    "HearingDateError",
    "PersonKind",
    "SimulatedImmigrationCourt",
    "SimulationError",
    "UnknownFinError",
    "World",
    "WorldSpecError",
    "build_world",
]
