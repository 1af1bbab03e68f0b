"""Identities, histories and fingerprints held by the two repositories."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from securecomm.database import Base, EnumText, utcnow
from securecomm.domain import Disposition, EncounterKind


class Repository(enum.StrEnum):
    CRIMINAL = "criminal"
    IMMIGRATION = "immigration"


class CriminalSubject(Base):
    __tablename__ = "criminal_subjects"

    id: Mapped[int] = mapped_column(primary_key=True)
    fbi_number: Mapped[str] = mapped_column(String(12), unique=True)
    state_id: Mapped[str | None] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(100))  # SURNAME,GIVEN MIDDLE
    dob: Mapped[date | None]
    sex: Mapped[str] = mapped_column(String(1))
    race: Mapped[str] = mapped_column(String(1))
    place_of_birth: Mapped[str] = mapped_column(String(2))
    enrolled_by_tcn: Mapped[str | None] = mapped_column(String(40), unique=True)
    # Set when a redress decision found this identity to be another one's person: the
    # identity it became (repositories.identities.merge).
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("criminal_subjects.id"))
    aliases: Mapped[list[CriminalAlias]] = relationship(
        lazy="selectin", order_by="CriminalAlias.id"
    )
    arrests: Mapped[list[Arrest]] = relationship(
        back_populates="subject", lazy="selectin", order_by="Arrest.arrested_on"
    )


class CriminalAlias(Base):
    __tablename__ = "criminal_aliases"
    __table_args__ = (UniqueConstraint("subject_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("criminal_subjects.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))


class Arrest(Base):
    __tablename__ = "arrests"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("criminal_subjects.id"), index=True)
    incident_id: Mapped[str] = mapped_column(String(40), unique=True)  # the booking TCN
    ori: Mapped[str] = mapped_column(String(9))
    arrested_on: Mapped[date]
    released_on: Mapped[date | None]
    subject: Mapped[CriminalSubject] = relationship(back_populates="arrests")
    charges: Mapped[list[Charge]] = relationship(lazy="selectin", order_by="Charge.position")


class Charge(Base):
    __tablename__ = "charges"
    __table_args__ = (UniqueConstraint("arrest_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    arrest_id: Mapped[int] = mapped_column(ForeignKey("arrests.id"), index=True)
    position: Mapped[int]
    ncic_code: Mapped[str] = mapped_column(String(4))
    description: Mapped[str] = mapped_column(String(200))
    max_term_days: Mapped[int]
    disposition: Mapped[Disposition] = mapped_column(EnumText(Disposition, 16))
    disposition_date: Mapped[date | None]
    sentence_days: Mapped[int | None]


class ImmigrationSubject(Base):
    __tablename__ = "immigration_subjects"

    id: Mapped[int] = mapped_column(primary_key=True)
    fin: Mapped[str] = mapped_column(String(12), unique=True)
    a_number: Mapped[str | None] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    dob: Mapped[date | None]
    sex: Mapped[str] = mapped_column(String(1))
    country_of_birth: Mapped[str] = mapped_column(String(2))
    encounters: Mapped[list[Encounter]] = relationship(lazy="selectin", order_by="Encounter.day")


class Encounter(Base):
    __tablename__ = "encounters"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("immigration_subjects.id"), index=True)
    kind: Mapped[EncounterKind] = mapped_column(EnumText(EncounterKind, 32))
    day: Mapped[date]
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class FingerprintRecord(Base):
    """One enrolled finger of one subject in one repository (a serialised Template)."""

    __tablename__ = "fingerprints"
    __table_args__ = (
        UniqueConstraint("repository", "subject_id", "finger_position"),
        Index("ix_fingerprints_repository_id", "repository", "id"),  # stored since a mark
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    repository: Mapped[Repository] = mapped_column(EnumText(Repository, 16))
    subject_id: Mapped[int] = mapped_column(index=True)
    finger_position: Mapped[int]
    quality: Mapped[int]
    template: Mapped[bytes] = mapped_column(LargeBinary)


class ReviewStatus(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class ExaminerReview(Base):
    """A possible identification waiting for a fingerprint examiner's confirm or reject.

    The booking is parked until the examiner decides; the worker then applies the
    decision (identify the candidate, or treat the search as no identification)."""

    __tablename__ = "examiner_reviews"
    __table_args__ = (UniqueConstraint("transaction_id", "repository"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("transactions.id"), index=True)
    repository: Mapped[Repository] = mapped_column(EnumText(Repository, 16))
    candidate_subject_id: Mapped[int]
    score: Mapped[float]
    finger_scores: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[ReviewStatus] = mapped_column(EnumText(ReviewStatus, 16), index=True)
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    examiner: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(String(500), default="")


class MatchExclusion(Base):
    """A match a redress decision found wrong: this person (their criminal-history
    identity) is not this immigration identity. Later searches drop the candidate, so
    the same wrong match cannot recur."""

    __tablename__ = "match_exclusions"
    __table_args__ = (UniqueConstraint("criminal_subject_id", "immigration_subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    criminal_subject_id: Mapped[int] = mapped_column(ForeignKey("criminal_subjects.id"), index=True)
    immigration_subject_id: Mapped[int] = mapped_column(ForeignKey("immigration_subjects.id"))
    reason: Mapped[str] = mapped_column(String(300))
    decided_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime]
