"""Policy data files: the packaged files load, and malformed ones name file, row and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from securecomm.priority.catalogue import OFFENCES_FILE, PolicyDataError, load_catalogue
from securecomm.priority.schemes import SCHEMES_FILE, load_schemes

HEADER = "code_from,code_to,category,description,sc2008_level,flags,provenance\n"
GOOD_ROW = "1300,1399,assault,Assault,3,,DOMAIN.md\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_packaged_catalogue_has_provenance_on_every_row() -> None:
    catalogue = load_catalogue(OFFENCES_FILE)
    assert catalogue.lookup("1313").provenance


def test_packaged_schemes_are_contiguous() -> None:
    book = load_schemes(SCHEMES_FILE)
    assert [s.scheme_id for s in book.schemes] == ["sc2008", "morton2010", "pep2014", "eo13768"]
    assert all(scheme.provenance for scheme in book.schemes)


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ("13x0,1399,assault,Assault,3,,DOMAIN.md\n", "code_from"),
        ("1300,1399,assault,Assault,4,,DOMAIN.md\n", "sc2008_level"),
        ("1300,1399,assault,Assault,3,not_a_flag,DOMAIN.md\n", "flags.0"),
        ("1300,1399,assault,Assault,3,,\n", "provenance"),
        ("1399,1300,assault,Assault,3,,DOMAIN.md\n", "(row)"),
        ("1300,1399,assault,Assault,3,,DOMAIN.md,surplus\n", "(extra cells)"),
    ],
)
def test_malformed_catalogue_row_names_file_row_and_field(
    tmp_path: Path, row: str, field: str
) -> None:
    path = write(tmp_path, "offences.csv", HEADER + "0900,0999,homicide,Homicide,1,,D\n" + row)
    with pytest.raises(PolicyDataError) as caught:
        load_catalogue(path)
    error = caught.value
    assert (error.file, error.row, error.field) == ("offences.csv", 2, field)
    assert "offences.csv, row 2" in str(error)


def test_missing_column_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "offences.csv", HEADER.replace(",provenance", "") + "1,2,a,b,3,\n")
    with pytest.raises(PolicyDataError) as caught:
        load_catalogue(path)
    assert caught.value.field == "provenance"


def test_partly_overlapping_ranges_are_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "offences.csv", HEADER + GOOD_ROW + "1350,1450,x,X,3,,D\n")
    with pytest.raises(PolicyDataError, match="partly overlaps row 1") as caught:
        load_catalogue(path)
    assert caught.value.row == 2


def test_duplicate_range_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "offences.csv", HEADER + GOOD_ROW + GOOD_ROW)
    with pytest.raises(PolicyDataError, match="already defined on row 1"):
        load_catalogue(path)


def _schemes_document() -> dict[str, object]:
    document = json.loads(SCHEMES_FILE.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def test_scheme_gap_is_rejected(tmp_path: Path) -> None:
    document = _schemes_document()
    schemes = document["schemes"]
    assert isinstance(schemes, list)
    schemes[2]["effective_from"] = "2014-11-21"
    path = write(tmp_path, "schemes.json", json.dumps(document))
    with pytest.raises(PolicyDataError) as caught:
        load_schemes(path)
    assert (caught.value.row, caught.value.field) == (3, "effective_from")


def test_scheme_parameter_error_names_the_parameter(tmp_path: Path) -> None:
    document = _schemes_document()
    schemes = document["schemes"]
    assert isinstance(schemes, list)
    schemes[2]["parameters"]["significant_sentence_days"] = "ninety"
    path = write(tmp_path, "schemes.json", json.dumps(document))
    with pytest.raises(PolicyDataError) as caught:
        load_schemes(path)
    assert caught.value.row == 3
    assert caught.value.field == "parameters.significant_sentence_days"


def test_invalid_json_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "schemes.json", "{not json")
    with pytest.raises(PolicyDataError, match="invalid JSON at line 1"):
        load_schemes(path)
