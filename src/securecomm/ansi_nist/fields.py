"""A tagged record's fields against the 2011 standard's and EBTS 9.1's field rules.

Each (record type, field number, TOT) gets a plan compiled once: one regular expression
clears most values on a fast path; the rest take the detailed path, which names every
broken rule (mandatory, not in the TOT, length, character set, code table, value range).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Protocol

from securecomm.ansi_nist.records import (
    RS,
    US,
    TaggedRecord,
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
from securecomm.ansi_nist.value_ranges import CompiledRange, compile_range, value_in_range
from securecomm.ansi_nist.violations import Violation

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


# --- tagged records: the 2011 field rules and the EBTS rules ---------------------------


def tagged_record_violations(
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
    ranges: tuple[CompiledRange, ...]
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
    ranges: list[CompiledRange] = []
    if standard is not None:
        fast &= not standard.items and standard.data_type in known_types
        fast &= standard.max_occurs is None or standard.max_occurs >= 1
        if standard.data_type or standard.min_length or standard.max_length is not None:
            patterns.append(
                _fast_pattern(standard.data_type, standard.min_length, standard.max_length)
            )
        if standard.value_range:
            ranges.append(compile_range(standard.value_range))
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
