"""The priority schemes, loaded once from versioned data: ``data/schemes.json`` holds
the four schemes (2008 Secure Communities levels, Morton, PEP, the 2017 executive
order) with their dates in force and their thresholds, and the legal thresholds they
share. Every row carries its provenance; reconstructed items say "(unconfirmed)".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from securecomm.domain import Disposition
from securecomm.priority.catalogue import DATA_DIR
from securecomm.priority.datafiles import (
    PolicyDataError,
    read_json_document,
    read_json_rows,
    validate_row,
)

SCHEMES_FILE = DATA_DIR / "schemes.json"


class NoSchemeInForceError(LookupError):
    """No priority scheme covers the date asked about."""

    def __init__(self, on: date) -> None:
        self.on = on
        super().__init__(f"no priority scheme in force on {on.isoformat()}")


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
    "SCHEMES_FILE",
    "EoParameters",
    "LegalThresholds",
    "MortonParameters",
    "NoSchemeInForceError",
    "PepParameters",
    "Sc2008Parameters",
    "Scheme",
    "SchemeBook",
    "SchemeParameters",
    "legal_thresholds",
    "load_schemes",
    "scheme_book",
    "scheme_in_force",
]
