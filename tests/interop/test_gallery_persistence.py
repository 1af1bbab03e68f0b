"""Galleries kept on disk: a restarted worker opens them instead of rebuilding, brings them
level with the database after a crash, and refuses a store made for another database."""

from __future__ import annotations

from pathlib import Path

import pytest
from world_fixtures import small_world

from securecomm.database import Database, open_database
from securecomm.exceptions import ConfigurationError
from securecomm.oversight import statistics
from securecomm.pipeline.worker import Worker
from securecomm.simulation import runner, scoring
from securecomm.simulation.court import SimulatedImmigrationCourt


def test_restart_opens_the_store_and_reconciles_unsaved_enrolments(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = small_world()
    links = runner.load_reference(database, world)
    runner.enqueue_events(database, world, links)
    court = SimulatedImmigrationCourt(world)
    store = tmp_path / "galleries"

    first = Worker(database, court=court, gallery_dir=store)
    assert first.reconciled == len(world.criminal_records) + len(world.immigration_records)
    first.run(limit=60)

    reopened = Worker(database, court=court, gallery_dir=store)
    assert reopened.reconciled == 0  # nothing rebuilt: the saved store was complete

    # a worker that dies before saving: its new enrolments exist only in the database
    monkeypatch.setattr(Worker, "save_galleries", lambda self: None)
    crashed = Worker(database, court=court, gallery_dir=store)
    crashed.run(limit=60)
    monkeypatch.undo()

    recovered = Worker(database, court=court, gallery_dir=store)
    assert recovered.reconciled > 0
    recovered.run()
    with database.session() as session:
        actual = statistics.compute(session)
        expectation = scoring.expected_statistics(world, links)
        accuracy = scoring.score_identifications(session, world, links, expectation)
    assert scoring.mismatched_cells(actual, expectation.statistics) == []
    assert accuracy.missed_identifications == 0
    assert accuracy.wrong_identifications == 0


def test_a_store_belongs_to_one_database(sqlite_database: Database, tmp_path: Path) -> None:
    world = small_world()
    runner.load_reference(sqlite_database, world)
    court = SimulatedImmigrationCourt(world)
    store = tmp_path / "galleries"
    Worker(sqlite_database, court=court, gallery_dir=store)
    other = open_database(f"sqlite:///{tmp_path / 'other.sqlite'}")
    try:
        with pytest.raises(ConfigurationError, match="belongs to database"):
            Worker(other, court=court, gallery_dir=store)
    finally:
        other.dispose()
