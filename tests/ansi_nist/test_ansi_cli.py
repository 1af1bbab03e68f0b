"""The ``show`` and ``validate`` sub-commands, driven through Typer's test runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from securecomm.ansi_nist import encode, parse
from securecomm.ansi_nist.cli import app

runner = CliRunner()


@pytest.fixture
def car_file(tmp_path: Path, car_bytes: bytes) -> Path:
    path = tmp_path / "car.eft"
    path.write_bytes(car_bytes)
    return path


@pytest.fixture
def broken_car_file(tmp_path: Path, car_bytes: bytes) -> Path:
    transaction = parse(car_bytes)
    next(transaction.tagged(2)).remove("2.024")
    path = tmp_path / "broken.eft"
    path.write_bytes(encode(transaction))
    return path


def test_show_summarises_images(car_file: Path) -> None:
    result = runner.invoke(app, ["show", str(car_file)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "DOE,JOHN Q" in result.output
    assert "WSQ20 500x500 finger 1" in result.output
    assert "record 15: Type-14" in result.output


def test_show_json(car_file: Path) -> None:
    result = runner.invoke(app, ["show", "--json", str(car_file)])
    assert result.exit_code == 0
    payload = json.loads(result.output)
    records = payload["records"]
    assert len(records) == 16
    assert records[1]["fields"][2] == {"tag": "2.005", "value": "Y"}
    assert records[2]["image"] == {
        "compression": "WSQ20",
        "width": 500,
        "height": 500,
        "fingers": [1],
        "size_bytes": records[2]["fields"][-1]["value"]["binary_bytes"],
    }


def test_validate_clean_file_exits_zero(car_file: Path) -> None:
    result = runner.invoke(app, ["validate", str(car_file)])
    assert result.exit_code == 0
    assert "valid" in result.output


def test_validate_reports_violations_and_exits_nonzero(broken_car_file: Path) -> None:
    result = runner.invoke(app, ["validate", "--json", str(broken_car_file)])
    assert result.exit_code == 1
    payload = json.loads(result.output)
    assert payload["valid"] is False
    assert payload["violations"] == [
        {
            "record_index": 1,
            "tag": "2.024",
            "mnemonic": "SEX",
            "rule": "ebts91.mandatory",
            "message": "2.024 SEX is mandatory in a CAR",
        }
    ]
    table = runner.invoke(app, ["validate", str(broken_car_file)], env={"COLUMNS": "200"})
    assert table.exit_code == 1
    assert "ebts91.mandatory" in table.output


def test_unparseable_file_gets_a_clear_message(tmp_path: Path, car_bytes: bytes) -> None:
    path = tmp_path / "cut.eft"
    path.write_bytes(car_bytes[:-10])
    result = runner.invoke(app, ["validate", "--json", str(path)])
    assert result.exit_code == 2
    payload = json.loads(result.output)
    assert payload["record_index"] == 15
    assert "exceeds" in payload["error"]
    plain = runner.invoke(app, ["show", str(path)])
    assert plain.exit_code == 2
    assert "Traceback" not in plain.output


def test_missing_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["show", str(tmp_path / "nope.eft")])
    assert result.exit_code == 2
