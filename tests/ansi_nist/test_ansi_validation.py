"""Validation: a built CAR is clean; each kind of broken rule is reported once, precisely."""

from __future__ import annotations

import pytest

from securecomm.ansi_nist import (
    TaggedRecord,
    Transaction,
    Type4Header,
    Type4Record,
    Violation,
    dump,
    encode,
    parse,
    validate,
)
from securecomm.ansi_nist.value_ranges import value_in_range


def _car(car_bytes: bytes) -> Transaction:
    return parse(car_bytes)


def _type2(transaction: Transaction) -> TaggedRecord:
    return next(transaction.tagged(2))


def _rules(violations: list[Violation]) -> set[tuple[str, str]]:
    return {(v.tag, v.rule) for v in violations}


def test_built_car_has_no_violation(car_bytes: bytes) -> None:
    assert validate(_car(car_bytes)) == []


def test_missing_mandatory_car_field(car_bytes: bytes) -> None:
    transaction = _car(car_bytes)
    _type2(transaction).remove("2.018")
    violations = validate(encode(transaction) and transaction)
    assert [(v.tag, v.mnemonic, v.rule, v.record_index) for v in violations] == [
        ("2.018", "NAM", "ebts91.mandatory", 1)
    ]


def test_code_table_violation(car_bytes: bytes) -> None:
    transaction = _car(car_bytes)
    _type2(transaction).set("2.025", "H")  # EBTS has no ethnicity code
    encode(transaction)
    violations = validate(transaction)
    assert _rules(violations) == {("2.025", "ebts91.code_table")}
    assert "'H' is not one of" in violations[0].message


def test_length_and_charset_violations(car_bytes: bytes) -> None:
    transaction = _car(car_bytes)
    _type2(transaction).set("2.022", "1980051")
    _type2(transaction).set("2.029", "1X0")
    encode(transaction)
    assert _rules(validate(transaction)) == {
        ("2.022", "ebts91.length"),
        ("2.029", "ebts91.charset"),
    }


def test_occurrence_limit(car_bytes: bytes) -> None:
    transaction = _car(car_bytes)
    _type2(transaction).set("2.019", [[f"ALIAS,NUMBER{i}"] for i in range(11)])
    encode(transaction)
    assert _rules(validate(transaction)) == {("2.019", "ebts91.occurrences")}


def test_field_not_part_of_the_tot(car_bytes: bytes) -> None:
    transaction = _car(car_bytes)
    _type2(transaction).set("2.059", "I")  # SRF belongs to responses
    encode(transaction)
    assert _rules(validate(transaction)) == {("2.059", "ebts91.not_in_tot")}


def test_cnt_that_does_not_match_the_records(car_bytes: bytes) -> None:
    transaction = _car(car_bytes)
    content = transaction.type1.field(3)
    assert content is not None
    content.value = content.value.replace(b"\x1e14\x1f2", b"\x1e4\x1f2")
    violations = validate(transaction)
    assert ("1.003", "structure.cnt") in _rules(violations)
    assert any("record 3 is Type-14" in v.message for v in violations)


def test_cnt_count_and_len_mismatch(car_bytes: bytes) -> None:
    transaction = _car(car_bytes)
    del transaction.records[5]
    transaction.type1.set(12, "19.69")
    _type2(transaction).set("2.018", "DOE,JOHNNY Q")  # LEN now stale
    rules = _rules(validate(transaction))
    assert ("1.003", "structure.cnt") in rules
    assert ("2.001", "structure.len") in rules


def test_duplicate_idc(car_bytes: bytes) -> None:
    transaction = _car(car_bytes)
    record = transaction.records[3]
    assert isinstance(record, TaggedRecord)
    record.set("14.002", "1")
    encode(transaction)
    violations = validate(transaction)
    assert ("14.002", "structure.idc") in _rules(violations)


def test_resolution_too_low_for_fingerprints(car_bytes: bytes) -> None:
    transaction = _car(car_bytes)
    transaction.type1.set("1.012", "00.00")
    encode(transaction)
    assert _rules(validate(transaction)) == {("1.012", "structure.resolution")}


def test_car_record_counts(car_bytes: bytes) -> None:
    transaction = _car(car_bytes)
    transaction.records = transaction.records[:2]
    encode(transaction)
    violations = validate(transaction)
    assert [v.rule for v in violations] == ["ebts91.record_count"]
    assert "1-14 Type-4 or Type-14" in violations[0].message


def test_type4_header_ranges(car_bytes: bytes) -> None:
    transaction = _car(car_bytes)
    header = Type4Header(0, 15, 9, bytes([16, 255, 255, 255, 255, 255]), 0, 5, 500, 9)
    transaction.records.append(Type4Record(header, b"data"))
    encode(transaction)
    assert _rules(validate(transaction)) == {
        ("4.003", "an2011.value_range"),
        ("4.004", "an2011.value_range"),
        ("4.006", "an2011.value_range"),
        ("4.008", "an2011.value_range"),
        ("14.001", "ebts91.record_count"),  # 15 prints
    }


def test_version_and_undefined_field(car_bytes: bytes) -> None:
    transaction = _car(car_bytes)
    transaction.type1.set("1.002", "0300")
    transaction.type1.set("1.150", "X")
    encode(transaction)
    assert _rules(validate(transaction)) == {
        ("1.002", "an2011.value_range"),
        ("1.150", "an2011.undefined_field"),
    }


def test_validation_of_a_parsed_file_matches_its_bytes(car_bytes: bytes) -> None:
    assert dump(_car(car_bytes)) == car_bytes  # validation never mutates


@pytest.mark.parametrize(
    ("value", "spec", "expected"),
    [
        ("5", "1..99", True),
        ("0", "1..99", False),
        ("254", "0..100,254,255", True),
        ("200", "0..100,254,255", False),
        ("59", ">0,<60", True),
        ("60", ">0,<60", False),
        ("Y", '"Y"', True),
        ("N", '"Y"', False),
        ("0500", "0400,0500", True),
        ("-181", "-180..180", False),
    ],
)
def test_value_ranges(value: str, spec: str, expected: bool) -> None:
    assert value_in_range(value, spec) is expected


@pytest.mark.parametrize("text", ["²", "٣", "1²"])
def test_a_digit_from_another_script_is_reported_not_raised(car_bytes: bytes, text: str) -> None:
    """str.isdigit accepts "²" and Arabic-Indic digits; ANSI/NIST numbers are ASCII only.
    Every field of the Type-1 and Type-2 records set to one is a violation, never a crash."""
    base = _car(car_bytes)
    tags = [
        (record.type, item.tag)
        for record in base.records
        if isinstance(record, TaggedRecord) and record.type in (1, 2)
        for item in record.fields
    ]
    assert tags
    for record_type, tag in tags:
        transaction = _car(car_bytes)
        next(transaction.tagged(record_type)).set(tag, text)
        assert any(v.tag == tag for v in validate(transaction)), tag
