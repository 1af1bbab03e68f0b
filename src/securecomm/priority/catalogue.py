"""The NCIC offence catalogue and the priority schemes, loaded once from versioned data.

``data/ncic_offences.csv`` maps NCIC offence code ranges to a category, a 2008 Secure
Communities level and legal flags; a narrower range overrides the range it sits in
(5401 hit and run inside 5400-5499 traffic). ``data/schemes.json`` holds the four
priority schemes with their dates in force and their thresholds. Every row carries
its provenance; reconstructed items say "(unconfirmed)".
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from securecomm.domain import Disposition, MatchLevel
from securecomm.priority.datafiles import (
    PolicyDataError,
    read_csv_rows,
    read_json_document,
    read_json_rows,
    validate_row,
)

DATA_DIR = Path(__file__).parent / "data"
OFFENCES_FILE = DATA_DIR / "ncic_offences.csv"
SCHEMES_FILE = DATA_DIR / "schemes.json"

_NCIC_CODE = re.compile(r"^\d{4}$")
_LEVELS = {1: MatchLevel.LEVEL_1, 2: MatchLevel.LEVEL_2, 3: MatchLevel.LEVEL_3}


class OffenceFlag(enum.StrEnum):
    """Legal properties of an offence that the priority and status rules test for."""

    NATIONAL_SECURITY = "national_security"  # terrorism, espionage (PEP 1(a))
    AGGRAVATED_FELONY = "aggravated_felony"  # per se, whatever the sentence
    AGGRAVATED_FELONY_IF_SENTENCED = "aggravated_felony_if_sentenced"  # needs a 1-year term
    SIGNIFICANT_MISDEMEANOUR = "significant_misdemeanour"  # PEP 2(b) by its nature
    MINOR_TRAFFIC = "minor_traffic"
    GANG = "gang"
    DRUG = "drug"
    DRUG_DISTRIBUTION = "drug_distribution"
    DOMESTIC_VIOLENCE = "domestic_violence"
    SEXUAL_ABUSE = "sexual_abuse"
    FIREARMS = "firearms"
    DUI = "dui"
    STATUS_OFFENCE = "status_offence"  # an element is the person's immigration status
    LPR_DEPORTABLE = "lpr_deportable"  # a conviction makes a permanent resident removable
    SC2008_LEVEL1_IF_SENTENCE_OVER_YEAR = "sc2008_level1_if_sentence_over_year"


class UnknownOffenceError(LookupError):
    """An NCIC offence code that is malformed or absent from the catalogue."""

    def __init__(self, code: str, reason: str) -> None:
        self.code = code
        self.reason = reason
        super().__init__(f"NCIC offence code {code!r}: {reason}")


class NoSchemeInForceError(LookupError):
    """No priority scheme covers the date asked about."""

    def __init__(self, on: date) -> None:
        self.on = on
        super().__init__(f"no priority scheme in force on {on.isoformat()}")


@dataclass(frozen=True)
class Offence:
    """One NCIC offence code as the catalogue classifies it."""

    code: str
    description: str
    category: str
    sc2008_level: MatchLevel
    flags: frozenset[OffenceFlag]
    provenance: str

    def has(self, flag: OffenceFlag) -> bool:
        return flag in self.flags


class _OffenceRow(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code_from: str = Field(pattern=r"^\d{4}$")
    code_to: str = Field(pattern=r"^\d{4}$")
    category: str = Field(min_length=1, pattern=r"^[a-z_]+$")
    description: str = Field(min_length=1)
    sc2008_level: int = Field(ge=1, le=3)
    flags: frozenset[OffenceFlag]
    provenance: str = Field(min_length=1)

    @field_validator("flags", mode="before")
    @classmethod
    def _split_flags(cls, value: object) -> object:
        if isinstance(value, str):
            return [flag.strip() for flag in value.split("|") if flag.strip()]
        return value

    @model_validator(mode="after")
    def _range_in_order(self) -> _OffenceRow:
        if self.code_from > self.code_to:
            raise ValueError(f"code_from {self.code_from} is after code_to {self.code_to}")
        return self

    @property
    def width(self) -> int:
        return int(self.code_to) - int(self.code_from)

    def covers(self, code: str) -> bool:
        return self.code_from <= code <= self.code_to


class OffenceCatalogue:
    """Code ranges to offences; the narrowest range holding a code classifies it."""

    def __init__(self, rows: Sequence[_OffenceRow]) -> None:
        self._rows = tuple(sorted(rows, key=lambda row: row.width))

    def lookup(self, ncic_code: str) -> Offence:
        if not isinstance(ncic_code, str) or not _NCIC_CODE.match(ncic_code):
            raise UnknownOffenceError(str(ncic_code), "not a four-digit NCIC offence code")
        for row in self._rows:
            if row.covers(ncic_code):
                return Offence(
                    code=ncic_code,
                    description=row.description,
                    category=row.category,
                    sc2008_level=_LEVELS[row.sc2008_level],
                    flags=row.flags,
                    provenance=row.provenance,
                )
        raise UnknownOffenceError(ncic_code, "not in the NCIC offence catalogue")


def load_catalogue(path: Path) -> OffenceCatalogue:
    """Read and validate an offence catalogue file (a :class:`PolicyDataError` if malformed)."""
    rows = read_csv_rows(path, _OffenceRow)
    seen: dict[tuple[str, str], int] = {}
    for number, row in enumerate(rows, start=1):
        key = (row.code_from, row.code_to)
        if key in seen:
            reason = f"range {key[0]}-{key[1]} already defined on row {seen[key]}"
            raise PolicyDataError(file=path.name, row=number, field="code_from", reason=reason)
        seen[key] = number
        _check_nesting(rows[: number - 1], row, file=path.name, row_number=number)
    return OffenceCatalogue(rows)


def _check_nesting(
    earlier: Sequence[_OffenceRow], row: _OffenceRow, *, file: str, row_number: int
) -> None:
    # Ranges may nest (a specific code inside its family) but never partly overlap,
    # otherwise "the narrowest range wins" would be ambiguous.
    for other_number, other in enumerate(earlier, start=1):
        overlaps = row.code_from <= other.code_to and other.code_from <= row.code_to
        nested = (row.covers(other.code_from) and row.covers(other.code_to)) or (
            other.covers(row.code_from) and other.covers(row.code_to)
        )
        if overlaps and not nested:
            reason = f"range partly overlaps row {other_number} ({other.code_from}-{other.code_to})"
            raise PolicyDataError(file=file, row=row_number, field="code_to", reason=reason)


@cache
def offence_catalogue() -> OffenceCatalogue:
    """The packaged catalogue, loaded and validated once."""
    return load_catalogue(OFFENCES_FILE)


def lookup_offence(ncic_code: str) -> Offence:
    """Classify an NCIC code; unknown or malformed codes raise :class:`UnknownOffenceError`."""
    return offence_catalogue().lookup(ncic_code)


def classify_charge_code(ncic_code: str) -> Offence | None:
    """The offence for a charge's code; None when the code is well formed but uncatalogued.

    A malformed code is bad input and still raises :class:`UnknownOffenceError`; a
    well-formed code missing from the catalogue falls under "all other offences".
    """
    if not isinstance(ncic_code, str) or not _NCIC_CODE.match(ncic_code):
        raise UnknownOffenceError(str(ncic_code), "not a four-digit NCIC offence code")
    try:
        return lookup_offence(ncic_code)
    except UnknownOffenceError:
        return None


def is_aggravated_felony(
    offence: Offence | None, *, sentence_days: int | None, thresholds: LegalThresholds
) -> bool:
    """Per-se aggravated felonies, or those that need a term of at least one year."""
    if offence is None:
        return False
    if offence.has(OffenceFlag.AGGRAVATED_FELONY):
        return True
    return (
        offence.has(OffenceFlag.AGGRAVATED_FELONY_IF_SENTENCED)
        and sentence_days is not None
        and sentence_days >= thresholds.aggravated_felony_min_sentence_days
    )


# --- priority schemes ------------------------------------------------------------------


class _Parameters(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    provenance: str = Field(min_length=1)


class Sc2008Parameters(_Parameters):
    drug_level1_min_sentence_days: int = Field(gt=0)
    counted_dispositions: frozenset[Disposition] = Field(min_length=1)
    unlisted_offence_level: Literal[1, 2, 3]
    priority_levels: frozenset[Literal[1, 2, 3]]


_MORTON_RANKED = frozenset(
    {"national_security", "level_1", "level_2", "level_3", "recent_entrant", "fugitive"}
)


class MortonParameters(_Parameters):
    level1_min_felonies: int = Field(ge=1)
    level2_min_misdemeanours: int = Field(ge=1)
    recent_entry_days: int = Field(gt=0)
    ranks: Mapping[str, int]  # enforcement order: 1 first

    @field_validator("ranks")
    @classmethod
    def _every_group_ranked(cls, value: Mapping[str, int]) -> Mapping[str, int]:
        if set(value) != _MORTON_RANKED:
            raise ValueError(f"ranks must name exactly {sorted(_MORTON_RANKED)}")
        if any(rank < 1 for rank in value.values()):
            raise ValueError("a rank is 1 or more")
        return value


class PepParameters(_Parameters):
    min_separate_misdemeanours: int = Field(ge=1)
    significant_sentence_days: int = Field(gt=0)
    entry_cutoff: date
    final_order_cutoff: date
    border_apprehension_window_days: int = Field(ge=0)
    hold_categories: frozenset[str]
    visa_abuse_detail: str = Field(min_length=1)


class EoParameters(_Parameters):
    finding_details: Mapping[str, str]


SchemeId = Literal["sc2008", "morton2010", "pep2014", "eo13768"]
SchemeParameters = Sc2008Parameters | MortonParameters | PepParameters | EoParameters
_PARAMETER_MODELS: dict[str, type[_Parameters]] = {
    "sc2008": Sc2008Parameters,
    "morton2010": MortonParameters,
    "pep2014": PepParameters,
    "eo13768": EoParameters,
}


class Scheme(BaseModel):
    """One priority scheme, in force from ``effective_from`` to ``effective_until`` inclusive."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    scheme_id: SchemeId
    name: str = Field(min_length=1)
    effective_from: date
    effective_until: date | None
    provenance: str = Field(min_length=1)
    parameters: Annotated[SchemeParameters, Field(union_mode="left_to_right")]

    @model_validator(mode="before")
    @classmethod
    def _parameters_for_scheme(cls, raw: Any) -> Any:
        # Choose the parameter model by scheme id so an error names the right fields.
        if isinstance(raw, dict):
            model = _PARAMETER_MODELS.get(str(raw.get("scheme_id")))
            parameters = raw.get("parameters")
            if model is not None and isinstance(parameters, dict):
                return {**raw, "parameters": model.model_validate(parameters)}
        return raw

    @model_validator(mode="after")
    def _dates_in_order(self) -> Scheme:
        if self.effective_until is not None and self.effective_until < self.effective_from:
            raise ValueError("effective_until is before effective_from")
        return self

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (
            self.effective_until is None or on <= self.effective_until
        )


