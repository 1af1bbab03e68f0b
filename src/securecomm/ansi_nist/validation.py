"""Validate a transaction against ANSI/NIST-ITL 1-2011 and the EBTS 9.1 rules for its TOT.

``validate(transaction)`` returns every violation found (empty list: valid). Rule
identifiers are stable strings (``"ebts91.mandatory"``, ``"structure.cnt"`` ...) so
callers can count and filter them; messages are for people.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from securecomm.ansi_nist.images import Compression
from securecomm.ansi_nist.records import (
    RS,
    US,
    OpaqueRecord,
    Record,
    TaggedRecord,
    Transaction,
    Type4Record,
    decode_text,
)
from securecomm.ansi_nist.rules import (
    EbtsFieldRule,
    RuleBook,
    StandardFieldRule,
    StandardItemRule,
    load_rules,
)

_CHARACTER_CLASSES = {
    "N": r"[0-9]*",
    "A": r"[A-Za-z ]*",  # EBTS alphabetic codes include multi-word ones ("UNKNOWN PHOTO")
    "AN": r"[A-Za-z0-9 ]*",
    "AS": r"[\x20-\x7e]*",
    "ANS": r"[\x20-\x7e]*",
    "NS": r"[0-9\x20-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]*",
    "H": r"[0-9A-Fa-f]*",
    "Base64": r"[A-Za-z0-9+/=]*",
}
_CLASS_PATTERNS = {name: re.compile(pattern) for name, pattern in _CHARACTER_CLASSES.items()}
_CLASS_NAMES = {
    "N": "digits",
    "A": "letters",
    "AN": "letters and digits",
    "AS": "letters and special characters",
    "ANS": "printable ASCII",
    "NS": "digits and special characters",
    "H": "hexadecimal digits",
    "Base64": "Base64",
}
_RESOLUTION = re.compile(r"\d{2}\.\d{2}")
_MINIMUM_FINGERPRINT_PPMM = 19.69 * 0.99  # 500 ppi, with the standard's 1 % tolerance
_FINGERPRINT_RECORD_TYPES = frozenset({4, 14})

# EBTS record counts for ten-print bookings (DOMAIN.md section 2): type -> (min, max).
_BOOKING_RECORD_COUNTS = {2: (1, 1), 10: (0, 4)}
_BOOKING_TOTS = frozenset({"CAR", "CNA", "CARC", "CNAC"})


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: which field, which rule, why, and in which record (0 = Type-1)."""

    tag: str
    mnemonic: str
    rule: str
    message: str
    record_index: int


def validate(transaction: Transaction) -> list[Violation]:
    """Every violation of the 2011 standard and of EBTS 9.1 for the transaction's TOT."""
    rules = load_rules()
    if not transaction.records or not _is_type1(transaction.records[0]):
        return [Violation("1.001", "LEN", "structure.type1", "the first record must be Type-1", 0)]
    tot = (transaction.type1.get(4) or "").strip()
    violations = list(_structure(transaction, rules, tot))
    for index, record in enumerate(transaction.records):
        if isinstance(record, TaggedRecord):
            violations += _tagged_record(record, index, rules, tot)
        elif isinstance(record, Type4Record):
            violations += _type4_record(record, index)
    return violations


def _is_type1(record: Record) -> bool:
    return isinstance(record, TaggedRecord) and record.type == 1


# --- structure: CNT, IDC, LEN, resolutions, record counts --------------------------------


def _structure(transaction: Transaction, rules: RuleBook, tot: str) -> Iterator[Violation]:
    yield from _content_list(transaction)
    yield from _idc_uniqueness(transaction)
    yield from _lengths(transaction)
    yield from _resolutions(transaction)
    if tot in _BOOKING_TOTS:
        yield from _booking_record_counts(transaction, tot)


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
        if len(entry) != 2 or not entry[0].isdigit() or int(entry[0]) != record.type:
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
    return int(text) if text.isdigit() and len(text) <= 9 else None


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


def _booking_record_counts(transaction: Transaction, tot: str) -> Iterator[Violation]:
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
    if not 1 <= prints <= 14:
        yield Violation(
            "14.001",
            "LEN",
            "ebts91.record_count",
            f"a {tot} holds 1-14 Type-4 or Type-14 fingerprint records, found {prints}",
            0,
        )


# --- tagged records: the 2011 field rules and the EBTS rules ---------------------------


