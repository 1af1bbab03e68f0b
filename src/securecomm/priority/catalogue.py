"""The NCIC offence catalogue and the priority schemes, loaded once from versioned data.

``data/ncic_offences.csv`` maps NCIC offence code ranges to a category, a 2008 Secure
Communities level and legal flags; a narrower range overrides the range it sits in
(5401 hit and run inside 5400-5499 traffic). The priority schemes are in
:mod:`.schemes`. Every row carries its provenance; reconstructed items say
"(unconfirmed)".
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from securecomm.domain import MatchLevel
from securecomm.priority.datafiles import (
    PolicyDataError,
    read_csv_rows,
)

if TYPE_CHECKING:  # the schemes module imports this one
    from securecomm.priority.schemes import LegalThresholds

DATA_DIR = Path(__file__).parent / "data"
OFFENCES_FILE = DATA_DIR / "ncic_offences.csv"

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


__all__ = [
    "Offence",
    "OffenceCatalogue",
    "OffenceFlag",
    "PolicyDataError",
    "UnknownOffenceError",
    "classify_charge_code",
    "is_aggravated_felony",
    "load_catalogue",
    "lookup_offence",
    "offence_catalogue",
]