class LegalThresholds(BaseModel):
    """Statutory lines shared by every scheme."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    felony_min_term_days: int = Field(gt=0)
    aggravated_felony_min_sentence_days: int = Field(gt=0)
    provenance: str = Field(min_length=1)


@dataclass(frozen=True)
class SchemeBook:
    schemes: tuple[Scheme, ...]
    thresholds: LegalThresholds

    def in_force(self, on: date) -> Scheme:
        for scheme in self.schemes:
            if scheme.in_force(on):
                return scheme
        raise NoSchemeInForceError(on)

    def by_id(self, scheme_id: str) -> Scheme:
        for scheme in self.schemes:
            if scheme.scheme_id == scheme_id:
                return scheme
        raise LookupError(f"no priority scheme with id {scheme_id!r}")


def load_schemes(path: Path) -> SchemeBook:
    """Read and validate a scheme file: one scheme per id, contiguous dates, no overlap."""
    document = read_json_document(path)
    if not isinstance(document, dict):
        raise PolicyDataError(file=path.name, row=None, field=None, reason="expected an object")
    thresholds = validate_row(
        LegalThresholds, document.get("legal_thresholds"), file=path.name, row=0
    )
    _check_parameters(document.get("schemes"), file=path.name)
    schemes = read_json_rows(path, "schemes", Scheme)
    _check_schemes_cover_time(schemes, file=path.name)
    return SchemeBook(tuple(schemes), thresholds)


def _check_parameters(raw_schemes: object, *, file: str) -> None:
    # Validated here first so an error names "parameters.<field>", not the bare field.
    if not isinstance(raw_schemes, list):
        return
    for number, raw in enumerate(raw_schemes, start=1):
        if not isinstance(raw, dict) or not isinstance(raw.get("parameters"), dict):
            continue
        model = _PARAMETER_MODELS.get(str(raw.get("scheme_id")))
        if model is None:
            continue
        try:
            validate_row(model, raw["parameters"], file=file, row=number)
        except PolicyDataError as error:
            raise PolicyDataError(
                file=file, row=number, field=f"parameters.{error.field}", reason=error.reason
            ) from error


def _check_schemes_cover_time(schemes: Sequence[Scheme], *, file: str) -> None:
    ids = [scheme.scheme_id for scheme in schemes]
    for number, scheme in enumerate(schemes, start=1):
        if ids.index(scheme.scheme_id) != number - 1:
            raise PolicyDataError(
                file=file, row=number, field="scheme_id", reason="scheme defined twice"
            )
        if number == 1:
            continue
        previous = schemes[number - 2]
        if previous.effective_until is None:
            reason = f"row {number - 1} is open-ended, so no scheme may follow it"
            raise PolicyDataError(file=file, row=number, field="effective_from", reason=reason)
        if (scheme.effective_from - previous.effective_until).days != 1:
            reason = (
                f"must be the day after row {number - 1}'s effective_until "
                f"({previous.effective_until.isoformat()}): schemes are contiguous"
            )
            raise PolicyDataError(file=file, row=number, field="effective_from", reason=reason)


@cache
def scheme_book() -> SchemeBook:
    """The packaged schemes, loaded and validated once."""
    return load_schemes(SCHEMES_FILE)


def scheme_in_force(on: date) -> Scheme:
    """The priority scheme in force on ``on`` (:class:`NoSchemeInForceError` before 2008)."""
    return scheme_book().in_force(on)


def legal_thresholds() -> LegalThresholds:
    return scheme_book().thresholds


__all__ = [
    "EoParameters",
    "LegalThresholds",
    "MortonParameters",
    "NoSchemeInForceError",
    "Offence",
    "OffenceCatalogue",
    "OffenceFlag",
    "PepParameters",
    "PolicyDataError",
    "Sc2008Parameters",
    "Scheme",
    "SchemeBook",
    "SchemeParameters",
    "UnknownOffenceError",
    "classify_charge_code",
    "is_aggravated_felony",
    "legal_thresholds",
    "load_catalogue",
    "load_schemes",
    "lookup_offence",
    "offence_catalogue",
    "scheme_book",
    "scheme_in_force",
]
