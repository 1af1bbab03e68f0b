"""Fingerprint templates read into a gallery's memory are in the audit log like any read
of personal data: the worker's load at start, another worker's enrolments taken at a
sync, and shard snapshots written from the command line; a read of nothing is not."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
from sqlalchemy import event, select
from world_fixtures import small_world

from securecomm.audit.models import AuditEvent
from securecomm.biometrics import Gallery, synthetic
from securecomm.database import Database
from securecomm.interop.context import Galleries
from securecomm.pipeline.worker import Worker
from securecomm.repositories import prints as print_store
from securecomm.repositories import service as repository_service
from securecomm.repositories.models import Repository
from securecomm.repositories.shards import write_snapshots
from securecomm.simulation import runner
from securecomm.simulation.court import SimulatedImmigrationCourt


def _gallery_reads(database: Database) -> list[AuditEvent]:
    with database.session() as session:
        query = select(AuditEvent).where(AuditEvent.kind == "gallery.read")
        return list(session.scalars(query.order_by(AuditEvent.id)))


def test_a_worker_starting_records_what_it_read_into_each_gallery(database: Database) -> None:
    world = small_world()
    runner.load_reference(database, world)
    worker = Worker(database, court=SimulatedImmigrationCourt(world))
    try:
        assert _gallery_reads(database) == []  # recorded with the run's first unit of work
        worker.run()
        reads = {event.details["repository"]: event for event in _gallery_reads(database)}
        for repository, gallery in (
            (Repository.CRIMINAL, worker.galleries.criminal),
            (Repository.IMMIGRATION, worker.galleries.immigration),
        ):
            event = reads[str(repository)]
            subjects = sorted(gallery.subject_ids())
            assert event.actor == f"worker:{worker.worker_id}"
            assert event.purpose is not None
            assert "1:N" in event.purpose
            assert event.details["subjects"] == len(subjects)
            assert (event.details["first_subject"], event.details["last_subject"]) == (
                subjects[0],
                subjects[-1],
            )
            listed = subjects[: print_store.RECORDS_LISTED]
            assert event.records == [f"{repository}_subject:{n}" for n in listed]
    finally:
        worker.close()


def test_a_sync_records_only_what_another_worker_enrolled(database: Database) -> None:
    world = small_world()
    runner.load_reference(database, world)
    galleries = Galleries(criminal=Gallery(), immigration=Gallery(), reader="worker:b")
    with database.session() as session:
        galleries.synced_to = print_store.newest_fingerprint_id(session)
    before = len(_gallery_reads(database))
    with database.session() as session:
        assert galleries.sync(session) == {Repository.CRIMINAL: [], Repository.IMMIGRATION: []}
    assert len(_gallery_reads(database)) == before  # nothing read, nothing recorded
    rng = np.random.default_rng(5)
    with database.session() as session:  # another worker enrols someone new
        newcomer = repository_service.create_criminal_subject(
            session,
            name="NEWCOMER, ONE",
            dob=date(1980, 1, 1),
            sex="M",
            race="W",
            place_of_birth="MX",
        ).id
        print_store.store_prints(
            session,
            repository=Repository.CRIMINAL,
            subject_id=newcomer,
            prints=synthetic.synthesize_tenprint(rng),
        )
    with database.session() as session:
        enrolled = galleries.sync(session)
    assert enrolled[Repository.CRIMINAL] == [newcomer]
    latest = _gallery_reads(database)[-1]
    assert latest.actor == "worker:b"
    assert latest.records == [f"criminal_subject:{newcomer}"]


def test_one_sync_reads_both_repositories_in_one_statement(database: Database) -> None:
    world = small_world()
    runner.load_reference(database, world)
    galleries = Galleries(criminal=Gallery(), immigration=Gallery(), reader="worker:b")
    with database.session() as session:
        galleries.synced_to = print_store.newest_fingerprint_id(session)
    rng = np.random.default_rng(7)
    with database.session() as session:  # another worker enrols one of each
        criminal = repository_service.create_criminal_subject(
            session, name="NEWCOMER, TWO", dob=None, sex="F", race="W", place_of_birth="MX"
        ).id
        immigrant = repository_service.create_immigration_subject(
            session,
            fin="9990000001",
            a_number=None,
            name="NEWCOMER, THREE",
            dob=None,
            sex="M",
            country_of_birth="MX",
            encounters=[],
        ).id
        for repository, subject_id in (
            (Repository.CRIMINAL, criminal),
            (Repository.IMMIGRATION, immigrant),
        ):
            print_store.store_prints(
                session,
                repository=repository,
                subject_id=subject_id,
                prints=synthetic.synthesize_tenprint(rng),
            )
    asked: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        if "FROM fingerprints" in statement:
            asked.append(statement)

    event.listen(database.engine, "before_cursor_execute", seen)
    try:
        with database.session() as session:
            since = len(asked)
            enrolled = galleries.sync(session)
    finally:
        event.remove(database.engine, "before_cursor_execute", seen)
    assert enrolled == {Repository.CRIMINAL: [criminal], Repository.IMMIGRATION: [immigrant]}
    assert list(galleries.criminal.subject_ids()) == [criminal]  # each in its own
    assert list(galleries.immigration.subject_ids()) == [immigrant]
    # one look for what is new, then each repository's newcomers' templates
    assert len(asked) - since == 3
    with database.session() as session:  # the mark moved past both newcomers' prints
        assert galleries.synced_to == print_store.newest_fingerprint_id(session)


def test_writing_shard_snapshots_records_each_shards_read(
    database: Database, tmp_path: Path
) -> None:
    world = small_world()
    runner.load_reference(database, world)
    held = write_snapshots(
        database, Repository.CRIMINAL, directory=tmp_path, shards=2, reader="cli:clerk"
    )
    reads = [e for e in _gallery_reads(database) if e.actor == "cli:clerk"]
    assert [e.details["shard"] for e in reads] == ["shard 1 of 2", "shard 2 of 2"]
    assert sum(e.details["subjects"] for e in reads) == held
    write_snapshots(database, Repository.CRIMINAL, directory=tmp_path, shards=2, reader="cli:clerk")
    again = [e for e in _gallery_reads(database) if e.actor == "cli:clerk"]
    assert len(again) == len(reads)  # level already: nothing read, nothing recorded


def test_a_sync_in_a_unit_that_rolls_back_is_read_and_recorded_again(
    database: Database,
) -> None:
    runner.load_reference(database, small_world())
    galleries = Galleries(criminal=Gallery(), immigration=Gallery(), reader="worker:c")
    with database.session() as session:
        galleries.synced_to = print_store.newest_fingerprint_id(session)
    newcomer = _enrolled_by_another_worker(database, seed=6)
    try:
        with database.session() as session:  # a booking's unit of work, as the worker runs it
            galleries.unit_syncs.clear()
            assert galleries.sync(session)[Repository.CRIMINAL] == [newcomer]
            raise RuntimeError("a later step of the unit fails")
    except RuntimeError:
        galleries.undo_unit_syncs()
    assert newcomer not in galleries.criminal
    assert not [e for e in _gallery_reads(database) if e.actor == "worker:c"]  # rolled back
    with database.session() as session:  # the retry
        assert galleries.sync(session)[Repository.CRIMINAL] == [newcomer]
    assert newcomer in galleries.criminal
    recorded = [e for e in _gallery_reads(database) if e.actor == "worker:c"]
    assert [e.records for e in recorded] == [[f"criminal_subject:{newcomer}"]]


def _enrolled_by_another_worker(database: Database, *, seed: int) -> int:
    with database.session() as session:
        subject = repository_service.create_criminal_subject(
            session,
            name="NEWCOMER, TWO",
            dob=date(1981, 2, 2),
            sex="F",
            race="W",
            place_of_birth="MX",
        )
        print_store.store_prints(
            session,
            repository=Repository.CRIMINAL,
            subject_id=subject.id,
            prints=synthetic.synthesize_tenprint(np.random.default_rng(seed)),
        )
        return subject.id
