"""The submit use case: one booking file in, its answer files out.

``submit`` stores the file exactly as received (a CAR/CNA in ANSI/NIST-ITL, or a JSON
booking), runs the worker until every stored submission, this one included, has gone
through the flow, delivers the outbox both to the agencies' mailboxes and as files
(``<answers_dir>/<recipient ORI>/<TCN>.<TYPE>.<an2|txt|json>``) and reports where this
submission's answers are. A rejected file gets an ERRT naming every violation; its raw
bytes stay stored for review (``securecomm booking review``).

The database must already hold the agencies, jurisdictions and repositories (a real
deployment's reference data; for tries and tests, load a synthetic world with
``securecomm.simulation.runner.load_reference``): a booking from an ORI the system
does not know is rejected with ``ori: unknown_ori``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select

from securecomm.ansi_nist import AnsiNistParseError, parse
from securecomm.booking import service as booking_service
from securecomm.booking.car import ANSI_NIST_CONTENT
from securecomm.booking.limits import IntakeLimits, size_problem
from securecomm.booking.models import Submission, SubmissionKind, SubmissionState
from securecomm.cases.ports import ImmigrationCourt
from securecomm.database import Database
from securecomm.domain import CourtOutcome
from securecomm.exceptions import ConfigurationError, InputError
from securecomm.interop import outbox
from securecomm.interop.file_transport import FanOutTransport, FileTransport
from securecomm.interop.models import OutboxMessage, Transaction

UNKNOWN_CONTENT = "application/octet-stream"
JSON = booking_service.JSON_CONTENT


class NoCourt:
    """Stands in when no immigration court is configured: a hearing that needs a decision
    stops the run with a clear error instead of inventing an outcome."""

    def decide(self, *, fin: str, on: date) -> CourtOutcome:
        raise ConfigurationError(
            f"a hearing for FIN {fin} on {on} needs a court: pass a court docket"
        )


@dataclass(frozen=True)
class SubmitResult:
    submission_id: int
    key: str
    tcn: str | None
    content_type: str
    new: bool  # False: the same file had been received before
    state: SubmissionState
    problems: list[dict[str, Any]]
    answers: list[Path] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.state not in (SubmissionState.REJECTED, SubmissionState.FAILED)

    def to_json(self) -> dict[str, Any]:
        return {
            "submission": self.submission_id,
            "key": self.key,
            "tcn": self.tcn,
            "content_type": self.content_type,
            "new": self.new,
            "state": str(self.state),
            "accepted": self.accepted,
            "problems": self.problems,
            "answers": [str(path) for path in self.answers],
        }


def content_type_of(raw: bytes) -> str:
    """JSON when the bytes open with '{', ANSI/NIST when they open with a Type-1 LEN tag."""
    head = raw.lstrip()[:4]
    if head.startswith(b"{"):
        return booking_service.JSON_CONTENT
    if head.startswith((b"1.00", b"01.0")):
        return ANSI_NIST_CONTENT
    return UNKNOWN_CONTENT


@dataclass(frozen=True)
class _Envelope:
    """What can be read off a submission before parsing it properly (never raises)."""

    tcn: str | None = None
    sender: str | None = None
    booked_at: datetime | None = None


def _envelope(raw: bytes, content_type: str) -> _Envelope:
    if content_type == ANSI_NIST_CONTENT:
        try:
            type1 = parse(raw).type1
        except AnsiNistParseError:
            return _Envelope()
        ori = type1.get(8)
        return _Envelope(type1.get(9), ori[:9] if ori else None, _gmt(type1.get(14)))
    if content_type == booking_service.JSON_CONTENT:
        try:
            document = booking_service.parse_booking(raw)
        except InputError:
            return _Envelope()
        return _Envelope(document.tcn, document.ori, document.booked_at)
    return _Envelope()


def _gmt(text: str | None) -> datetime | None:
    try:
        return datetime.strptime(text or "", "%Y%m%d%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def store(
    database: Database,
    raw: bytes,
    *,
    received_at: datetime | None = None,
    raw_size: int | None = None,
) -> tuple[Submission, bool, _Envelope]:
    """Store one booking file as received (nothing parsed beyond its envelope): the
    stored submission, whether it is new, and what its envelope said."""
    content_type = content_type_of(raw)
    limits = IntakeLimits.from_settings()
    oversized = size_problem(raw_size or len(raw), limits, is_json=content_type == JSON)
    envelope = _Envelope() if oversized else _envelope(raw, content_type)
    with database.session() as session:
        submission, new = booking_service.receive(
            session,
            kind=SubmissionKind.BOOKING,
            raw=raw,
            event_at=envelope.booked_at or received_at or datetime.now(UTC),
            sender=envelope.sender,
            content_type=content_type,
            tcn=envelope.tcn,
            raw_size=raw_size,
            limits=limits,
        )
        session.expunge(submission)
    return submission, new, envelope


def submit(
    database: Database,
    raw: bytes,
    *,
    answers_dir: Path,
    court: ImmigrationCourt | None = None,
    received_at: datetime | None = None,
    raw_size: int | None = None,
) -> SubmitResult:
    """Store ``raw``, drive the flow, deliver answers as files; see the module docstring.
    ``raw_size`` is the file's true size when ``raw`` holds only its first bytes."""
    from securecomm.interop.worker import Worker  # the worker imports booking: import late

    submission, new, envelope = store(database, raw, received_at=received_at, raw_size=raw_size)
    submission_id, key = submission.id, submission.external_key
    files = FileTransport(answers_dir, database)
    transport = FanOutTransport(outbox.MailboxTransport(database), files)
    Worker(database, court=court or NoCourt(), transport=transport).run()
    with database.session() as session:
        stored = session.get_one(Submission, submission_id)
        state, problems = stored.state, list(stored.errors)
        if stored.failure:
            problems.append({"field": "(submission)", "rule": "failed", **stored.failure})
        messages = _messages_of(session, submission_id)
    return SubmitResult(
        submission_id=submission_id,
        key=key,
        tcn=envelope.tcn,
        content_type=submission.content_type,
        new=new,
        state=state,
        problems=problems,
        answers=[files.place(message) for message in messages],
    )


def _messages_of(session: Any, submission_id: int) -> list[OutboxMessage]:
    transaction_ids = select(Transaction.id).where(Transaction.submission_id == submission_id)
    query = (
        select(OutboxMessage)
        .where(
            or_(
                OutboxMessage.submission_id == submission_id,
                OutboxMessage.transaction_id.in_(transaction_ids),
            )
        )
        .order_by(OutboxMessage.id)
    )
    messages = list(session.scalars(query))
    for message in messages:
        session.expunge(message)
    return messages


def result_lines(result: SubmitResult) -> list[str]:
    """A person's summary of a submit: verdict, problems, answer files."""
    verdict = "accepted" if result.accepted else "REJECTED"
    again = "" if result.new else " (already received; not processed again)"
    lines = [f"submission {result.tcn or result.key}: {verdict}, {result.state}{again}"]
    lines += [
        f"  problem {p['field']}: {p.get('message', '')} [{p['rule']}]" for p in result.problems
    ]
    lines += [f"  answer  {path}" for path in result.answers]
    return lines


def json_text(result: SubmitResult) -> str:
    return json.dumps(result.to_json(), indent=2) + "\n"


__all__ = [
    "NoCourt",
    "SubmitResult",
    "content_type_of",
    "json_text",
    "result_lines",
    "store",
    "submit",
]