def _tagged_record(
    record: TaggedRecord, index: int, rules: RuleBook, tot: str
) -> Iterator[Violation]:
    present = {field.number for field in record.fields}
    yield from _missing_standard_fields(record, index, rules, present)
    ebts_applies = tot in rules.ebts_tots or record.type != 2
    if ebts_applies:
        yield from _missing_ebts_fields(record, index, rules, tot, present)
    counts = Counter(field.number for field in record.fields)
    for field in record.fields:
        tag = f"{record.type}.{field.number:03d}"
        if counts[field.number] > 1:
            yield Violation(
                tag, "", "structure.duplicate_field", "the field appears more than once", index
            )
        if field.number in (1, 999) and record.type != 2:
            continue  # LEN is checked structurally; image blocks are binary
        subfields = _split(field.value)
        standard = rules.standard.get((record.type, field.number))
        if standard is not None:
            yield from _check_standard(standard, subfields, tag, index)
        elif record.type not in (2,) and field.number < 200:
            yield Violation(
                tag,
                "",
                "an2011.undefined_field",
                f"field {tag} is not defined for Type-{record.type}",
                index,
            )
        if not ebts_applies or field.number in (1, 2):
            continue
        ebts = rules.ebts_rule(record.type, field.number, tot)
        if ebts is not None:
            yield from _check_ebts(ebts, subfields, tag, index)
        elif record.type == 2:
            yield Violation(
                tag,
                "",
                "ebts91.not_in_tot",
                f"field {tag} is not part of a {tot or 'transaction without TOT'}",
                index,
            )


def _split(value: bytes) -> list[list[str]]:
    return [[decode_text(item) for item in subfield.split(US)] for subfield in value.split(RS)]


def _missing_standard_fields(
    record: TaggedRecord, index: int, rules: RuleBook, present: set[int]
) -> Iterator[Violation]:
    for rule in rules.standard_by_type.get(record.type, ()):
        if rule.condition == "M" and rule.min_occurs > 0 and rule.number not in present:
            yield Violation(
                rule.tag,
                rule.mnemonic,
                "an2011.mandatory",
                f"mandatory field {rule.tag} {rule.mnemonic} is missing",
                index,
            )


def _missing_ebts_fields(
    record: TaggedRecord, index: int, rules: RuleBook, tot: str, present: set[int]
) -> Iterator[Violation]:
    for rule in rules.ebts_by_type.get(record.type, ()):
        if rule.presence_for(tot) == "M" and rule.number not in present:
            yield Violation(
                rule.tag,
                rule.mnemonic,
                "ebts91.mandatory",
                f"{rule.tag} {rule.mnemonic} is mandatory in a {tot or 'transaction'}",
                index,
            )


def _check_standard(
    rule: StandardFieldRule, subfields: list[list[str]], tag: str, index: int
) -> Iterator[Violation]:
    def violation(kind: str, message: str) -> Violation:
        return Violation(tag, rule.mnemonic, f"an2011.{kind}", message, index)

    if rule.max_occurs is not None and len(subfields) > rule.max_occurs:
        yield violation(
            "occurrences", f"{len(subfields)} occurrences, at most {rule.max_occurs} allowed"
        )
    if rule.items and (rule.record_type, rule.number) != (1, 3):  # CNT is checked structurally
        for subfield in subfields:
            yield from _check_standard_items(rule, subfield, tag, index)
    if rule.items:
        return
    for subfield in subfields:
        value = US.decode().join(subfield)
        yield from _check_text(value, rule.data_type, rule.min_length, rule.max_length, violation)
        if rule.value_range and value and not value_in_range(value, rule.value_range):
            yield violation("value_range", f"{value!r} is outside {rule.value_range}")


def _check_standard_items(
    rule: StandardFieldRule, items: list[str], tag: str, index: int
) -> Iterator[Violation]:
    if any(item.max_occurs != 1 for item in rule.items):
        return  # repeating items (e.g. polygon vertices) are not positional
    for item_rule, value in _pair_items(rule.items, items):

        def violation(kind: str, message: str, item: StandardItemRule = item_rule) -> Violation:
            return Violation(tag, item.mnemonic, f"an2011.{kind}", message, index)

        if value is None or value == "":
            if item_rule.mandatory:
                yield violation("mandatory", f"item {item_rule.mnemonic} is missing")
            continue
        yield from _check_text(
            value, item_rule.data_type, item_rule.min_length, item_rule.max_length, violation
        )
        if item_rule.value_range and not value_in_range(value, item_rule.value_range):
            yield violation("value_range", f"{value!r} is outside {item_rule.value_range}")


def _pair_items(
    rules: tuple[StandardItemRule, ...], items: list[str]
) -> Iterator[tuple[StandardItemRule, str | None]]:
    for rule in rules:
        yield rule, items[rule.position] if rule.position < len(items) else None


