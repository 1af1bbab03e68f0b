"""Inbound messages from local agencies and courts, kept raw before anything reads them."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Index, LargeBinary, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from securecomm.database import Base, EnumText, utcnow


class SubmissionKind(enum.StrEnum):
    BOOKING = "booking"
    RELEASE = "release"  # released before trial; the disposition follows
    DISPOSITION = "disposition"


class SubmissionState(enum.StrEnum):
    RECEIVED = "received"
    REJECTED = "rejected"
    PROCESSING = "processing"
    PARKED = "parked"  # waiting for a person (a fingerprint examiner); resumed when decided
    FAILED = "failed"  # an unexpected fault: held for review, retried by an operator
    DONE = "done"


# Open: a worker is still to drive it. Workers claim the oldest open submissions
# (migration 0015) through a partial index.
# The claim queries state its predicate in these same words, as literals: a planner
# uses a partial index only where it can see that the query's condition implies the
# index's, which PostgreSQL cannot in a generic plan of a prepared statement whose
# states are parameters (psycopg prepares a statement from its fifth run).
OPEN_STATES = (SubmissionState.RECEIVED, SubmissionState.PROCESSING)
OPEN_PREDICATE = text(f"state IN ({', '.join(repr(state.value) for state in OPEN_STATES)})")


class Submission(Base):
    """Every inbound message, stored raw before anything reads it."""

    __tablename__ = "submissions"
    __table_args__ = (
        UniqueConstraint("kind", "external_key"),
        Index(
            "ix_submissions_open_order",
            "event_at",
            "seq",
            "id",
            postgresql_where=OPEN_PREDICATE,
            sqlite_where=OPEN_PREDICATE,
        ),
        Index("ix_submissions_external_key", "external_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SubmissionKind] = mapped_column(EnumText(SubmissionKind, 16))
    external_key: Mapped[str] = mapped_column(String(80))  # TCN, or a digest when unreadable
    sender: Mapped[str | None] = mapped_column(String(9))
    submitted_by: Mapped[str | None] = mapped_column(String(64))  # the user, through the service
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    event_at: Mapped[datetime] = mapped_column(index=True)
    seq: Mapped[int] = mapped_column(default=0)
    content_type: Mapped[str] = mapped_column(String(64))
    raw: Mapped[bytes] = mapped_column(LargeBinary)  # exactly the bytes received
    state: Mapped[SubmissionState] = mapped_column(EnumText(SubmissionState, 16), index=True)
    step: Mapped[str] = mapped_column(String(32), default="")  # progress inside a disposition
    errors: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    # Bytes received when more arrived than a submission may hold (only a prefix is kept).
    raw_size: Mapped[int | None]
    # The fault that stopped it (error class, message, step, when), and how many tries.
    failure: Mapped[dict[str, Any]] = mapped_column(default=dict)
    attempts: Mapped[int] = mapped_column(default=0)
    # The worker holding it, until when: another worker takes it only once the lease ends.
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None]
    # Every update is compare-and-set on this counter: two workers cannot both move it.
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
