"""Field rules of ANSI/NIST-ITL 1-2011 and EBTS 9.1, loaded from the packaged JSON files.

The files are data (see ``data/PROVENANCE.md``); this module only reads them into
typed, indexed rule objects. The few corrections we apply on top are listed in
``_STANDARD_OVERRIDES`` and ``EXTRA_TOT_CODES`` with their reason.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any

from securecomm.ansi_nist.records import ascii_digits

_STANDARD_ID = re.compile(r"(\d+)\.(\d+)(?:-([A-Z]))?(?::T)?")
_EBTS_MNEMONIC_PREFIX = re.compile(r"^T\d+_")
_EBTS_ID = re.compile(r"(\d+)\.(\d+)(?:\.\.(\d+))?")

# The 2011 table pins VER to 0500; a 2011-conformant reader must also accept the other
# published versions of the traditional encoding (DOMAIN.md section 1).
_STANDARD_OVERRIDES: dict[tuple[int, int], dict[str, str]] = {
    (1, 2): {"ValueRange": "0400,0500,0501,0502,0600"},
}

# EBTS 9.1 lists only 0400 for VER; the version is judged by the standard's rule instead.
_EBTS_CODE_TABLES_SKIPPED = frozenset({(1, 2)})

# Secure Communities responses from the immigration side are not EBTS TOTs; the IDENT
# Data Response is named here (unconfirmed: the real DHS code is not public in our sources).
EXTRA_TOT_CODES = {"IDR": "IDENT Data Response (Secure Communities, unconfirmed code)"}


@dataclass(frozen=True, slots=True)
class StandardItemRule:
    """One item (US-separated part) of a structured 2011 field, e.g. 14.014-A."""

    position: int
    mnemonic: str
    mandatory: bool
    data_type: str
    min_length: int | None
    max_length: int | None
    max_occurs: int | None
    value_range: str


@dataclass(frozen=True, slots=True)
class StandardFieldRule:
    """One ANSI/NIST-ITL 1-2011 traditional field."""

    record_type: int
    number: int
    mnemonic: str
    condition: str  # M mandatory, O optional, D conditional
    data_type: str
    min_length: int | None
    max_length: int | None
    min_occurs: int
    max_occurs: int | None
    value_range: str
    code_table: str
    items: tuple[StandardItemRule, ...]

    @property
    def tag(self) -> str:
        return f"{self.record_type}.{self.number:03d}"


@dataclass(frozen=True, slots=True)
class EbtsItemRule:
    """An item of a structured EBTS field (``2.047..2`` is ASL's offence text)."""

    position: int
    mnemonic: str
    data_type: str
    min_length: int
    max_length: int | None
    mandatory: bool


@dataclass(frozen=True, slots=True)
class EbtsFieldRule:
    """One EBTS 9.1 field entry; ``tots`` maps a TOT to ``M``/``O`` (empty: every TOT)."""

    record_type: int
    number: int
    mnemonic: str
    data_type: str
    min_length: int
    max_length: int | None
    min_occurs: int
    max_occurs: int | None
    default: str
    tots: dict[str, str]
    codes: dict[str, str] | None
    items: tuple[EbtsItemRule, ...]

    @property
    def tag(self) -> str:
        return f"{self.record_type}.{self.number:03d}"

    def presence_for(self, tot: str) -> str | None:
        """``M`` or ``O`` when this entry covers the TOT, else ``None``."""
        if not self.tots:
            return self.default
        return self.tots.get(tot)


@dataclass(frozen=True, slots=True)
class RuleBook:
    standard: dict[tuple[int, int], StandardFieldRule]
    standard_by_type: dict[int, tuple[StandardFieldRule, ...]]
    ebts: dict[tuple[int, int], tuple[EbtsFieldRule, ...]]
    ebts_by_type: dict[int, tuple[EbtsFieldRule, ...]]
    ebts_tots: frozenset[str]
    tot_codes: dict[str, str]

    def ebts_rule(self, record_type: int, number: int, tot: str) -> EbtsFieldRule | None:
        for rule in self.ebts.get((record_type, number), ()):
            if rule.presence_for(tot) is not None:
                return rule
        return None


@cache
def load_rules() -> RuleBook:
    """Parse both JSON files once per process."""
    standard = _load_standard(_read_json("an2011_traditional_fields.json"))
    by_type: dict[int, list[StandardFieldRule]] = {}
    for rule in standard.values():
        by_type.setdefault(rule.record_type, []).append(rule)
    ebts_entries = [_with_extra_tots(e) for e in _load_ebts(_read_json("ebts91_field_rules.json"))]
    ebts: dict[tuple[int, int], list[EbtsFieldRule]] = {}
    ebts_by_type: dict[int, list[EbtsFieldRule]] = {}
    for entry in ebts_entries:
        ebts.setdefault((entry.record_type, entry.number), []).append(entry)
        ebts_by_type.setdefault(entry.record_type, []).append(entry)
    tot_rule = ebts[(1, 4)][0]
    tot_codes = dict(tot_rule.codes or {}) | EXTRA_TOT_CODES
    return RuleBook(
        standard=standard,
        standard_by_type={k: tuple(v) for k, v in by_type.items()},
        ebts={k: tuple(v) for k, v in ebts.items()},
        ebts_by_type={k: tuple(v) for k, v in ebts_by_type.items()},
        ebts_tots=frozenset(t for e in ebts_entries for t in e.tots),
        tot_codes=tot_codes,
    )


def _read_json(name: str) -> list[dict[str, Any]]:
    text = (
        resources.files("securecomm.ansi_nist").joinpath("data").joinpath(name).read_text("utf-8")
    )
    loaded: list[dict[str, Any]] = json.loads(text)
    return loaded


def _length(text: str) -> int | None:
    text = text.strip()
    return int(text) if ascii_digits(text) else None


def _load_standard(rows: list[dict[str, Any]]) -> dict[tuple[int, int], StandardFieldRule]:
    fields: dict[tuple[int, int], dict[str, Any]] = {}
    items: dict[tuple[int, int], list[StandardItemRule]] = {}
    for row in rows:
        match = _STANDARD_ID.fullmatch(row["FieldID"])
        if match is None:  # user-defined ranges such as 02.003_02.999
            continue
        key = (int(match.group(1)), int(match.group(2)))
        letter = match.group(3)
        if letter is None:
            fields[key] = row | _STANDARD_OVERRIDES.get(key, {})
            continue
        items.setdefault(key, []).append(
            StandardItemRule(
                position=ord(letter) - ord("A"),
                mnemonic=row["Mnemonic"],
                mandatory=row["CondCode"].startswith("M"),
                data_type=row["DataType"],
                min_length=_length(row["MinLength"]),
                max_length=_length(row["MaxLength"]),
                max_occurs=_length(row["MaxOccur"]),
                value_range=row["ValueRange"],
            )
        )
    return {
        key: StandardFieldRule(
            record_type=key[0],
            number=key[1],
            mnemonic=row["Mnemonic"],
            condition=row["CondCode"].rstrip("^"),
            data_type=row["DataType"],
            min_length=_length(row["MinLength"]),
            max_length=_length(row["MaxLength"]),
            min_occurs=_length(row["MinOccur"]) or 0,
            max_occurs=_length(row["MaxOccur"]),
            value_range=row["ValueRange"],
            code_table=row["CodeTable"],
            items=tuple(sorted(items.get(key, []), key=lambda i: i.position)),
        )
        for key, row in fields.items()
    }


def _range(text: str) -> tuple[int, int | None]:
    """EBTS ``"3-30"`` -> (3, 30); ``"2-x"`` -> (2, None); ``"8"`` -> (8, 8)."""
    low, _, high = text.partition("-")
    minimum = _length(low) or 0
    if not high:
        return minimum, minimum
    return minimum, _length(high)


def _with_extra_tots(entry: EbtsFieldRule) -> EbtsFieldRule:
    if (entry.record_type, entry.number) != (1, 4) or entry.codes is None:
        return entry
    return replace(entry, codes=entry.codes | EXTRA_TOT_CODES)


def _short_mnemonic(mnemonic: str) -> str:
    """EBTS writes ``T2_NAM`` and ``T2_ASL_AOL``; the standard and our violations say ``NAM``."""
    return _EBTS_MNEMONIC_PREFIX.sub("", mnemonic)


def _codes(text: str) -> dict[str, str] | None:
    """``"Y:Yes| N:No"`` -> {"Y": "Yes", "N": "No"}; external or irregular tables -> None."""
    if not text or text.startswith("file://"):
        return None
    table: dict[str, str] = {}
    for entry in text.split("|"):
        code, colon, meaning = entry.partition(":")
        if not colon or not code.strip():
            return None
        table[code.strip()] = meaning.strip()
    return table


def _load_ebts(rows: list[dict[str, Any]]) -> list[EbtsFieldRule]:
    entries: list[EbtsFieldRule] = []
    items: dict[tuple[int, int], list[EbtsItemRule]] = {}
    for row in rows:
        match = _EBTS_ID.fullmatch(row["field"])
        if match is None:
            continue
        key = (int(match.group(1)), int(match.group(2)))
        min_length, max_length = _range(row["length"])
        if match.group(3) is not None:
            items.setdefault(key, []).append(
                EbtsItemRule(
                    position=int(match.group(3)) - 1,
                    mnemonic=_short_mnemonic(row["mnemonic"]),
                    data_type=row["type"],
                    min_length=min_length,
                    max_length=max_length,
                    mandatory=row["default"] == "M",
                )
            )
            continue
        min_occurs, max_occurs = _range(row["occurrences"])
        codes = None if key in _EBTS_CODE_TABLES_SKIPPED else _codes(row["codes"])
        entries.append(
            EbtsFieldRule(
                record_type=key[0],
                number=key[1],
                mnemonic=_short_mnemonic(row["mnemonic"]),
                data_type=row["type"],
                min_length=min_length,
                max_length=max_length,
                min_occurs=min_occurs,
                max_occurs=max_occurs,
                default=row["default"],
                tots=dict(row["tots"]),
                codes=codes,
                items=(),
            )
        )
    return [_attach_items(entry, items) for entry in entries]


def _attach_items(
    entry: EbtsFieldRule, items: dict[tuple[int, int], list[EbtsItemRule]]
) -> EbtsFieldRule:
    found = items.get((entry.record_type, entry.number))
    if not found:
        return entry
    return replace(entry, items=tuple(sorted(found, key=lambda item: item.position)))
