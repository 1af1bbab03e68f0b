from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from securecomm.database import Base, utcnow


class AuditEvent(Base):
    """One thing that happened, by whom, to which transaction or case. Never updated."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    occurred_at: Mapped[datetime]  # time in the world (booking time, release time, ...)
    actor: Mapped[str] = mapped_column(String(32))  # ORI or role of whoever acted
    kind: Mapped[str] = mapped_column(String(64), index=True)
    transaction_id: Mapped[int | None] = mapped_column(ForeignKey("transactions.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    summary: Mapped[str] = mapped_column(String(500))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Set for events a step writes: the same step run twice records its event once.
    key: Mapped[str | None] = mapped_column(String(160), unique=True)
