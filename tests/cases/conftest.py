"""Case tests run on databases built from the small synthetic world: one holding only
the bookings (detainers still open, nobody released yet), and one where the courts'
dispositions then went through the worker too (built from a copy of the first, because
the biometric searches of the bookings are what takes time). Each is built once per
session; every test gets its own copy."""

from __future__ import annotations

import dataclasses
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from securecomm.database import Database, open_database
from securecomm.pipeline.worker import Worker
from securecomm.simulation import runner
from securecomm.simulation.court import SimulatedImmigrationCourt
from securecomm.simulation.world import BookingEvent, World

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "interop"))
from world_fixtures import small_world


def _process(path: Path, world: World, links: runner.SubjectLinks) -> Path:
    database = open_database(f"sqlite:///{path}")
    runner.enqueue_events(database, world, links)
    Worker(database, court=SimulatedImmigrationCourt(world)).run()
    database.dispose()  # closes the WAL so the file can be copied whole
    return path


@pytest.fixture(scope="session")
def world() -> World:
    return small_world()


@pytest.fixture(scope="session")
def bookings_file(tmp_path_factory: pytest.TempPathFactory, world: World) -> Path:
    path = tmp_path_factory.mktemp("bookings") / "base.sqlite"
    database = open_database(f"sqlite:///{path}")
    links = runner.load_reference(database, world)
    database.dispose()
    bookings = tuple(event for event in world.events if isinstance(event, BookingEvent))
    return _process(path, dataclasses.replace(world, events=bookings), links)


@pytest.fixture(scope="session")
def processed_file(
    tmp_path_factory: pytest.TempPathFactory, world: World, bookings_file: Path
) -> Path:
    path = tmp_path_factory.mktemp("processed") / "base.sqlite"
    shutil.copyfile(bookings_file, path)
    after = tuple(event for event in world.events if not isinstance(event, BookingEvent))
    return _process(path, dataclasses.replace(world, events=after), runner.SubjectLinks())


def _copy(base: Path, tmp_path: Path) -> Iterator[Database]:
    target = tmp_path / "case.sqlite"
    shutil.copyfile(base, target)
    database = open_database(f"sqlite:///{target}")
    yield database
    database.dispose()


@pytest.fixture
def processed(processed_file: Path, tmp_path: Path) -> Iterator[Database]:
    """Every booking, release before trial and disposition of the small world processed."""
    yield from _copy(processed_file, tmp_path)


@pytest.fixture
def booked(bookings_file: Path, tmp_path: Path) -> Iterator[Database]:
    """Only the bookings processed: cases open, detainers not yet answered."""
    yield from _copy(bookings_file, tmp_path)
