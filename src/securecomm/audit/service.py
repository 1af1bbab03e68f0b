from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from securecomm.audit.models import AuditEvent


def record(
    session: Session,
    *,
    kind: str,
    actor: str,
    occurred_at: datetime,
    summary: str,
    transaction_id: int | None = None,
    case_id: int | None = None,
    details: dict[str, Any] | None = None,
    key: str | None = None,
) -> AuditEvent:
    """Append one event; ``key`` (when given) makes a repeat of the same step a no-op
    at commit: the unique key refuses the second copy."""
    event = AuditEvent(
        key=key,
        kind=kind,
        actor=actor,
        occurred_at=occurred_at,
        summary=summary,
        transaction_id=transaction_id,
        case_id=case_id,
        details=details or {},
    )
    session.add(event)
    return event
