"""Intake: a booking file stored exactly as received, with what its envelope says.

Only the envelope is read before storing (the TCN, the sender's ORI and the booking
time of a CAR's Type-1, or of a JSON booking); everything else is parsed by the flow,
which answers a bad file with an ERRT naming every violation while the raw bytes stay
stored for review. The submit use case (store, drive the flow, write the answers) is
``pipeline.submit``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from securecomm.ansi_nist import AnsiNistParseError, parse
from securecomm.booking import service as booking_service
from securecomm.booking.car import ANSI_NIST_CONTENT
from securecomm.booking.limits import IntakeLimits, size_problem
from securecomm.booking.models import Submission, SubmissionKind
from securecomm.database import Database
from securecomm.exceptions import InputError

UNKNOWN_CONTENT = "application/octet-stream"
JSON = booking_service.JSON_CONTENT


def content_type_of(raw: bytes) -> str:
    """JSON when the bytes open with '{', ANSI/NIST when they open with a Type-1 LEN tag."""
    head = raw.lstrip()[:4]
    if head.startswith(b"{"):
        return booking_service.JSON_CONTENT
    if head.startswith((b"1.00", b"01.0")):
        return ANSI_NIST_CONTENT
    return UNKNOWN_CONTENT


@dataclass(frozen=True)
class Envelope:
    """What can be read off a submission before parsing it properly (never raises)."""

    tcn: str | None = None
    sender: str | None = None
    booked_at: datetime | None = None


def envelope_of(raw: bytes, content_type: str) -> Envelope:
    if content_type == ANSI_NIST_CONTENT:
        try:
            type1 = parse(raw).type1
        except AnsiNistParseError:
            return Envelope()
        ori = type1.get(8)
        return Envelope(type1.get(9), ori[:9] if ori else None, _gmt(type1.get(14)))
    if content_type == booking_service.JSON_CONTENT:
        try:
            document = booking_service.parse_booking(raw)
        except InputError:
            return Envelope()
        return Envelope(document.tcn, document.ori, document.booked_at)
    return Envelope()


def _gmt(text: str | None) -> datetime | None:
    try:
        return datetime.strptime(text or "", "%Y%m%d%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def store_in(
    session: Session,
    raw: bytes,
    *,
    received_at: datetime | None = None,
    raw_size: int | None = None,
    sender_for: Callable[[str | None], str | None] = lambda sender: sender,
) -> tuple[Submission, bool, Envelope]:
    """Store one booking file as received (nothing parsed beyond its envelope): the
    stored submission, whether it is new, and what its envelope said. ``sender_for``
    sees the ORI the envelope names (None when unreadable) and returns the sender to
    record; it may refuse by raising (the service checks it against the signed-in
    user's agency)."""
    content_type = content_type_of(raw)
    limits = IntakeLimits.from_settings()
    oversized = size_problem(raw_size or len(raw), limits, is_json=content_type == JSON)
    envelope = Envelope() if oversized else envelope_of(raw, content_type)
    submission, new = booking_service.receive(
        session,
        kind=SubmissionKind.BOOKING,
        raw=raw,
        event_at=envelope.booked_at or received_at or datetime.now(UTC),
        sender=sender_for(envelope.sender),
        content_type=content_type,
        tcn=envelope.tcn,
        raw_size=raw_size,
        limits=limits,
    )
    return submission, new, envelope


def store(
    database: Database,
    raw: bytes,
    *,
    received_at: datetime | None = None,
    raw_size: int | None = None,
) -> tuple[Submission, bool, Envelope]:
    """:func:`store_in`, in a unit of work of its own."""
    with database.session() as session:
        submission, new, envelope = store_in(
            session, raw, received_at=received_at, raw_size=raw_size
        )
        session.expunge(submission)
    return submission, new, envelope


__all__ = ["Envelope", "content_type_of", "envelope_of", "store", "store_in"]
