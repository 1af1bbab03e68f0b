"""Cases, detainers and the case timeline."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from securecomm.database import Base, EnumText
from securecomm.domain import DetainerForm, LeaResponse


class CaseState(enum.StrEnum):
    NO_ACTION_CITIZEN = "no_action_citizen"
    ANALYST_REVIEW = "analyst_review"
    NOT_PRIORITY = "not_priority"
    DETAINER_LODGED = "detainer_lodged"
    RELEASED_BY_LEA = "released_by_lea"
    IN_ICE_CUSTODY = "in_ice_custody"
    HEARING_SCHEDULED = "hearing_scheduled"
    REMOVED = "removed"
    VOLUNTARY_RETURN = "voluntary_return"
    RELIEF_GRANTED = "relief_granted"
    RELEASED_ON_BOND = "released_on_bond"
    PROCEEDINGS_TERMINATED = "proceedings_terminated"


class Case(Base):
    """The field office's case opened on an immigration match."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("transactions.id"), unique=True)
    immigration_subject_id: Mapped[int] = mapped_column(
        ForeignKey("immigration_subjects.id"), index=True
    )
    field_office: Mapped[str] = mapped_column(String(9))
    state: Mapped[CaseState] = mapped_column(EnumText(CaseState, 32), index=True)
    opened_at: Mapped[datetime]
    scheme_id: Mapped[str] = mapped_column(String(24))
    priority_category: Mapped[str | None] = mapped_column(String(40))
    match_level: Mapped[str | None] = mapped_column(String(16))
    custody_level: Mapped[str | None] = mapped_column(String(16))  # conviction level at booking-in
    custody_at: Mapped[datetime | None]
    hearing_on: Mapped[date | None]
    outcome_level: Mapped[str | None] = mapped_column(String(16))  # conviction level at outcome
    closed_at: Mapped[datetime | None]
    discretion: Mapped[dict[str, Any]] = mapped_column(default=dict)
    detainer: Mapped[Detainer | None] = relationship(lazy="selectin", uselist=False)


class Detainer(Base):
    __tablename__ = "detainers"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    form: Mapped[DetainerForm] = mapped_column(EnumText(DetainerForm, 8))
    requests_hold: Mapped[bool]
    probable_cause: Mapped[str | None] = mapped_column(String(60))
    warrant: Mapped[str | None] = mapped_column(String(8))
    lodged_at: Mapped[datetime]
    release_at: Mapped[datetime | None]
    hold_deadline: Mapped[datetime | None]
    response: Mapped[LeaResponse | None] = mapped_column(EnumText(LeaResponse, 16))
    responded_at: Mapped[datetime | None]


class CaseEvent(Base):
    """The case timeline: every status change and what caused it."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    occurred_at: Mapped[datetime]
    previous: Mapped[str | None] = mapped_column(String(32))
    current: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(String(300))
