"""Cases, detainers and the case timeline."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from securecomm.database import Base, EnumText, utcnow
from securecomm.domain import CourtOutcome, DetainerForm, LeaResponse


class CaseState(enum.StrEnum):
    NO_ACTION_CITIZEN = "no_action_citizen"
    ANALYST_REVIEW = "analyst_review"
    NOT_PRIORITY = "not_priority"
    RELEASED_BEFORE_REVIEW = "released_before_review"  # the analyst decided too late
    # Where officers lodge detainers (the service): the rules call for one, an ICE
    # officer has not acted yet; a form that needs a warrant waits for a supervisor.
    DETAINER_PROPOSED = "detainer_proposed"
    AWAITING_APPROVAL = "awaiting_approval"
    DISCRETION_NO_DETAINER = "discretion_no_detainer"  # an officer chose not to lodge
    DETAINER_LODGED = "detainer_lodged"
    DETAINER_CANCELLED = "detainer_cancelled"  # ICE withdrew the detainer
    RELEASED_BY_LEA = "released_by_lea"  # the local agency declined the detainer
    HOLD_LAPSED = "hold_lapsed"  # honoured, but ICE did not assume custody in time
    IN_ICE_CUSTODY = "in_ice_custody"
    HEARING_SCHEDULED = "hearing_scheduled"
    REMOVED = "removed"
    VOLUNTARY_RETURN = "voluntary_return"
    RELIEF_GRANTED = "relief_granted"
    RELEASED_ON_BOND = "released_on_bond"
    RELEASED_ON_RECOGNIZANCE = "released_on_recognizance"
    PROCEEDINGS_TERMINATED = "proceedings_terminated"
    # A redress decision found the case rests on an error (a wrong match, a citizen).
    CLOSED_IN_ERROR = "closed_in_error"


class HearingMode(enum.StrEnum):
    IN_PERSON = "in_person"
    VIDEO_TELECONFERENCE = "video_teleconference"


class Counsel(enum.StrEnum):
    REPRESENTED = "represented"  # a notice of appearance (EOIR-28) is on file
    UNREPRESENTED = "unrepresented"


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
    # Enforcement order within the scheme (1 first): the work queue and beds follow it.
    priority_rank: Mapped[int | None] = mapped_column(index=True)
    match_level: Mapped[str | None] = mapped_column(String(16))
    custody_level: Mapped[str | None] = mapped_column(String(16))  # conviction level at booking-in
    custody_at: Mapped[datetime | None]
    transport_run_id: Mapped[int | None] = mapped_column(ForeignKey("transport_runs.id"))
    facility_code: Mapped[str | None] = mapped_column(String(16), index=True)
    bed_number: Mapped[int | None]
    custody_ended_at: Mapped[datetime | None]  # the bed is free again from this moment
    hearing_on: Mapped[date | None]
    hearing_mode: Mapped[HearingMode | None] = mapped_column(EnumText(HearingMode, 24))
    counsel: Mapped[Counsel | None] = mapped_column(EnumText(Counsel, 16))
    counsel_name: Mapped[str | None] = mapped_column(String(100))
    outcome_level: Mapped[str | None] = mapped_column(String(16))  # conviction level at outcome
    closed_at: Mapped[datetime | None]
    discretion: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The detainer the rules call for, while it waits for an officer (and a supervisor).
    detainer_proposal: Mapped[dict[str, Any]] = mapped_column(default=dict)
    detainer_requested_by: Mapped[str | None] = mapped_column(String(64))
    detainer_approved_by: Mapped[str | None] = mapped_column(String(64))
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
    response_note: Mapped[str | None] = mapped_column(String(300))  # why: policy, lapse, ...
    answered_by: Mapped[str | None] = mapped_column(String(64))  # the agency's user who answered
    pickup_at: Mapped[datetime | None]  # when ICE assumed custody (None: it never did)
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(String(300))


class TransportRun(Base):
    """One scheduled field-office transport run: departure time and seats; each case it
    carries points at it, so the seats taken are counted, never stored twice."""

    __tablename__ = "transport_runs"
    __table_args__ = (UniqueConstraint("state", "departs_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String(2))
    departs_at: Mapped[datetime]
    seats: Mapped[int]


class CaseEvent(Base):
    """The case timeline: every status change and what caused it."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    occurred_at: Mapped[datetime]
    previous: Mapped[str | None] = mapped_column(String(32))
    current: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(String(300))


class DocketEntry(Base):
    """The immigration court's decision for one FIN, as received from the court (which is
    outside the system). Kept in the store so any worker process, or a resumed run, can
    reach the hearing's outcome without a side file."""

    __tablename__ = "court_docket"

    fin: Mapped[str] = mapped_column(String(12), primary_key=True)
    outcome: Mapped[CourtOutcome] = mapped_column(EnumText(CourtOutcome, 32))
    source: Mapped[str] = mapped_column(String(64))  # who sent it (a docket file, the demo)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
