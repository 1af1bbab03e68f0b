"""Detainer data files: packaged files load, malformed ones name file, row and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from securecomm.detainers.hold_clock import HOLD_CLOCK_FILE, load_hold_clock
from securecomm.detainers.rules import FORMS_FILE, POLICIES_FILE, load_forms, load_policies
from securecomm.domain import DetainerPolicy
from securecomm.priority.datafiles import PolicyDataError


def copy_with(tmp_path: Path, source: Path, change: object) -> Path:
    document = json.loads(source.read_text(encoding="utf-8"))
    assert callable(change)
    change(document)
    path = tmp_path / source.name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_packaged_files_load() -> None:
    assert len(load_forms(FORMS_FILE)) == 6  # two editions of the I-247
    assert load_hold_clock(HOLD_CLOCK_FILE).hold_hours == 48
    assert set(load_policies(POLICIES_FILE)) == set(DetainerPolicy)


def test_overlapping_hold_forms_are_rejected(tmp_path: Path) -> None:
    def extend_i247(document: dict[str, list[dict[str, object]]]) -> None:
        document["forms"][0]["effective_until"] = "2015-12-31"

    with pytest.raises(PolicyDataError) as caught:
        load_forms(copy_with(tmp_path, FORMS_FILE, extend_i247))
    assert (caught.value.file, caught.value.row, caught.value.field) == (
        "forms.json",
        2,
        "serves",
    )


def test_unknown_form_is_rejected(tmp_path: Path) -> None:
    def rename(document: dict[str, list[dict[str, object]]]) -> None:
        document["forms"][1]["form"] = "I-999"

    with pytest.raises(PolicyDataError) as caught:
        load_forms(copy_with(tmp_path, FORMS_FILE, rename))
    assert (caught.value.row, caught.value.field) == (2, "form")


def test_missing_policy_is_rejected(tmp_path: Path) -> None:
    def drop(document: dict[str, list[dict[str, object]]]) -> None:
        document["policies"].pop()

    with pytest.raises(PolicyDataError, match="decline_all"):
        load_policies(copy_with(tmp_path, POLICIES_FILE, drop))


def test_bad_weekday_in_hold_clock(tmp_path: Path) -> None:
    def bad(document: dict[str, object]) -> None:
        document["excluded_weekdays"] = [5, 7]

    with pytest.raises(PolicyDataError, match=r"hold_clock\.json"):
        load_hold_clock(copy_with(tmp_path, HOLD_CLOCK_FILE, bad))
