"""CAR files through intake: round trip to the same booking, every violation named in the
ERRT with the raw kept, and ``securecomm submit`` end to end on SQLite."""

from __future__ import annotations

import base64
import json
import math
from datetime import date
from functools import cache
from pathlib import Path

import pytest
from typer.testing import CliRunner

from securecomm.ansi_nist import (
    Compression,
    build_car,
    encode,
    parse,
    parse_iaq,
    parse_iar,
    validate,
)
from securecomm.ansi_nist.samples import sample_booking
from securecomm.biometrics import Template
from securecomm.booking.car import car_from_booking, fit_name
from securecomm.booking.car_reading import booking_from_car, finger_images, fingers_with_images
from securecomm.booking.intake import content_type_of
from securecomm.booking.models import Submission, SubmissionState
from securecomm.booking.schemas import BookingDocument
from securecomm.cli import app
from securecomm.database import Database, open_database
from securecomm.exceptions import InputError
from securecomm.pipeline.submit import submit
from securecomm.simulation import runner
from securecomm.simulation.generate import build_world
from securecomm.simulation.world import World


@cache
def world() -> World:
    return build_world(
        people=120, start=date(2008, 10, 1), end=date(2018, 12, 31), seed=11, population="dense"
    )


def documents() -> list[BookingDocument]:
    return [
        BookingDocument.model_validate(json.loads(json.dumps(runner.booking_document(event))))
        for event in world().bookings
    ]


def bureau_of(document: BookingDocument) -> str:
    return f"{document.ori[:2]}SIB0000"  # the synthetic world's state bureau ORIs


def car_of(document: BookingDocument) -> bytes:
    return car_from_booking(document, destination_ori=bureau_of(document))


def with_type2(raw: bytes, **changes: str | None) -> bytes:
    """The CAR with Type-2 fields changed (``None`` removes one), LEN recomputed."""
    from securecomm.ansi_nist import encode

    transaction = parse(raw)
    type2 = next(transaction.tagged(2))
    for tag, value in changes.items():
        number = int(tag.removeprefix("f"))
        if value is None:
            type2.remove(number)
        else:
            type2.set(number, value)
    return encode(transaction)


# --------------------------------------------------------------------------- round trip


def test_a_car_written_for_each_synthetic_booking_reads_back_as_the_same_booking() -> None:
    shortened = 0
    for document in documents():
        expected = document.model_copy(
            update={
                "name": fit_name(document.name),
                "aliases": [fit_name(a) for a in document.aliases],
            }
        )
        shortened += expected != document
        assert booking_from_car(car_of(document)) == expected, document.tcn
    assert shortened < len(documents()) // 4  # only names over 30 characters change


def test_fit_name_keeps_ebts_length_and_shape() -> None:
    assert fit_name("DOE,JOHN") == "DOE,JOHN"
    assert fit_name("MORALES LEMUS,ESMERALDA GUADALUPE") == "MORALES LEMUS,ESMERALDA"
    long_surname = fit_name("VANDERSTRAETEN-OOSTERHUIZEN-DE LA CRUZ,MARIA")
    assert len(long_surname) <= 30
    assert long_surname.endswith(",M")


def test_the_written_car_is_valid_except_that_ebts_wants_images() -> None:
    transaction = parse(car_of(documents()[0]))
    assert validate(transaction, allow_minutiae_only=True) == []
    assert [v.rule for v in validate(transaction)] == ["ebts91.record_count"]
    assert transaction.tot == "CAR"
    assert {record.type for record in transaction.records} == {1, 2, 9}
    asl = next(transaction.tagged(2)).field(47)
    assert asl is not None
    assert asl.subfields[0][1].endswith("DAYS)")


def test_the_m1_block_alone_gives_the_minutiae_within_its_quantisation() -> None:
    document = documents()[0]
    transaction = parse(car_of(document))
    for record in transaction.tagged(9):
        record.remove(200)  # only the INCITS 378 block is left
    from securecomm.ansi_nist import encode

    back = booking_from_car(encode(transaction))
    for position, original_bytes in document.template_bytes().items():
        original = Template.from_bytes(original_bytes)
        read = Template.from_bytes(back.template_bytes()[position])
        assert (read.width, read.height, read.finger_position) == (
            original.width,
            original.height,
            position,
        )
        assert len(read) == len(original)
        assert abs(read.minutiae[:, :2] - original.minutiae[:, :2]).max() <= 1.0
        turn = (read.minutiae[:, 2] - original.minutiae[:, 2] + math.pi) % (2 * math.pi) - math.pi
        assert abs(turn).max() <= math.radians(1.01)  # M1 angles come in 2-degree units


