"""Routing state: jurisdictions and their activation, transactions, decisions, the outbox."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from securecomm.database import Base, EnumText, utcnow
from securecomm.domain import DetainerPolicy


class Jurisdiction(Base):
    __tablename__ = "jurisdictions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(2), index=True)
    county: Mapped[str] = mapped_column(String(100))
    activation_date: Mapped[date | None]
    detainer_policy: Mapped[DetainerPolicy] = mapped_column(EnumText(DetainerPolicy, 32))
    # Read when asked for (the immigration search, participation): most steps that load a
    # jurisdiction only want its state or policy.
    suspensions: Mapped[list[JurisdictionSuspension]] = relationship(
        back_populates="jurisdiction", order_by="JurisdictionSuspension.start"
    )


class JurisdictionSuspension(Base):
    """A period when the program was suspended; ``stops_sharing`` says whether
    fingerprints stopped reaching the immigration repository (the 2014-2017 national
    suspension did not stop sharing)."""

    __tablename__ = "jurisdiction_suspensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    start: Mapped[date]
    end: Mapped[date | None]
    reason: Mapped[str] = mapped_column(String(300))
    stops_sharing: Mapped[bool]
    jurisdiction: Mapped[Jurisdiction] = relationship(back_populates="suspensions")


class TransactionState(enum.StrEnum):
    """A booking's path; each value is persisted before the next step acts."""

    RECEIVED = "received"
    REJECTED = "rejected"
    VALIDATED = "validated"
    AWAITING_CRIMINAL_EXAMINER = "awaiting_criminal_examiner"
    CRIMINAL_SEARCHED = "criminal_searched"
    CRIMINAL_ANSWERED = "criminal_answered"
    AWAITING_IMMIGRATION_EXAMINER = "awaiting_immigration_examiner"
    IMMIGRATION_SEARCHED = "immigration_searched"
    STATUS_QUERIED = "status_queried"
    STATUS_DETERMINED = "status_determined"
    RESPONDED = "responded"
    COMPLETED = "completed"

    @property
    def terminal(self) -> bool:
        return self in (TransactionState.REJECTED, TransactionState.COMPLETED)

    @property
    def awaiting_examiner(self) -> bool:
        return self in (
            TransactionState.AWAITING_CRIMINAL_EXAMINER,
            TransactionState.AWAITING_IMMIGRATION_EXAMINER,
        )


class Transaction(Base):
    """One accepted booking (CAR) and everything decided about it, keyed by its TCN."""

    __tablename__ = "transactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    tcn: Mapped[str] = mapped_column(String(40), unique=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), unique=True)
    ori: Mapped[str] = mapped_column(String(9), index=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    booked_at: Mapped[datetime] = mapped_column(index=True)
    state: Mapped[TransactionState] = mapped_column(EnumText(TransactionState, 32), index=True)
    criminal_subject_id: Mapped[int | None] = mapped_column(ForeignKey("criminal_subjects.id"))
    criminal_identified: Mapped[bool | None]  # True: known subject; False: enrolled new
    immigration_searched: Mapped[bool | None]
    immigration_subject_id: Mapped[int | None] = mapped_column(
        ForeignKey("immigration_subjects.id")
    )
    match_level: Mapped[str | None] = mapped_column(String(16))
    status_category: Mapped[str | None] = mapped_column(String(40))
    # As the booking stated them: what the profiling monitor compares (no name, no DOB).
    arresting_officer: Mapped[str | None] = mapped_column(String(30), index=True)
    subject_race: Mapped[str | None] = mapped_column(String(1))
    place_of_birth: Mapped[str | None] = mapped_column(String(2))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Each step's state change is compare-and-set on this counter, so a step run twice
    # (two workers, a retry) commits once and a state can never go backwards.
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class DecisionRecord(Base):
    """An automated decision and its reasons, stored beside what it decided."""

    __tablename__ = "decisions"
    __table_args__ = (UniqueConstraint("transaction_id", "case_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # "<transaction>:<case>:<kind>" with "-" for an absent one: unique even where the
    # columns are NULL (a NULL never equals another NULL in a unique constraint).
    scope: Mapped[str] = mapped_column(String(120), unique=True)
    transaction_id: Mapped[int | None] = mapped_column(ForeignKey("transactions.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime]
    traces: Mapped[list[dict[str, Any]]] = mapped_column(default=list)


UNDELIVERED = text("delivered_at IS NULL")


class OutboxMessage(Base):
    """A message to another agency, written in the same unit of work as the step that
    produced it; delivered later, at least once, deduplicated by ``key``."""

    __tablename__ = "outbox"
    __table_args__ = (
        # Delivery takes the oldest undelivered; the delivered pile up behind them.
        Index(
            "ix_outbox_undelivered",
            "id",
            postgresql_where=UNDELIVERED,
            sqlite_where=UNDELIVERED,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)  # TCN:TYPE:RECIPIENT
    transaction_id: Mapped[int | None] = mapped_column(ForeignKey("transactions.id"), index=True)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"))
    message_type: Mapped[str] = mapped_column(String(16), index=True)
    sender: Mapped[str] = mapped_column(String(9))
    recipient: Mapped[str] = mapped_column(String(9), index=True)
    created_at: Mapped[datetime]
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    delivered_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)


class MailboxMessage(Base):
    """What each agency has received: the in-process transport's delivery target."""

    __tablename__ = "mailbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_key: Mapped[str] = mapped_column(String(120), unique=True)
    recipient: Mapped[str] = mapped_column(String(9), index=True)
    message_type: Mapped[str] = mapped_column(String(16))
    delivered_at: Mapped[datetime] = mapped_column(default=utcnow)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ParticipationEvent(Base):
    """What a jurisdiction said about its participation (for example that it declines to
    receive immigration information, as several did in 2010-2011), on the record. Kept
    with the jurisdictions because the flow honours it (``interop.rules``); recorded and
    shown by ``oversight.participation``."""

    __tablename__ = "participation_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    on: Mapped[date]
    kind: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(String(1000))
    recorded_by: Mapped[str] = mapped_column(String(64))
