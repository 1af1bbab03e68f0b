"""Validate a transaction against ANSI/NIST-ITL 1-2011 and the EBTS 9.1 rules for its TOT.

``validate(transaction)`` returns every violation found (empty list: valid). Rule
identifiers are stable strings (``"ebts91.mandatory"``, ``"structure.cnt"`` ...) so
callers can count and filter them; messages are for people.
"""

from __future__ import annotations

import operator
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import cache, lru_cache
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
    ascii_digits,
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
_MAX_MINUTIAE_RECORDS = 10  # one Type-9 per rolled finger (minutiae-only intake profile)


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: which field, which rule, why, and in which record (0 = Type-1)."""

    tag: str
    mnemonic: str
    rule: str
    message: str
    record_index: int


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
            violations += _tagged_record(record, index, rules, tot)
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


# --- tagged records: the 2011 field rules and the EBTS rules ---------------------------


def _tagged_record(
    record: TaggedRecord, index: int, rules: RuleBook, tot: str
) -> Iterator[Violation]:
    present = {field.number for field in record.fields}
    for number, violation in _mandatory_fields(record.type, tot):
        if number not in present:
            yield replace(violation, record_index=index)
    duplicated = len(present) != len(record.fields)
    counts = Counter(field.number for field in record.fields) if duplicated else None
    for field in record.fields:
        if counts is not None and counts[field.number] > 1:
            tag = f"{record.type}.{field.number:03d}"
            yield Violation(
                tag, "", "structure.duplicate_field", "the field appears more than once", index
            )
        if field.number in (1, 999) and record.type != 2:
            continue  # LEN is checked structurally; image blocks are binary
        plan = _field_plan(record.type, field.number, tot)
        if not plan.passes_fast(field.value):
            yield from _field_violations(record.type, field.value, plan, tot, index)


def _field_violations(
    record_type: int, value: bytes, plan: _FieldPlan, tot: str, index: int
) -> Iterator[Violation]:
    """The detailed (slow) checks, run only when the fast path did not clear the field."""
    tag = plan.tag
    subfields = _split(value)
    if plan.standard is not None:
        yield from _check_standard(plan.standard, subfields, tag, index)
    elif plan.undefined:
        yield Violation(
            tag,
            "",
            "an2011.undefined_field",
            f"field {tag} is not defined for Type-{record_type}",
            index,
        )
    if plan.ebts is not None:
        yield from _check_ebts(plan.ebts, subfields, tag, index)
    elif plan.not_in_tot:
        yield Violation(
            tag,
            "",
            "ebts91.not_in_tot",
            f"field {tag} is not part of a {tot or 'transaction without TOT'}",
            index,
        )


# --- precompiled per-field plans: a single regex per rule clears most values -----------

_FAST_CLASSES = {
    "N": rb"[0-9]",
    "A": rb"[A-Za-z ]",
    "AN": rb"[A-Za-z0-9 ]",
    "AS": rb"[\x20-\x7e]",
    "ANS": rb"[\x20-\x7e]",
    "U": rb"[\x20-\x7e]",  # ASCII only on the fast path; other text takes the detailed path
    "NS": rb"[0-9\x20-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]",
    "H": rb"[0-9A-Fa-f]",
    "Base64": rb"[A-Za-z0-9+/=]",
}


@dataclass(frozen=True, slots=True)
class _FieldPlan:
    """What to check for one field number of one record type in one TOT, compiled once."""

    tag: str
    standard: StandardFieldRule | None
    ebts: EbtsFieldRule | None
    undefined: bool
    not_in_tot: bool
    fast: bool
    patterns: tuple[re.Pattern[bytes], ...]
    ranges: tuple[_CompiledRange, ...]
    codes: frozenset[str] | None

    def passes_fast(self, value: bytes) -> bool:
        """True only if the detailed checks would surely find nothing."""
        if not self.fast or b"\x1e" in value or b"\x1f" in value:
            return False
        for pattern in self.patterns:
            if pattern.fullmatch(value) is None:
                return False
        if self.ranges or self.codes is not None:
            text = decode_text(value)
            if self.codes is not None and text not in self.codes:
                return False
            for compiled in self.ranges:
                if text and not compiled.accepts(text):
                    return False
        return True


def _fast_pattern(
    data_type: str, min_length: int | None, max_length: int | None
) -> re.Pattern[bytes]:
    character = _FAST_CLASSES.get(data_type, rb"[\x20-\x7e]")
    low = min_length or 0
    high = b"" if max_length is None else str(max_length).encode()
    return re.compile(character + b"{%d,%s}" % (low, high))


@lru_cache(maxsize=4096)
def _field_plan(record_type: int, number: int, tot: str) -> _FieldPlan:
    rules = load_rules()
    standard = rules.standard.get((record_type, number))
    ebts_applies = (tot in rules.ebts_tots or record_type != 2) and number not in (1, 2)
    ebts = rules.ebts_rule(record_type, number, tot) if ebts_applies else None
    undefined = standard is None and record_type != 2 and number < 200
    not_in_tot = ebts_applies and ebts is None and record_type == 2
    known_types = set(_FAST_CLASSES) | {""}
    fast = not (undefined or not_in_tot)
    patterns: list[re.Pattern[bytes]] = []
    ranges: list[_CompiledRange] = []
    if standard is not None:
        fast &= not standard.items and standard.data_type in known_types
        fast &= standard.max_occurs is None or standard.max_occurs >= 1
        if standard.data_type or standard.min_length or standard.max_length is not None:
            patterns.append(
                _fast_pattern(standard.data_type, standard.min_length, standard.max_length)
            )
        if standard.value_range:
            ranges.append(_compile_range(standard.value_range))
    codes = None
    if ebts is not None:
        fast &= not ebts.items and ebts.data_type in known_types and ebts.min_occurs <= 1
        patterns.append(_fast_pattern(ebts.data_type, ebts.min_length, ebts.max_length))
        codes = frozenset(ebts.codes) if ebts.codes is not None else None
    return _FieldPlan(
        tag=f"{record_type}.{number:03d}",
        standard=standard,
        ebts=ebts,
        undefined=undefined,
        not_in_tot=not_in_tot,
        fast=fast,
        patterns=tuple(patterns),
        ranges=tuple(ranges),
        codes=codes,
    )


@lru_cache(maxsize=1024)
def _mandatory_fields(record_type: int, tot: str) -> tuple[tuple[int, Violation], ...]:
    """Fields a record of this type must hold in this TOT, with the violation to report."""
    rules = load_rules()
    required: list[tuple[int, Violation]] = []
    for rule in rules.standard_by_type.get(record_type, ()):
        if rule.condition == "M" and rule.min_occurs > 0:
            message = f"mandatory field {rule.tag} {rule.mnemonic} is missing"
            required.append(
                (rule.number, Violation(rule.tag, rule.mnemonic, "an2011.mandatory", message, 0))
            )
    if tot in rules.ebts_tots or record_type != 2:
        for entry in rules.ebts_by_type.get(record_type, ()):
            if entry.presence_for(tot) == "M":
                message = f"{entry.tag} {entry.mnemonic} is mandatory in a {tot or 'transaction'}"
                required.append(
                    (
                        entry.number,
                        Violation(entry.tag, entry.mnemonic, "ebts91.mandatory", message, 0),
                    )
                )
    return tuple(required)


def _split(value: bytes) -> list[list[str]]:
    return [[decode_text(item) for item in subfield.split(US)] for subfield in value.split(RS)]


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
    if ascii_digits(value):  # "01" and "1" name the same numeric code
        return any(ascii_digits(code) and int(code) == int(value) for code in codes)
    return False


def value_in_range(value: str, spec: str) -> bool:
    """Check a value against a 2011 ``ValueRange`` (``"1..99"``, ``"0..100,254,255"``,
    ``">0,<60"``, ``'"Y"'``). Comparisons are combined with AND, other terms with OR."""
    return _compile_range(spec).accepts(value)


_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "<": operator.lt,
    ">": operator.gt,
}


@dataclass(frozen=True, slots=True)
class _CompiledRange:
    literals: frozenset[str] | None  # quoted alternatives: '"Y"'
    conjunctive: bool  # only comparisons: all must hold (">0,<60")
    intervals: tuple[tuple[float, float], ...]
    comparisons: tuple[tuple[Callable[[float, float], bool], float], ...]
    permissive: bool  # an alternative we cannot read never rejects a value

    def accepts(self, value: str) -> bool:
        if self.literals is not None:
            return value in self.literals
        number = _as_number(value)
        if number is None:
            return True  # not numeric: the character-class check reports it
        if self.conjunctive:
            return all(compare(number, limit) for compare, limit in self.comparisons)
        if self.permissive:
            return True
        return any(low <= number <= high for low, high in self.intervals) or any(
            compare(number, limit) for compare, limit in self.comparisons
        )


@cache
def _compile_range(spec: str) -> _CompiledRange:
    terms = [term.strip() for term in spec.split(",") if term.strip()]
    if terms and all(term.startswith('"') for term in terms):
        return _CompiledRange(frozenset(t.strip('"') for t in terms), False, (), (), False)
    intervals: list[tuple[float, float]] = []
    comparisons: list[tuple[Callable[[float, float], bool], float]] = []
    permissive = not terms
    for term in terms:
        comparison = _read_comparison(term)
        if comparison is not None:
            comparisons.append(comparison)
            continue
        low, dots, high = term.partition("..")
        bounds = (_as_number(low), _as_number(high) if dots else _as_number(low))
        if bounds[0] is None or bounds[1] is None:
            permissive = True
        else:
            intervals.append((bounds[0], bounds[1]))
    conjunctive = bool(comparisons) and not intervals and not permissive
    return _CompiledRange(None, conjunctive, tuple(intervals), tuple(comparisons), permissive)


def _read_comparison(term: str) -> tuple[Callable[[float, float], bool], float] | None:
    for symbol in ("<=", ">=", "<", ">"):
        if term.startswith(symbol):
            limit = _as_number(term[len(symbol) :])
            return None if limit is None else (_OPERATORS[symbol], limit)
    return None


def _as_number(text: str) -> float | None:
    stripped = text.strip()
    if not stripped or len(stripped) > 20:
        return None
    try:
        return float(stripped)
    except ValueError:
        return None


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