# --------------------------------------------------------------------------- invalid files


def test_every_validation_violation_is_named_with_field_id_and_mnemonic() -> None:
    raw = with_type2(car_of(documents()[0]), f24="Q", f31="PUR", f18=None)
    with pytest.raises(InputError) as caught:
        booking_from_car(raw)
    fields = {problem.field for problem in caught.value.problems}
    assert {"2.024 SEX", "2.031 EYE", "2.018 NAM"} <= fields
    rules = {problem.rule for problem in caught.value.problems}
    assert {"ebts91.code_table", "ebts91.mandatory"} <= rules


def test_bad_dates_charges_and_heights_are_named_after_validation_passes() -> None:
    raw = with_type2(car_of(documents()[0]), f22="19851345", f27="575")
    transaction = parse(raw)
    next(transaction.tagged(2)).set(47, [["20080101", "SHOPLIFTING"]])
    from securecomm.ansi_nist import encode

    with pytest.raises(InputError) as caught:
        booking_from_car(encode(transaction))
    problems = {problem.field: problem.rule for problem in caught.value.problems}
    assert problems == {
        "2.022 DOB": "date",
        "2.027 HGT": "height",
        "2.047 ASL charge 1": "securecomm.charge_literal",
    }


def test_a_corrupt_native_template_is_named_by_field_and_record() -> None:
    transaction = parse(car_of(documents()[0]))
    first = next(transaction.tagged(9))
    first.set(200, base64.b64encode(b"SCMT-not-a-template").decode())
    from securecomm.ansi_nist import encode

    with pytest.raises(InputError) as caught:
        booking_from_car(encode(transaction))
    (problem,) = caught.value.problems
    assert problem.field == "9.200 SCMT (record 2)"
    assert problem.rule == "template_unreadable"


@pytest.mark.parametrize("raw", [b"", b"1.001:99\x1d", b"not ansi/nist at all"])
def test_unreadable_bytes_are_a_typed_parse_problem(raw: bytes) -> None:
    with pytest.raises(InputError) as caught:
        booking_from_car(raw)
    assert caught.value.problems[0].rule == "an2011.parse"


def test_content_type_is_sniffed_from_the_first_bytes() -> None:
    assert content_type_of(b'  {"tcn": 1}') == "application/json"
    assert content_type_of(car_of(documents()[0])) == "application/x-ansi-nist"
    assert content_type_of(b"\x00\x01") == "application/octet-stream"


# --------------------------------------------------------------------------- submit


@pytest.fixture
def loaded(tmp_path: Path) -> tuple[str, Database]:
    url = f"sqlite:///{tmp_path / 'intake.sqlite'}"
    database = open_database(url)
    runner.load_reference(database, world())
    return url, database


def test_submit_answers_with_sre_and_idr_files_echoing_the_tcn(
    loaded: tuple[str, Database], tmp_path: Path
) -> None:
    _url, database = loaded
    answers = tmp_path / "answers"
    seen: dict[str, Path] = {}
    for document in documents():
        result = submit(database, car_of(document), answers_dir=answers)
        assert result.accepted, result.problems
        for path in result.answers:
            kind = path.name.split(".")[1]
            relayed = kind in {"SRE", "IDR-NM", "IDR-IAR"}
            if not relayed or path.parent.name == document.ori:  # the bureau's relay
                seen.setdefault(kind, path)
        if {"SRE", "IDR-IAR", "IAQ", "IAR"} <= set(seen) and "IDR-NM" in seen:
            break
    assert {"SRE", "IDR-NM", "IDR-IAR", "IAQ", "IAR"} <= set(seen)
    for kind in ("SRE", "IDR-NM", "IDR-IAR"):
        answer = parse(seen[kind].read_bytes())
        tcn = seen[kind].name.split(".")[0]
        submitted = parse(car_of(next(d for d in documents() if d.tcn == tcn)))
        assert answer.type1.get(10) == tcn  # TCR echoes the TCN
        assert answer.type1.get(7) == submitted.type1.get(8)  # DAI <- the CAR's ORI
        assert answer.type1.get(8) == submitted.type1.get(7)  # ORI <- the CAR's DAI
        assert seen[kind].parent.name == submitted.type1.get(8)
        bureau_copy = answers / submitted.type1.get(7) / seen[kind].name  # first leg
        assert bureau_copy.exists(), "answers reach the agency through its state bureau"
    assert parse(seen["SRE"].read_bytes()).get("2.059") in ("I", "N")
    combined = parse(seen["IDR-IAR"].read_bytes())
    assert combined.get("2.059") == "I"
    assert "IAR." in (combined.get("2.075") or "")
    assert parse_iaq(seen["IAQ"].read_text()).offence_code.isdigit()
    assert parse_iar(seen["IAR"].read_text()).status
    with database.session() as session:
        assert session.query(Submission).filter_by(state=SubmissionState.REJECTED).count() == 0