def _check_ebts(
    rule: EbtsFieldRule, subfields: list[list[str]], tag: str, index: int
) -> Iterator[Violation]:
    def violation(kind: str, message: str) -> Violation:
        return Violation(tag, rule.mnemonic, f"ebts91.{kind}", message, index)

    if not (
        rule.min_occurs <= len(subfields)
        and (rule.max_occurs is None or len(subfields) <= rule.max_occurs)
    ):
        limit = f"{rule.min_occurs}-{rule.max_occurs if rule.max_occurs is not None else 'any'}"
        yield violation("occurrences", f"{len(subfields)} occurrences, EBTS allows {limit}")
    for subfield in subfields:
        joined = "".join(subfield)  # EBTS lengths exclude the separators
        if rule.data_type != "B1":
            yield from _check_length(joined, rule.min_length, rule.max_length, violation)
        if rule.items:
            for item_rule in rule.items:
                item = subfield[item_rule.position] if item_rule.position < len(subfield) else ""
                if item == "":
                    if item_rule.mandatory:
                        yield violation("mandatory", f"item {item_rule.mnemonic} is missing")
                    continue
                yield from _check_text(
                    item, item_rule.data_type, item_rule.min_length, item_rule.max_length, violation
                )
        elif len(subfield) == 1:
            yield from _check_charset(joined, rule.data_type, violation)
            if rule.codes is not None and joined and not _in_code_table(joined, rule.codes):
                yield violation(
                    "code_table", f"{joined!r} is not one of {', '.join(list(rule.codes)[:12])}"
                )


# --- value checks shared by both rule sets ---------------------------------------------


class _ViolationFactory(Protocol):
    def __call__(self, kind: str, message: str) -> Violation: ...


def _check_text(
    value: str,
    data_type: str,
    min_length: int | None,
    max_length: int | None,
    violation: _ViolationFactory,
) -> Iterator[Violation]:
    yield from _check_length(value, min_length, max_length, violation)
    yield from _check_charset(value, data_type, violation)


def _check_length(
    value: str, min_length: int | None, max_length: int | None, violation: _ViolationFactory
) -> Iterator[Violation]:
    size = len(value)
    if min_length is not None and size < min_length:
        yield violation("length", f"{size} characters, at least {min_length} required")
    elif max_length is not None and size > max_length:
        yield violation("length", f"{size} characters, at most {max_length} allowed")


def _check_charset(value: str, data_type: str, violation: _ViolationFactory) -> Iterator[Violation]:
    pattern = _CLASS_PATTERNS.get(data_type)
    if pattern is not None and not pattern.fullmatch(value):
        yield violation(
            "charset", f"{value[:40]!r} must contain only {_CLASS_NAMES[data_type]} ({data_type})"
        )


def _in_code_table(value: str, codes: dict[str, str]) -> bool:
    if value in codes:
        return True
    if value.isdigit():  # "01" and "1" name the same numeric code
        return any(code.isdigit() and int(code) == int(value) for code in codes)
    return False


def value_in_range(value: str, spec: str) -> bool:
    """Check a value against a 2011 ``ValueRange`` (``"1..99"``, ``"0..100,254,255"``,
    ``">0,<60"``, ``'"Y"'``). Comparisons are combined with AND, other terms with OR."""
    terms = [term.strip() for term in spec.split(",") if term.strip()]
    if all(term.startswith('"') for term in terms):
        return value in {term.strip('"') for term in terms}
    number = _as_number(value)
    if number is None:
        return True  # not numeric: the character-class check reports it
    comparisons = [t for t in terms if t[0] in "<>"]
    if comparisons and len(comparisons) == len(terms):
        return all(_compare(number, term) for term in comparisons)
    return any(_term_holds(number, term) for term in terms)


def _as_number(text: str) -> float | None:
    stripped = text.strip()
    if not stripped or len(stripped) > 20:
        return None
    try:
        return float(stripped)
    except ValueError:
        return None


def _term_holds(number: float, term: str) -> bool:
    if term[0] in "<>":
        return _compare(number, term)
    low, dots, high = term.partition("..")
    bounds = (_as_number(low), _as_number(high) if dots else _as_number(low))
    if bounds[0] is None or bounds[1] is None:
        return True  # a term we cannot read never rejects a value
    return bounds[0] <= number <= bounds[1]


def _compare(number: float, term: str) -> bool:
    for operator in ("<=", ">=", "<", ">"):
        if term.startswith(operator):
            limit = _as_number(term[len(operator) :])
            if limit is None:
                return True
            return {
                "<=": number <= limit,
                ">=": number >= limit,
                "<": number < limit,
                ">": number > limit,
            }[operator]
    return True


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
