"""Claims: one UPDATE on a submission still open. After a database restart a worker
whose lock went with its connection may still be driving the submission another claims;
the claim moves the row's version on, so that worker loses its next step, never the
claimer."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select, text, update
from world_fixtures import small_world

from securecomm.booking import service as booking_service
from securecomm.booking.models import Submission, SubmissionKind, SubmissionState
from securecomm.database import Database
from securecomm.database.locks import runs_in_parallel
from securecomm.database.reference import ReferenceRevision
from securecomm.pipeline.claims import Claims
from securecomm.pipeline.worker import Worker
from securecomm.simulation import runner
from securecomm.simulation.court import SimulatedImmigrationCourt


def _stored(database: Database) -> int:
    with database.session() as session:
        submission, _ = booking_service.receive(
            session,
            kind=SubmissionKind.BOOKING,
            raw=json.dumps({"tcn": "TCN-CLAIM-1"}).encode(),
            event_at=datetime(2012, 3, 1, tzinfo=UTC),
            tcn="TCN-CLAIM-1",
        )
        session.flush()
        return submission.id


def _version(database: Database, submission_id: int) -> int:
    with database.session() as session:
        return session.get_one(Submission, submission_id).version


def test_a_claim_moves_the_version_on_under_a_driver_that_lost_its_lock(
    database: Database,
) -> None:
    if not runs_in_parallel(database.engine):
        pytest.skip("SQLite: workers take turns under the order lock, no race to lose")
    submission_id = _stored(database)
    with database.session() as session:  # the driver whose lock died reads the row
        stale = session.get_one(Submission, submission_id)
        version_seen = stale.version
    claims = Claims(database, "worker-b", timedelta(minutes=5))
    with database.engine.begin() as connection:
        claimed = claims._mark_claimed(connection, submission_id)
    assert claimed is not None
    assert (claimed.id, claimed.kind, claimed.tcn) == (
        submission_id,
        SubmissionKind.BOOKING,
        "TCN-CLAIM-1",
    )
    assert _version(database, submission_id) == version_seen + 1
    with database.session() as session:  # the old driver's next step: compare-and-set
        moved = session.execute(
            update(Submission)
            .where(Submission.id == submission_id, Submission.version == version_seen)
            .values(step="late", version=version_seen + 1)
            .execution_options(synchronize_session=False)
        )
        assert moved.rowcount == 0


def test_a_claim_on_a_finished_submission_is_no_claim(database: Database) -> None:
    submission_id = _stored(database)
    with database.session() as session:
        session.get_one(Submission, submission_id).state = SubmissionState.DONE
    claims = Claims(database, "worker-b", timedelta(minutes=5))
    with database.engine.begin() as connection:
        assert claims._mark_claimed(connection, submission_id) is None
    with claims.claim() as claimed:
        assert claimed is None


def test_the_claim_asks_for_open_submissions_in_the_words_of_their_index(
    database: Database,
) -> None:
    """A planner uses the partial index of open submissions only if it sees that the
    query implies the index's condition; PostgreSQL cannot in the generic plan of a
    prepared statement whose states are parameters, and sorts every open submission."""
    _stored(database)
    index = next(i for i in Submission.__table__.indexes if i.name == "ix_submissions_open_order")
    predicate = str(index.dialect_options[database.engine.dialect.name]["where"])
    ordered: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        if "ORDER BY" in statement and "event_at" in statement:
            ordered.append(statement)

    event.listen(database.engine, "before_cursor_execute", seen)
    try:
        with Claims(database, "worker-a", timedelta(minutes=5)).claim() as claimed:
            assert claimed is not None
    finally:
        event.remove(database.engine, "before_cursor_execute", seen)
    assert ordered
    assert all(predicate in statement for statement in ordered)


def test_sqlite_takes_the_oldest_open_submission_from_its_partial_index(
    database: Database,
) -> None:
    """Without ANALYZE statistics SQLite's planner took the index on state and sorted
    every open submission at each claim; the claim names the partial index."""
    if runs_in_parallel(database.engine):
        pytest.skip("PostgreSQL claims by the anti-join, tested above")
    _stored(database)
    claimed_with: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        if "ORDER BY" in statement and "event_at" in statement:
            claimed_with.append(statement)

    event.listen(database.engine, "before_cursor_execute", seen)
    try:
        with Claims(database, "worker-a", timedelta(minutes=5)).claim() as claimed:
            assert claimed is not None
    finally:
        event.remove(database.engine, "before_cursor_execute", seen)
    (statement,) = claimed_with
    with database.engine.connect() as connection:
        plan = " ".join(
            row[3]
            for row in connection.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + statement, (1,) * statement.count("?")
            )
        )
    assert "ix_submissions_open_order" in plan
    assert "TEMP B-TREE" not in plan  # no sort


def test_a_claim_on_postgresql_is_three_statements_and_no_transaction(
    database: Database,
) -> None:
    """The claim's reads, lock and stamp each commit alone on the lock's connection: no
    BEGIN and COMMIT round trips around them (it was three transactions on three
    connections), and the lock still holds the submission until the block ends."""
    if not runs_in_parallel(database.engine):
        pytest.skip("SQLite: workers take turns under the order lock")
    submission_id = _stored(database)
    statements: list[str] = []
    commits: list[object] = []

    def statement(_conn: object, _cursor: object, text: str, *_rest: object) -> None:
        statements.append(text)

    def commit(connection: object) -> None:
        commits.append(connection)

    event.listen(database.engine, "before_cursor_execute", statement)
    event.listen(database.engine, "commit", commit)
    try:
        with Claims(database, "worker-a", timedelta(minutes=5)).claim() as claimed:
            assert claimed is not None
            assert claimed.id == submission_id
            taken = len(statements)
            with Claims(database, "worker-b", timedelta(minutes=5)).claim() as other:
                assert other is None  # locked by worker-a, and no other open
    finally:
        event.remove(database.engine, "before_cursor_execute", statement)
        event.remove(database.engine, "commit", commit)
    assert taken == 3  # the next free, the lock, the stamp
    assert commits == []


def test_a_claim_gives_the_reference_revision_its_units_read_under(database: Database) -> None:
    """The claim returns the reference tables' revision beside the submission, so the
    units of work that drive it need not ask for it (``reference.read_as_of``)."""
    _stored(database)
    with database.engine.begin() as connection:  # a reference change before the claim
        connection.execute(text("UPDATE reference_revision SET revision = revision + 5"))
    with database.session() as session:
        stored = session.execute(select(ReferenceRevision.epoch, ReferenceRevision.revision)).one()
    with Claims(database, "worker-a", timedelta(minutes=5)).claim() as claimed:
        assert claimed is not None
        assert claimed.reference == (stored.epoch, stored.revision)
        assert claimed.reference[1] >= 5


def test_a_drive_takes_its_submission_from_the_claim_not_from_a_read(
    database: Database,
) -> None:
    """The claim's UPDATE returns the submission whole; the first unit of work takes it
    from there and each later group's unit from the one before. The flow is the same:
    every booking and follow-up ends done or rejected, none failed."""
    world = small_world()
    links = runner.load_reference(database, world)
    runner.enqueue_events(database, world, links, invalid_fraction=0.02)
    read_by_id: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        if (
            statement.startswith("SELECT")
            and "FROM submissions WHERE submissions.id =" in statement
        ):
            read_by_id.append(statement)

    worker = Worker(database, court=SimulatedImmigrationCourt(world))
    event.listen(database.engine, "before_cursor_execute", seen)
    try:
        report = worker.run()
    finally:
        event.remove(database.engine, "before_cursor_execute", seen)
        worker.close()
    assert report.submissions > 0
    assert report.failed == 0
    assert read_by_id == []
    with database.session() as session:
        states = set(session.scalars(select(Submission.state)))
    assert states <= {SubmissionState.DONE, SubmissionState.REJECTED}
