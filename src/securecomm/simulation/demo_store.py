"""The demo's own record in the store: which world it loaded and how far it got, so a
killed run (kill -9, a power cut) is resumed by running the same command again.

The world is not stored: it is rebuilt from its options (same seed, same world), the
ground-truth links are found again by the identifiers the repositories hold (FBI number,
FIN), and receiving the events again is a no-op for those already stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from securecomm.auth.models import Agency
from securecomm.booking.models import Submission
from securecomm.database import Database
from securecomm.exceptions import SecurecommError
from securecomm.interop.clock import ServiceClock
from securecomm.simulation.models import DemoRun, DemoStage
from securecomm.simulation.service_times import DrawnServiceTimes


class DemoStoreError(SecurecommError):
    """The store cannot take this demo run (another world, or work that no demo loaded)."""


@dataclass(frozen=True)
class WorldOptions:
    """What decides the world and its event stream: equal options, equal world."""

    people: int
    start: date
    end: date
    seed: int
    invalid_fraction: float
    images: bool
    population: str = "published"
    plant_profiling: bool = False

    def as_record(self) -> dict[str, Any]:
        return {
            "people": self.people,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "seed": self.seed,
            "invalid_fraction": self.invalid_fraction,
            "images": self.images,
            "population": self.population,
            "plant_profiling": self.plant_profiling,
        }


def stage_reached(database: Database, options: WorldOptions) -> DemoStage | None:
    """How far an earlier run of the same world got in this store (None: an empty store,
    start from the beginning). Refuses a store holding another world or other work."""
    with database.session() as session:
        run = session.scalars(select(DemoRun).order_by(DemoRun.id.desc())).first()
        if run is None:
            held = session.scalar(select(func.count()).select_from(Submission)) or 0
            held += session.scalar(select(func.count()).select_from(Agency)) or 0
            if held:
                raise DemoStoreError(
                    "the demo needs an empty database or one a demo run left; this one "
                    "already holds agencies or submissions that no demo loaded"
                )
            session.add(DemoRun(options=options.as_record(), stage=DemoStage.LOADING))
            return None
        if run.options != options.as_record():
            raise DemoStoreError(
                f"this database holds another demo world ({_describe(run.options)}); run "
                "the demo with those options to resume it, or give it an empty database"
            )
        if run.stage is DemoStage.LOADING:
            raise DemoStoreError(
                "an earlier demo run was stopped while loading the repositories, before "
                "any booking was received; give the demo an empty database"
            )
        run.runs += 1
        return run.stage


def mark(database: Database, stage: DemoStage) -> None:
    with database.session() as session:
        run = session.scalars(select(DemoRun).order_by(DemoRun.id.desc())).first()
        if run is None:
            raise DemoStoreError("no demo run is recorded in this database")
        run.stage = stage


def resumable(database: Database, options: WorldOptions) -> bool:
    """Whether this store holds an unfinished run of the same world that can go on."""
    with database.session() as session:
        run = session.scalars(select(DemoRun).order_by(DemoRun.id.desc())).first()
        return (
            run is not None
            and run.options == options.as_record()
            and run.stage in (DemoStage.REFERENCE_LOADED, DemoStage.RECEIVED)
        )


def finished(database: Database, options: WorldOptions) -> bool:
    """Whether this store holds a finished run of the same world (``serve --demo`` opens
    it as it is instead of building it again)."""
    with database.session() as session:
        run = session.scalars(select(DemoRun).order_by(DemoRun.id.desc())).first()
        return (
            run is not None
            and run.options == options.as_record()
            and run.stage is DemoStage.FINISHED
        )


def service_clock(database: Database) -> ServiceClock | None:
    """The drawn service times of the demo world in this store (None: not a demo store),
    so a worker finishing a killed demo dates its messages as the demo would have."""
    with database.session() as session:
        run = session.scalars(select(DemoRun).order_by(DemoRun.id.desc())).first()
        return None if run is None else DrawnServiceTimes(int(run.options["seed"]))


def _describe(options: dict[str, Any]) -> str:
    return ", ".join(f"--{key.replace('_', '-')} {value}" for key, value in options.items())
