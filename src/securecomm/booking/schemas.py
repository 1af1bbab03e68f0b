"""The booking and disposition documents a local agency sends (JSON form).

Field names follow the EBTS Type-2 mnemonics they stand for (NAM, DOB, SEX, RAC, POB,
HGT, WGT, EYE, HAI, DOA, ASL); an ANSI/NIST CAR file is mapped onto the same document.
"""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from securecomm.domain import Disposition

NAME_PATTERN = r"^[A-Z][A-Z' \-]*,[A-Z][A-Z' \-]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class ChargeIn(_Strict):
    ncic_code: Annotated[str, Field(pattern=r"^\d{4}$", description="NCIC offence code")]
    description: Annotated[str, Field(min_length=1, max_length=120)]
    offence_date: date
    max_term_days: Annotated[int, Field(ge=1, le=36_500, description="statutory maximum")]


class BookingDocument(_Strict):
    """One criminal ten-print submission (the CAR's content)."""

    tcn: Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9\-]{9,39}$")]
    ori: Annotated[str, Field(pattern=r"^[A-Z]{2}[A-Z0-9]{7}$")]
    booked_at: AwareDatetime
    name: Annotated[str, Field(pattern=NAME_PATTERN, max_length=50)]
    aliases: Annotated[list[Annotated[str, Field(pattern=NAME_PATTERN)]], Field(max_length=10)] = []
    dob: date
    sex: Literal["M", "F", "X"]
    race: Literal["A", "B", "I", "W", "U"]
    place_of_birth: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    height_in: Annotated[int, Field(ge=24, le=96)]
    weight_lb: Annotated[int, Field(ge=50, le=700)]
    eyes: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    hair: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    claimed_citizenship: Annotated[str | None, Field(pattern=r"^[A-Z]{2}$")] = None
    # The arresting officer's badge or name, to whose attention answers go (2.006 ATN);
    # the profiling monitor compares officers with their peers.
    arresting_officer: Annotated[str | None, Field(pattern=r"^[A-Z0-9][A-Z0-9 .,\-]{2,29}$")] = None
    charges: Annotated[list[ChargeIn], Field(min_length=1, max_length=40)]
    prints: Annotated[dict[int, str], Field(min_length=1, max_length=10)]
    # Where a print's quality was not NFIQ 2's on the whole image: why, by finger.
    quality_notes: Annotated[
        dict[int, Annotated[str, Field(max_length=300)]], Field(max_length=10)
    ] = {}

    @field_validator("prints")
    @classmethod
    def _positions_and_encoding(cls, prints: dict[int, str]) -> dict[int, str]:
        for position, encoded in prints.items():
            if not 1 <= position <= 10:
                raise ValueError(f"finger position {position} is not a rolled finger (1-10)")
            try:
                base64.b64decode(encoded, validate=True)
            except binascii.Error as error:
                raise ValueError(f"finger {position}: template is not base64 ({error})") from error
        return prints

    @field_validator("dob")
    @classmethod
    def _dob_in_the_past(cls, dob: date) -> date:
        if dob.year < 1900:
            raise ValueError("date of birth before 1900")
        return dob

    def template_bytes(self) -> dict[int, bytes]:
        return {position: base64.b64decode(data) for position, data in self.prints.items()}


class ChargeOutcomeIn(_Strict):
    position: Annotated[int, Field(ge=0, le=39)]
    disposition: Disposition
    sentence_days: Annotated[int | None, Field(ge=0, le=36_500)] = None


_TCN = Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9\-]{9,39}$")]


class DispositionDocument(_Strict):
    """A court's disposition of a booking's charges, and the release from local custody.

    ``release_at`` is absent when the person was already released before trial (a
    release document) and the sentence keeps nobody in custody."""

    tcn: _TCN
    decided_at: AwareDatetime
    release_at: AwareDatetime | None = None
    outcomes: Annotated[list[ChargeOutcomeIn], Field(min_length=1, max_length=40)]

    @property
    def event_at(self) -> datetime:
        return self.release_at or self.decided_at


class ReleaseDocument(_Strict):
    """The local agency releases the person before trial (bail, own recognisance, a
    citation); the court's disposition follows later in a disposition document."""

    tcn: _TCN
    release_at: AwareDatetime
    basis: Literal["bail", "own_recognisance", "citation"] = "bail"

    @property
    def event_at(self) -> datetime:
        return self.release_at


# --------------------------------------------------------------------------- service answers


class SubmissionProblem(BaseModel):
    field: str
    rule: str
    message: str


class BookingStateOut(BaseModel):
    """Where a booking is in the flow; ``final``: the flow has finished with it (done,
    rejected, or held: parked for an examiner, failed for an operator)."""

    id: int
    state: str  # received, processing, parked, rejected, failed, done
    final: bool


class SubmissionOut(BaseModel):
    """A stored submission as its sender sees it."""

    id: int
    tcn: str  # the TCN, or a digest of the bytes when no TCN could be read
    kind: str
    sender: str | None
    content_type: str
    received_at: datetime
    booked_at: datetime
    state: str  # received, processing, parked, rejected, failed, done
    new: bool = True  # False: the same file had been received before
    problems: list[SubmissionProblem] = []
    failure: str | None = None  # the kind of fault that held it for review, if any
