"""Appending to the audit log (sealing and verifying it: ``audit.chain``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from securecomm.audit.chain import CONTENT_COLUMNS, content_hash
from securecomm.audit.models import AuditEvent
from securecomm.database import utcnow
from securecomm.database.deferred import defer_insert


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
) -> None:
    """Append one event, its content hash fixed now. It is written with the unit's next
    statement or at its commit, with the unit's other events (``database.deferred``).
    ``key`` (when given) makes a repeat of the same step a no-op: the unique key
    refuses the second copy."""
    row: dict[str, Any] = {
        "key": key,
        "kind": kind,
        "actor": actor[:64],
        "role": role,
        "agency": agency,
        "purpose": purpose[:200] if purpose else None,
        "records": list(records),
        "recorded_at": utcnow(),
        "occurred_at": occurred_at,
        "summary": summary[:500],
        "transaction_id": transaction_id,
        "case_id": case_id,
        # as the JSON column will give it back (keys as strings, tuples as lists)
        "details": json.loads(json.dumps(details or {}, default=str)),
    }
    row["content_hash"] = content_hash(tuple(row[column.key] for column in CONTENT_COLUMNS))
    defer_insert(session, AuditEvent, row)