def test_submit_cli_rejects_an_invalid_car_with_an_errt_and_keeps_the_raw(
    loaded: tuple[str, Database], tmp_path: Path
) -> None:
    url, database = loaded
    document = documents()[0]
    raw = with_type2(car_of(document), f24="Q", f22="1985")
    car = tmp_path / "bad.an2"
    car.write_bytes(raw)
    answers = tmp_path / "answers"
    args = ["submit", str(car), "--database-url", url, "--answers-dir", str(answers), "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["accepted"] is False
    (errt_path,) = (Path(p) for p in report["answers"])
    assert errt_path == answers / document.ori / f"{document.tcn}.ERRT.an2"
    errt = parse(errt_path.read_bytes())
    assert errt.tot == "ERRT"
    assert errt.type1.get(10) == document.tcn
    messages = next(errt.tagged(2)).field(60)
    assert messages is not None
    lines = [sub[0] for sub in messages.subfields]
    assert any(line.startswith("2.024 SEX") for line in lines)
    assert any(line.startswith("2.022 DOB") for line in lines)
    with database.session() as session:
        (kept,) = session.query(Submission).all()
        assert kept.raw == raw
        assert kept.state is SubmissionState.REJECTED
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 1
    assert json.loads(again.stdout)["new"] is False
    assert sorted(p.name for p in (answers / document.ori).iterdir()) == [errt_path.name]


def test_submit_cli_prints_where_the_answers_are(
    loaded: tuple[str, Database], tmp_path: Path
) -> None:
    url, _database = loaded
    document = documents()[0]
    car = tmp_path / "good.an2"
    car.write_bytes(car_of(document))
    answers = tmp_path / "answers"
    result = CliRunner().invoke(
        app, ["submit", str(car), "--database-url", url, "--answers-dir", str(answers)]
    )
    assert result.exit_code == 0, result.output
    assert f"{document.tcn}.SRE.an2" in result.output
    assert (answers / document.ori / f"{document.tcn}.SRE.an2").exists()


def test_submit_cli_refuses_a_missing_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["submit", str(tmp_path / "absent.an2")])
    assert result.exit_code != 0


def test_a_car_with_images_only_gets_templates_extracted_per_rolled_finger() -> None:
    from dataclasses import replace
    from datetime import UTC, datetime

    from ansi_helpers import make_booking

    from securecomm.ansi_nist import Charge, build_car, encode

    booking = make_booking(fingers=3)
    booking = replace(
        booking,
        charges=(Charge("2399 Larceny - grand theft (MAX 730 DAYS)", booking.arrest_date),),
        transmitted_at=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
    )
    document = booking_from_car(encode(build_car(booking)))
    assert sorted(document.prints) == [1, 2, 3]
    assert all(
        Template.from_bytes(t).finger_position == p for p, t in document.template_bytes().items()
    )
    assert document.booked_at == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert (document.charges[0].ncic_code, document.charges[0].max_term_days) == ("2399", 730)


def test_a_cars_finger_images_are_found_by_header_and_decoded_one_at_a_time() -> None:
    raw = encode(build_car(sample_booking(fingers=3, compression=Compression.PNG, size=256)))
    present = fingers_with_images(raw)
    assert len(present) == 3
    one = min(present)
    decoded = finger_images(raw, {one})
    assert set(decoded) == {one}
    assert set(finger_images(raw)) == present
    assert fingers_with_images(b"not an ANSI/NIST file") == set()
