"""Oversight's own records: the reviews a profiling flag opens for a supervisor."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from securecomm.database import Base, EnumText


class UnitKind(enum.StrEnum):
    JURISDICTION = "jurisdiction"
    OFFICER = "officer"


class ReviewState(enum.StrEnum):
    OPEN = "open"  # flagged by the monitor, waiting for a supervisor
    CLEARED = "cleared"  # reviewed: the evidence has an innocent explanation
    TRAINING = "training"  # reviewed: training ordered
    SHARING_SUSPENDED = "sharing_suspended"  # the jurisdiction's sharing is suspended


class ProfilingReview(Base):
    """A unit (jurisdiction or arresting officer) the monitor flagged, with the evidence
    it showed and what a supervisor decided."""

    __tablename__ = "profiling_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_kind: Mapped[UnitKind] = mapped_column(EnumText(UnitKind, 16))
    unit: Mapped[str] = mapped_column(String(40), index=True)  # FIPS code or badge
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    opened_at: Mapped[datetime]
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[ReviewState] = mapped_column(EnumText(ReviewState, 24), index=True)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(String(500))
    suspension_id: Mapped[int | None] = mapped_column(ForeignKey("jurisdiction_suspensions.id"))
