"""Validate a transaction against ANSI/NIST-ITL 1-2011 and the EBTS 9.1 rules for its TOT.

``validate(transaction)`` returns every violation found (empty list: valid). Rule
identifiers are stable strings (``"ebts91.mandatory"``, ``"structure.cnt"`` ...) so
callers can count and filter them; messages are for people.

The transaction-level checks (structure, counts, resolutions, the Type-4 header) are
here; a tagged record's fields are checked in :mod:`.fields`, value ranges parsed in
:mod:`.value_ranges`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from securecomm.ansi_nist.fields import tagged_record_violations
from securecomm.ansi_nist.images import Compression
from securecomm.ansi_nist.records import (
    OpaqueRecord,
    Record,
    TaggedRecord,
    Transaction,
    Type4Record,
    ascii_digits,
)
from securecomm.ansi_nist.rules import (
    RuleBook,
    load_rules,
)
from securecomm.ansi_nist.violations import Violation

__all__ = ["Violation", "validate"]

_RESOLUTION = re.compile(r"\d{2}\.\d{2}")
_MINIMUM_FINGERPRINT_PPMM = 19.69 * 0.99  # 500 ppi, with the standard's 1 % tolerance
_FINGERPRINT_RECORD_TYPES = frozenset({4, 14})

# EBTS record counts for ten-print bookings (DOMAIN.md section 2): type -> (min, max).
_BOOKING_RECORD_COUNTS = {2: (1, 1), 10: (0, 4)}
_BOOKING_TOTS = frozenset({"CAR", "CNA", "CARC", "CNAC"})
_MAX_MINUTIAE_RECORDS = 10  # one Type-9 per rolled finger (minutiae-only intake profile)


def validate(transaction: Transaction, *, allow_minutiae_only: bool = False) -> list[Violation]:
    """Every violation of the 2011 standard and of EBTS 9.1 for the transaction's TOT.

    ``allow_minutiae_only`` is securecomm's intake profile, not EBTS: a booking whose
    prints travel only as 1-10 Type-9 minutiae records (no Type-4/14 image) is accepted.
    EBTS requires images; the synthetic world has only minutiae, so its CARs need this.
    """
    rules = load_rules()
    if not transaction.records or not _is_type1(transaction.records[0]):
        return [Violation("1.001", "LEN", "structure.type1", "the first record must be Type-1", 0)]
    tot = (transaction.type1.get(4) or "").strip()
    violations = list(_structure(transaction, rules, tot, allow_minutiae_only))
    for index, record in enumerate(transaction.records):
        if isinstance(record, TaggedRecord):
            violations += tagged_record_violations(record, index, rules, tot)
        elif isinstance(record, Type4Record):
            violations += _type4_record(record, index)
    return violations


def _is_type1(record: Record) -> bool:
    return isinstance(record, TaggedRecord) and record.type == 1


# --- structure: CNT, IDC, LEN, resolutions, record counts --------------------------------


def _structure(
    transaction: Transaction, rules: RuleBook, tot: str, allow_minutiae_only: bool
) -> Iterator[Violation]:
    yield from _content_list(transaction)
    yield from _idc_uniqueness(transaction)
    yield from _lengths(transaction)
    yield from _resolutions(transaction)
    if tot in _BOOKING_TOTS:
        yield from _booking_record_counts(transaction, tot, allow_minutiae_only)


def _content_list(transaction: Transaction) -> Iterator[Violation]:
    field = transaction.type1.field(3)
    if field is None:
        return  # reported as a missing mandatory field
    subfields = field.subfields
    others = transaction.records[1:]

    def cnt(message: str) -> Violation:
        return Violation("1.003", "CNT", "structure.cnt", message, 0)

    first = subfields[0]
    if len(first) != 2 or first[0] != "1":
        yield cnt("the first CNT subfield must be '1<US><number of other records>'")
    elif first[1] != str(len(others)):
        yield cnt(f"CNT counts {first[1]} records but the transaction has {len(others)}")
    if len(subfields) - 1 != len(others):
        yield cnt(f"CNT lists {len(subfields) - 1} records but the transaction has {len(others)}")
    for position, (entry, record) in enumerate(zip(subfields[1:], others, strict=False), start=1):
        if len(entry) != 2 or not ascii_digits(entry[0]) or int(entry[0]) != record.type:
            yield cnt(
                f"CNT entry {position} is {'/'.join(entry)!r}: "
                f"record {position} is Type-{record.type}"
            )
        elif _as_int(entry[1]) != _as_int(_idc(record)):
            yield cnt(
                f"CNT entry {position} gives IDC {entry[1]!r}, "
                f"record {position} has IDC {_idc(record)!r}"
            )


def _idc(record: Record) -> str | None:
    return record.idc


def _as_int(text: str | None) -> int | None:
    if text is None:
        return None
    text = text.strip()
    return int(text) if ascii_digits(text) and len(text) <= 9 else None


def _idc_uniqueness(transaction: Transaction) -> Iterator[Violation]:
    seen: Counter[tuple[int, int | None]] = Counter()
    for index, record in enumerate(transaction.records[1:], start=1):
        key = (record.type, _as_int(_idc(record)))
        seen[key] += 1
        if seen[key] == 2:
            yield Violation(
                f"{record.type}.002",
                "IDC",
                "structure.idc",
                f"two Type-{record.type} records share IDC {key[1]}",
                index,
            )


def _lengths(transaction: Transaction) -> Iterator[Violation]:
    for index, record in enumerate(transaction.records):
        declared, actual = _declared_and_actual_length(record)
        if declared != actual:
            yield Violation(
                f"{record.type}.001",
                "LEN",
                "structure.len",
                f"LEN says {declared} bytes but the record has {actual}",
                index,
            )


def _declared_and_actual_length(record: Record) -> tuple[int | None, int]:
    if isinstance(record, Type4Record):
        return record.header.length, record.header.SIZE + len(record.data)
    if isinstance(record, OpaqueRecord):
        return int.from_bytes(record.raw[:4], "big"), len(record.raw)
    actual = sum(len(f.tag) + 2 + len(f.value) for f in record.fields)  # tag ':' value GS/FS
    declared = _as_int(record.get(1)) if record.fields and record.fields[0].number == 1 else None
    return declared, actual


def _resolutions(transaction: Transaction) -> Iterator[Violation]:
    type1 = transaction.type1
    has_prints = any(r.type in _FINGERPRINT_RECORD_TYPES for r in transaction.records)
    for number, mnemonic in ((11, "NSR"), (12, "NTR")):
        value = type1.get(number)
        if value is None:
            continue
        if not _RESOLUTION.fullmatch(value):
            yield Violation(
                f"1.{number:03d}",
                mnemonic,
                "structure.resolution",
                f"{mnemonic} must be 'dd.dd' pixels per millimetre, got {value!r}",
                0,
            )
        elif has_prints and float(value) < _MINIMUM_FINGERPRINT_PPMM:
            yield Violation(
                f"1.{number:03d}",
                mnemonic,
                "structure.resolution",
                f"{mnemonic} {value} is below 19.69 px/mm (500 ppi) for fingerprints",
                0,
            )


def _booking_record_counts(
    transaction: Transaction, tot: str, allow_minutiae_only: bool
) -> Iterator[Violation]:
    counts = Counter(record.type for record in transaction.records[1:])
    for record_type, (low, high) in _BOOKING_RECORD_COUNTS.items():
        if not low <= counts[record_type] <= high:
            yield Violation(
                f"{record_type}.001",
                "LEN",
                "ebts91.record_count",
                f"a {tot} holds {low}-{high} Type-{record_type} records, "
                f"found {counts[record_type]}",
                0,
            )
    prints = counts[4] + counts[14]
    if prints == 0 and allow_minutiae_only and 1 <= counts[9] <= _MAX_MINUTIAE_RECORDS:
        return
    if not 1 <= prints <= 14:
        yield Violation(
            "14.001",
            "LEN",
            "ebts91.record_count",
            f"a {tot} holds 1-14 Type-4 or Type-14 fingerprint records, found {prints}",
            0,
        )


# --- Type-4 binary header -----------------------------------------------------------------


def _type4_record(record: Type4Record, index: int) -> Iterator[Violation]:
    header = record.header

    def violation(tag: str, mnemonic: str, message: str) -> Violation:
        return Violation(tag, mnemonic, "an2011.value_range", message, index)

    if header.impression not in (0, 1, 2, 3, 8) and not 20 <= header.impression <= 29:
        yield violation("4.003", "IMP", f"impression type {header.impression} is not defined")
    fingers = list(header.finger_positions)
    if not fingers or fingers[0] == 255:
        yield violation("4.004", "FGP", "the first finger-position byte must name a finger")
    for position in fingers:
        if position != 255 and position > 15:
            yield violation("4.004", "FGP", f"finger position {position} is outside 0..15, 255")
    if header.resolution not in (0, 1):
        yield violation(
            "4.005", "ISR", f"scanning resolution flag {header.resolution} must be 0 or 1"
        )
    for tag, mnemonic, size in (("4.006", "HLL", header.width), ("4.007", "VLL", header.height)):
        if size < 10:
            yield violation(tag, mnemonic, f"{mnemonic} {size} is below 10 pixels")
    if Compression.from_type4_code(header.compression) is None:
        yield violation("4.008", "CGA", f"compression code {header.compression} is outside 0..6")
    if not record.data:
        yield Violation(
            "4.009", "DATA", "an2011.mandatory", "the Type-4 record has no image data", index
        )
