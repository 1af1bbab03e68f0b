"""One bad file must never stop the program (intake-hardening issue).

Each finding is reproduced: corrupt WSQ, a PNG declaring 20,000 x 20,000 pixels, a
Type-9 resolution of 0, a JSON booking nested 100,000 deep, a 50 MB booking, a TCN
reused with other bytes, an ORI that is a path, an unexpected error inside a step, a
transient store fault. Then a seeded fuzz run pushes a few thousand mutated CARs through
the worker: every one ends completed, rejected or failed, none stays received, and a
well-formed booking sent after them is answered.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from world_fixtures import small_world

from securecomm.ansi_nist import TaggedRecord, encode, parse
from securecomm.booking import intake
from securecomm.booking import service as booking_service
from securecomm.booking.car import NATIVE_TEMPLATE_FIELD, car_from_booking
from securecomm.booking.models import Submission, SubmissionState
from securecomm.booking.schemas import BookingDocument
from securecomm.database import Database, open_database
from securecomm.exceptions import ConfigurationError
from securecomm.interop import flows
from securecomm.interop.models import OutboxMessage, Transaction
from securecomm.pipeline import submit as pipeline_submit
from securecomm.pipeline import worker as pipeline_worker
from securecomm.pipeline.worker import Worker
from securecomm.simulation import runner
from securecomm.simulation.court import SimulatedImmigrationCourt
from securecomm.simulation.hostile import hostile_files, image_cars, png_bytes

FUZZ_FILES = 2000
FINAL = {SubmissionState.DONE, SubmissionState.REJECTED, SubmissionState.FAILED}


@cache
def documents() -> tuple[BookingDocument, ...]:
    return tuple(
        BookingDocument.model_validate(runner.booking_document(event))
        for event in small_world().bookings[:12]
    )


def car(document: BookingDocument) -> bytes:
    return car_from_booking(document, destination_ori=f"{document.ori[:2]}SIB0000")


@pytest.fixture
def loaded(database: Database) -> Database:
    runner.load_reference(database, small_world())
    return database


def worker(database: Database) -> Worker:
    return Worker(database, court=SimulatedImmigrationCourt(small_world()))


def states(database: Database) -> Counter[SubmissionState]:
    with database.session() as session:
        return Counter(session.scalars(select(Submission.state)))


def only(database: Database) -> Submission:
    with database.session() as session:
        (submission,) = session.scalars(select(Submission).order_by(Submission.id.desc()).limit(1))
        session.expunge(submission)
        return submission


def _edited(raw: bytes, record_type: int, **fields: str | bytes) -> bytes:
    transaction = parse(raw)
    record = next(
        r for r in transaction.records if isinstance(r, TaggedRecord) and r.type == record_type
    )
    for tag, value in fields.items():
        record.set(int(tag.removeprefix("f")), value)
    return encode(transaction)


def _image_car(database: Database, *, png: bool) -> bytes:
    document = documents()[0]
    return image_cars(document.ori, f"{document.ori[:2]}SIB0000")[1 if png else 0]


def _problem_fields(submission: Submission) -> str:
    return " ".join(f"{e['field']} {e['rule']} {e['message']}" for e in submission.errors)


# --------------------------------------------------------------------------- decoders


def test_corrupt_wsq_is_a_typed_error_naming_the_record_and_the_queue_goes_on(
    loaded: Database,
) -> None:
    raw = _image_car(loaded, png=False)
    transaction = parse(raw)
    record = next(r for r in transaction.records if isinstance(r, TaggedRecord) and r.type == 14)
    data = bytearray(record.binary_data or b"")
    for index in range(len(data) // 3, len(data) // 3 + 200):
        data[index] ^= 0x5A
    record.set(999, bytes(data))
    intake.store(loaded, encode(transaction))
    intake.store(loaded, car(documents()[1]))
    report = worker(loaded).run()
    assert report.failed == 0
    with loaded.session() as session:
        bad, good = session.scalars(select(Submission).order_by(Submission.id))
        assert bad.state is SubmissionState.REJECTED
        assert "14.999" in _problem_fields(bad)
        assert good.state is SubmissionState.DONE


@pytest.mark.parametrize("side", [20_000, 13_000, 4_097])
def test_an_enormous_png_is_refused_from_its_header_before_decoding(
    loaded: Database, side: int
) -> None:
    # 14.006/14.007 keep their valid values; only the PNG's own header is enormous
    raw = _edited(_image_car(loaded, png=True), 14, f999=png_bytes(side, side))
    intake.store(loaded, raw)
    worker(loaded).run()
    submission = only(loaded)
    assert submission.state is SubmissionState.REJECTED
    problems = _problem_fields(submission)
    assert "14.999" in problems
    assert "before decoding" in problems or "header" in problems


@pytest.mark.parametrize(("field", "value"), [(131, "0"), (128, "0"), (129, "abc")])
def test_an_impossible_minutiae_number_names_its_field(
    loaded: Database, field: int, value: str
) -> None:
    transaction = parse(car(documents()[0]))
    for record in transaction.records:
        if isinstance(record, TaggedRecord) and record.type == 9:
            record.remove(NATIVE_TEMPLATE_FIELD)  # so the INCITS 378 block is read
            record.set(field, value)
    intake.store(loaded, encode(transaction))
    worker(loaded).run()
    submission = only(loaded)
    assert submission.state is SubmissionState.REJECTED
    assert f"9.{field:03d}" in _problem_fields(submission)


def test_a_json_booking_nested_100000_deep_is_refused_and_kept(loaded: Database) -> None:
    raw = b'{"tcn": "DEEP", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    intake.store(loaded, raw)
    worker(loaded).run()
    submission = only(loaded)
    assert submission.state is SubmissionState.REJECTED
    assert "max_json_depth" in _problem_fields(submission)
    assert submission.raw == raw


def test_a_50_mb_booking_is_refused_by_its_size_and_only_its_start_is_kept(
    loaded: Database, tmp_path: Path
) -> None:
    huge = tmp_path / "huge.json"
    document = json.loads(json.dumps(runner.booking_document(small_world().bookings[0])))
    document["padding"] = "x" * (50 * 1024 * 1024)
    huge.write_text(json.dumps(document))
    from typer.testing import CliRunner

    from securecomm.cli import app

    url = loaded.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(
        app, ["submit", str(huge), "--database-url", url, "--answers-dir", str(tmp_path / "a")]
    )
    assert result.exit_code == 1, result.output
    submission = only(loaded)
    assert submission.state is SubmissionState.REJECTED
    assert submission.raw_size == huge.stat().st_size
    assert len(submission.raw) <= 64 * 1024
    assert "SECURECOMM_MAX_JSON_BYTES" in _problem_fields(submission)


# --------------------------------------------------------------------------- TCN reuse


def test_a_tcn_reused_with_different_bytes_is_refused_naming_the_first(loaded: Database) -> None:
    first = car(documents()[0])
    edited = _edited(first, 2, f18="SMITH,EDITED")
    intake.store(loaded, first)
    intake.store(loaded, edited)
    assert intake.store(loaded, first)[1] is False  # the same file again: idempotent
    worker(loaded).run()
    with loaded.session() as session:
        one, two = session.scalars(select(Submission).order_by(Submission.id))
        assert one.state is SubmissionState.DONE
        assert two.state is SubmissionState.REJECTED
        assert two.raw == edited  # both files kept
        assert one.raw == first
        problems = _problem_fields(two)
        assert "tcn_reused" in problems
        assert documents()[0].tcn in problems
        assert f"submission {one.id}" in problems
        errt = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.submission_id == two.id, OutboxMessage.message_type == "ERRT"
            )
        ).one()
        assert any(documents()[0].tcn in line for line in errt.payload["messages"])


def test_an_edited_json_booking_under_the_same_tcn_is_not_silently_dropped(
    loaded: Database,
) -> None:
    document = runner.booking_document(small_world().bookings[0])
    intake.store(loaded, json.dumps(document).encode())
    document["name"] = "EDITED,NAME"
    _, new, _ = intake.store(loaded, json.dumps(document).encode())
    assert new
    worker(loaded).run()
    assert states(loaded)[SubmissionState.REJECTED] == 1


# --------------------------------------------------------------------------- paths


def test_an_ori_that_is_a_path_is_answered_inside_the_answers_folder(
    loaded: Database, tmp_path: Path
) -> None:
    raw = _edited(car(documents()[0]), 1, f8="../../x")
    answers = tmp_path / "deep" / "answers"
    result = pipeline_submit.submit(loaded, raw, answers_dir=answers)
    assert not result.accepted
    for path in result.answers:
        assert answers.resolve() in path.resolve().parents
        assert path.parent.name == "UNKNOWN"
    assert not (tmp_path / "x").exists()
    assert not (tmp_path / "deep" / "x").exists()


# --------------------------------------------------------------------------- the guard


def test_an_unexpected_error_fails_only_that_submission_and_it_can_be_retried(
    loaded: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = pipeline_worker.STEPS[flows.State.STATUS_QUERIED]
    broken = {"on": True}

    def sometimes_broken(session, transaction, galleries):  # type: ignore[no-untyped-def]
        if broken["on"]:
            raise ZeroDivisionError("a bug in the status step")
        real(session, transaction, galleries)

    monkeypatch.setitem(pipeline_worker.STEPS, flows.State.STATUS_QUERIED, sometimes_broken)
    for document in documents():
        intake.store(loaded, car(document))
    report = worker(loaded).run()
    assert report.failed >= 1  # at least one booking matched and reached the status step
    with loaded.session() as session:
        failed = list(
            session.scalars(select(Submission).where(Submission.state == SubmissionState.FAILED))
        )
        assert all(s.failure["error"] == "ZeroDivisionError" for s in failed)
        assert all(s.failure["step"] == "status_queried" for s in failed)
        held = session.scalar(select(func.count()).where(OutboxMessage.message_type == "HELD"))
        assert held == len(failed)
        ids = [s.id for s in failed]
    assert states(loaded)[SubmissionState.DONE] == len(documents()) - len(ids)
    broken["on"] = False
    with loaded.session() as session:
        for submission_id in ids:
            booking_service.retry(session, submission_id=submission_id)
    worker(loaded).run()
    assert states(loaded) == Counter({SubmissionState.DONE: len(documents())})
    with loaded.session() as session:
        assert session.scalar(select(func.count()).select_from(Transaction)) == len(documents())


def test_a_transient_store_fault_is_retried_not_failed(
    loaded: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = pipeline_worker.STEPS[flows.State.CRIMINAL_SEARCHED]
    faults = {"left": 2}

    def flaky(session, transaction, galleries):  # type: ignore[no-untyped-def]
        if faults["left"]:
            faults["left"] -= 1
            raise OperationalError("UPDATE ...", {}, Exception("server closed the connection"))
        real(session, transaction, galleries)

    monkeypatch.setitem(pipeline_worker.STEPS, flows.State.CRIMINAL_SEARCHED, flaky)
    intake.store(loaded, car(documents()[0]))
    w = worker(loaded)
    w._retry = type(w._retry)(retries=3, first_pause=0.01)
    report = w.run()
    assert report.retried == 2
    assert report.failed == 0
    assert only(loaded).state is SubmissionState.DONE


# --------------------------------------------------------------------------- secrets


def test_a_database_url_password_never_appears_in_an_error() -> None:
    url = "postgresql+psycopg://securecomm:hunter2-secret@127.0.0.1:1/nowhere"
    with pytest.raises(ConfigurationError) as raised:
        open_database(url)
    assert "hunter2-secret" not in str(raised.value)
    assert "***" in str(raised.value)


# --------------------------------------------------------------------------- fuzz


@pytest.mark.system  # a long fuzz run: `make system`
def test_a_fuzz_run_of_mutated_cars_never_stops_the_worker(sqlite_database: Database) -> None:
    # SQLite only: the decoders are what is under test (the PostgreSQL paths of failing,
    # rejecting and claiming are covered above and in test_many_workers.py).
    loaded = sqlite_database
    runner.load_reference(loaded, small_world())
    document = documents()[0]
    bases = [car(d) for d in documents()[:6]]
    bases += image_cars(document.ori, f"{document.ori[:2]}SIB0000")
    labels: Counter[str] = Counter()
    for hostile in hostile_files(bases, count=FUZZ_FILES, seed=2026):
        intake.store(loaded, hostile.raw)
        labels[hostile.label] += 1
    assert len(labels) >= 6  # every kind of damage was tried
    worker(loaded).run()
    final = states(loaded)
    assert set(final) <= FINAL, final
    assert sum(final.values()) > FUZZ_FILES // 2  # (identical mutants are stored once)
    assert final[SubmissionState.REJECTED] > 0
    with loaded.session() as session:
        failed = session.scalars(
            select(Submission).where(Submission.state == SubmissionState.FAILED)
        )
        assert all(s.failure.get("error") for s in failed)
    fresh = car(documents()[-1])
    result = pipeline_submit.submit(loaded, fresh, answers_dir=Path("/tmp/securecomm-fuzz-answers"))
    assert result.accepted, result.problems
    assert any(path.name.endswith(".SRE.an2") for path in result.answers)
