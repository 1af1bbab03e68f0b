"""Appending to the audit log (sealing and verifying it: ``audit.chain``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from securecomm.audit.chain import content_hash, event_content
from securecomm.audit.models import AuditEvent
from securecomm.database import utcnow


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
    role: str | None = None,
    agency: str | None = None,
    purpose: str | None = None,
    records: Sequence[str] = (),
) -> AuditEvent:
    """Append one event, its content hash fixed now; ``key`` (when given) makes a repeat
    of the same step a no-op at commit: the unique key refuses the second copy."""
    event = AuditEvent(
        key=key,
        kind=kind,
        actor=actor[:64],
        role=role,
        agency=agency,
        purpose=purpose[:200] if purpose else None,
        records=list(records),
        recorded_at=utcnow(),
        occurred_at=occurred_at,
        summary=summary[:500],
        transaction_id=transaction_id,
        case_id=case_id,
        # as the JSON column will give it back (keys as strings, tuples as lists)
        details=json.loads(json.dumps(details or {}, default=str)),
    )
    event.content_hash = content_hash(event_content(event))
    session.add(event)
    return event
