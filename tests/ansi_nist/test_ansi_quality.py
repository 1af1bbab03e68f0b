"""NFIQ 2 in 14.024 FQM: written by our CAR builder, read back only where NIST's
algorithm scored the very finger, within 0-100."""

from __future__ import annotations

import pytest

from securecomm.ansi_nist import TaggedRecord
from securecomm.ansi_nist.quality import (
    FQM_FIELD,
    NFIQ2_VENDOR,
    nfiq2_entry,
    reported_nfiq2,
)


def _record(*entries: list[str]) -> TaggedRecord:
    record = TaggedRecord(14)
    record.set(FQM_FIELD, list(entries))
    return record


def test_an_entry_written_is_read_back_for_its_finger_only() -> None:
    record = _record(nfiq2_entry(3, 64))
    assert reported_nfiq2(record, 3) == 64
    assert reported_nfiq2(record, 4) is None
    assert reported_nfiq2(TaggedRecord(14), 3) is None  # no FQM at all


@pytest.mark.parametrize(
    "entry",
    [
        ["3", "64", "0042", "1"],  # another vendor's algorithm: not NFIQ 2
        ["3", "254", NFIQ2_VENDOR, "2"],  # not computed
        ["3", "255", NFIQ2_VENDOR, "2"],  # the algorithm failed
        ["3", "x", NFIQ2_VENDOR, "2"],
        ["3", "64"],  # vendor missing
    ],
)
def test_entries_that_are_not_an_nfiq2_score_are_ignored(entry: list[str]) -> None:
    assert reported_nfiq2(_record(entry), 3) is None


def test_the_nist_entry_among_several_is_found_and_lower_case_vendor_ids_count() -> None:
    record = _record(["3", "80", "0042", "1"], ["3", "57", NFIQ2_VENDOR.lower(), "9"])
    assert reported_nfiq2(record, 3) == 57


def test_a_score_outside_0_to_100_cannot_be_written() -> None:
    with pytest.raises(ValueError, match="0-100"):
        nfiq2_entry(3, 101)
