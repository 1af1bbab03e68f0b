"""What officers and analysts send in, and what ``case explain`` / ``case list`` show."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from securecomm.domain import StatusCategory
from securecomm.exceptions import FieldProblem, InputError
from securecomm.status.rules import PROBABLE_CAUSE_BASES


class AnalystFinding(BaseModel):
    """An analyst's status determination for a case the rules could not decide."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    category: StatusCategory
    removable: bool
    probable_cause: str | None = None
    evidence: str = Field(min_length=3, max_length=250)

    @model_validator(mode="after")
    def _consistent(self) -> AnalystFinding:
        if self.category is StatusCategory.UNABLE_TO_DETERMINE:
            raise ValueError("category: an analyst must resolve to a determined status")
        if self.category.is_citizen and self.removable:
            raise ValueError("removable: a U.S. citizen is never removable")
        if self.removable and self.probable_cause not in PROBABLE_CAUSE_BASES:
            bases = ", ".join(sorted(PROBABLE_CAUSE_BASES))
            raise ValueError(f"probable_cause: a removable finding must state one of {bases}")
        if not self.removable and self.probable_cause is not None:
            raise ValueError("probable_cause: only a removable finding states probable cause")
        return self


def parse_finding(raw: dict[str, Any]) -> AnalystFinding:
    """An :class:`AnalystFinding`, or an :class:`InputError` naming each bad field."""
    try:
        return AnalystFinding.model_validate(raw)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            where = ".".join(str(part) for part in item["loc"])
            message = str(item["msg"]).removeprefix("Value error, ")
            if not where and ": " in message:
                where, message = message.split(": ", 1)
            problems.append(FieldProblem(where or "finding", item["type"], message))
        raise InputError(problems, summary="analyst finding refused") from None


class DecisionView(BaseModel):
    kind: str
    outcome: str
    decided_at: datetime
    traces: list[dict[str, Any]]


class EventView(BaseModel):
    occurred_at: datetime
    previous: str | None
    current: str
    note: str


class DetainerView(BaseModel):
    id: int
    form: str
    requests_hold: bool
    probable_cause: str | None
    warrant: str | None
    lodged_at: datetime
    release_at: datetime | None
    hold_deadline: datetime | None
    response: str | None
    response_note: str | None
    responded_at: datetime | None
    answered_by: str | None  # the agency's user, where the agency answered before release
    pickup_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str | None


class CustodyView(BaseModel):
    custody_at: datetime | None
    conviction_level: str | None
    facility_code: str | None
    facility_name: str | None
    bed_number: int | None
    transport_departs_at: datetime | None
    custody_ended_at: datetime | None


class HearingView(BaseModel):
    hearing_on: date | None
    mode: str | None
    counsel: str | None
    counsel_name: str | None


class CaseSummary(BaseModel):
    id: int
    tcn: str
    jurisdiction: str
    state: str
    opened_at: datetime
    scheme_id: str
    priority_category: str | None
    priority_rank: int | None = None
    match_level: str | None
    detainer_form: str | None
    detainer_response: str | None


class CaseExplanation(BaseModel):
    case: CaseSummary
    fin: str
    field_office: str
    status_category: str | None
    discretion: dict[str, Any]
    detainer: DetainerView | None
    custody: CustodyView
    hearing: HearingView
    outcome: str | None
    outcome_level: str | None
    closed_at: datetime | None
    decisions: list[DecisionView]
    timeline: list[EventView]
