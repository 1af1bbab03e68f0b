"""Loading policy data files (CSV and JSON) into validated pydantic rows.

Policy lives in data files with a provenance field on every row; a malformed file
must fail loudly and precisely, so every validation problem becomes a
:class:`PolicyDataError` naming the file, the row and the field.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

RowModel = TypeVar("RowModel", bound=BaseModel)


class PolicyDataError(ValueError):
    """A policy data file is malformed: which file, which row (1-based), which field, why."""

    def __init__(self, *, file: str, row: int | None, field: str | None, reason: str) -> None:
        self.file = file
        self.row = row
        self.field = field
        self.reason = reason
        where = file
        if row is not None:
            where += f", row {row}"
        if field is not None:
            where += f", field {field!r}"
        super().__init__(f"{where}: {reason}")


def _first_error(error: ValidationError) -> tuple[str, str]:
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "(row)"
    return field, first["msg"]


def validate_row(model: type[RowModel], raw: object, *, file: str, row: int) -> RowModel:
    """Validate one raw row, turning pydantic's error into a :class:`PolicyDataError`."""
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        field, reason = _first_error(error)
        raise PolicyDataError(file=file, row=row, field=field, reason=reason) from error


def read_csv_rows(path: Path, model: type[RowModel]) -> list[RowModel]:
    """Rows of a CSV file with a header line; row numbers count data rows from 1."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            raw_rows = list(reader)
            header: Sequence[str] = reader.fieldnames or ()
    except OSError as error:
        raise PolicyDataError(file=path.name, row=None, field=None, reason=str(error)) from error
    expected = set(model.model_fields)
    missing = sorted(expected - set(header))
    if missing:
        raise PolicyDataError(
            file=path.name, row=None, field=missing[0], reason="column missing from the header"
        )
    return [
        validate_row(model, _csv_cells(raw), file=path.name, row=number)
        for number, raw in enumerate(raw_rows, start=1)
    ]


def _csv_cells(raw: dict[str | None, object]) -> dict[str, object]:
    # DictReader files surplus cells under None; keep them so validation reports them.
    cells: dict[str, object] = {}
    for key, value in raw.items():
        cells["(extra cells)" if key is None else key] = value
    return cells


def read_json_document(path: Path) -> object:
    """The parsed JSON document; unreadable or invalid JSON is a :class:`PolicyDataError`."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise PolicyDataError(file=path.name, row=None, field=None, reason=str(error)) from error
    except json.JSONDecodeError as error:
        reason = f"invalid JSON at line {error.lineno}: {error.msg}"
        raise PolicyDataError(file=path.name, row=None, field=None, reason=reason) from error


def read_json_rows(path: Path, key: str, model: type[RowModel]) -> list[RowModel]:
    """Rows of the JSON list stored under ``key`` in an object document."""
    document = read_json_document(path)
    if not isinstance(document, dict) or not isinstance(document.get(key), list):
        raise PolicyDataError(
            file=path.name, row=None, field=key, reason="expected an object holding a list here"
        )
    rows: list[object] = document[key]
    return [
        validate_row(model, raw, file=path.name, row=number)
        for number, raw in enumerate(rows, start=1)
    ]
