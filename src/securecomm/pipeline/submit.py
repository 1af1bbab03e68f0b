"""The submit use case: one booking file in, its answer files out.

``submit`` stores the file exactly as received (a CAR/CNA in ANSI/NIST-ITL, or a JSON
booking), runs the worker until every stored submission, this one included, has gone
through the flow, delivers the outbox both to the agencies' mailboxes and as files
(``<answers_dir>/<recipient ORI>/<TCN>.<TYPE>.<an2|txt|json>``) and reports where this
submission's answers are. A rejected file gets an ERRT naming every violation; its raw
bytes stay stored for review (``securecomm booking review``).

The database must already hold the agencies, jurisdictions and repositories (a real
deployment's reference data, ``securecomm init`` and ``securecomm agencies add``; for
tries and tests, a synthetic world loaded by ``simulation.runner.load_reference``): a
booking from an ORI the system does not know is rejected with ``ori: unknown_ori``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select

from securecomm.booking.intake import store
from securecomm.booking.models import Submission, SubmissionState
from securecomm.cases.ports import ImmigrationCourt
from securecomm.database import Database
from securecomm.domain import CourtOutcome
from securecomm.exceptions import ConfigurationError
from securecomm.interop import outbox
from securecomm.interop.file_transport import FanOutTransport, FileTransport
from securecomm.interop.models import OutboxMessage, Transaction
from securecomm.pipeline.worker import Worker


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
