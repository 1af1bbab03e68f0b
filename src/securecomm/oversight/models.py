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


class ComplaintKind(enum.StrEnum):
    WRONG_IDENTITY = "wrong_identity"  # "the fingerprints matched someone else"
    CITIZEN_DETAINED = "citizen_detained"
    DETAINER_IN_ERROR = "detainer_in_error"
    MISTREATMENT = "mistreatment"
    DISCRETION_REQUEST = "discretion_request"  # asks ICE to exercise prosecutorial discretion


class ComplaintState(enum.StrEnum):
    RECEIVED = "received"  # filed; a redress officer must take it up
    IN_REVIEW = "in_review"
    CORRECTED = "corrected"  # an error was confirmed and the record corrected
    NOT_CONFIRMED = "not_confirmed"  # the records were checked; no error found
    REFERRED = "referred"  # to the agency's inspector (mistreatment) or the field office


class Complaint(Base):
    """A complaint from a person or their lawyer, worked by a redress officer against
    deadlines, answered in writing."""

    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)  # given to the complainant
    kind: Mapped[ComplaintKind] = mapped_column(EnumText(ComplaintKind, 24))
    filed_at: Mapped[datetime]
    filed_by: Mapped[str] = mapped_column(String(16))  # "person" or "lawyer"
    complainant: Mapped[str] = mapped_column(String(120))
    contact: Mapped[str] = mapped_column(String(200))
    booking_tcn: Mapped[str | None] = mapped_column(String(40), index=True)
    statement: Mapped[str] = mapped_column(String(4000))
    state: Mapped[ComplaintState] = mapped_column(EnumText(ComplaintState, 16), index=True)
    acknowledge_by: Mapped[datetime]
    decide_by: Mapped[datetime]
    assigned_to: Mapped[str | None] = mapped_column(String(64))
    transaction_id: Mapped[int | None] = mapped_column(ForeignKey("transactions.id"), index=True)
    corrections: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    answer: Mapped[str | None] = mapped_column(String(4000))
    answered_at: Mapped[datetime | None]


class ComplaintEvent(Base):
    """Each step of a complaint, as the complainant's written answer will recount it."""

    __tablename__ = "complaint_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(String(1000))


class ActivationDecision(enum.StrEnum):
    APPROVE = "approve"
    DECLINE = "decline"


class ActivationReview(Base):
    """The review a jurisdiction gets before the flow forwards its bookings to the
    immigration repository: its civil-rights record, lawsuits, training, and what the
    monitor projects for it; prepared by one person, signed by a supervisor."""

    __tablename__ = "activation_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    prepared_by: Mapped[str] = mapped_column(String(64))
    prepared_at: Mapped[datetime]
    civil_rights: Mapped[str] = mapped_column(String(2000))  # investigations and findings
    lawsuits: Mapped[str] = mapped_column(String(2000))
    training: Mapped[str] = mapped_column(String(2000))
    projection: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the monitor's view
    decision: Mapped[ActivationDecision | None] = mapped_column(EnumText(ActivationDecision, 8))
    signed_by: Mapped[str | None] = mapped_column(String(64))
    signed_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(String(1000))


class TransparencyRelease(Base):
    """One published transparency report: computed once (its differentially private
    counts drawn once), then shown to everyone as published."""

    __tablename__ = "transparency_releases"

    id: Mapped[int] = mapped_column(primary_key=True)
    published_at: Mapped[datetime]
    published_by: Mapped[str] = mapped_column(String(64))
    epsilon: Mapped[float]
    content: Mapped[dict[str, Any]] = mapped_column(default=dict)
