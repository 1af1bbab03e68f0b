"""Intake: store every inbound message raw first, then parse it with field-level errors."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from securecomm.booking.car import ANSI_NIST_CONTENT, booking_from_car
from securecomm.booking.models import Submission, SubmissionKind, SubmissionState
from securecomm.booking.schemas import BookingDocument, DispositionDocument
from securecomm.exceptions import FieldProblem, InputError

DocumentT = TypeVar("DocumentT", bound=BaseModel)

JSON_CONTENT = "application/json"


def _external_key(kind: SubmissionKind, raw: bytes) -> str:
    """The TCN when one can be read, else a digest of the bytes (so resending is idempotent)."""
    try:
        tcn = json.loads(raw).get("tcn")
    except (ValueError, AttributeError):
        tcn = None
    if isinstance(tcn, str) and 0 < len(tcn) <= 40:
        return tcn
    return "sha256:" + hashlib.sha256(raw).hexdigest()[:64]


def receive(
    session: Session,
    *,
    kind: SubmissionKind,
    raw: bytes,
    event_at: datetime,
    seq: int = 0,
    sender: str | None = None,
    content_type: str = JSON_CONTENT,
) -> tuple[Submission, bool]:
    """Store a submission unless the same one (kind and TCN) was already received.

    Returns the stored submission and whether it is new.
    """
    key = _external_key(kind, raw)
    existing = session.scalar(
        select(Submission).where(Submission.kind == kind, Submission.external_key == key)
    )
    if existing is not None:
        return existing, False
    submission = Submission(
        kind=kind,
        external_key=key,
        sender=sender,
        event_at=event_at,
        seq=seq,
        content_type=content_type,
        raw=raw,
        state=SubmissionState.RECEIVED,
    )
    session.add(submission)
    session.flush()
    return submission, True


def _problems(error: ValidationError) -> list[FieldProblem]:
    problems = []
    for item in error.errors(include_url=False):
        location = ".".join(str(part) for part in item["loc"]) or "(document)"
        problems.append(FieldProblem(field=location, rule=item["type"], message=item["msg"]))
    return problems


def parse(raw: bytes, model: type[DocumentT]) -> DocumentT:
    """Parse a JSON document, raising InputError that names every bad field and rule."""
    try:
        return model.model_validate_json(raw)
    except ValidationError as error:
        raise InputError(_problems(error), summary=f"invalid {model.__name__}") from error


def parse_booking(raw: bytes) -> BookingDocument:
    return parse(raw, BookingDocument)


def booking_of(submission: Submission) -> BookingDocument:
    """The booking a submission carries, whatever form it came in (JSON, ANSI/NIST CAR)."""
    parser = BOOKING_PARSERS.get(submission.content_type)
    if parser is None:
        problem = FieldProblem(
            "content_type", "unsupported", f"cannot read bookings sent as {submission.content_type}"
        )
        raise InputError([problem], summary="unsupported submission format")
    return parser(submission.raw)


# content type -> parser from raw bytes; each raises InputError naming fields and rules
BOOKING_PARSERS: dict[str, Callable[[bytes], BookingDocument]] = {
    JSON_CONTENT: parse_booking,
    ANSI_NIST_CONTENT: booking_from_car,  # CAR/CNA files: see securecomm.booking.car
}


def parse_disposition(raw: bytes) -> DispositionDocument:
    return parse(raw, DispositionDocument)


def reject(submission: Submission, problems: Sequence[FieldProblem]) -> None:
    submission.state = SubmissionState.REJECTED
    submission.errors = [{"field": p.field, "rule": p.rule, "message": p.message} for p in problems]


def rejected(session: Session, *, limit: int = 100) -> list[Submission]:
    """Submissions kept for review because they failed validation, newest first."""
    query = (
        select(Submission)
        .where(Submission.state == SubmissionState.REJECTED)
        .order_by(Submission.received_at.desc(), Submission.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def to_json(document: BaseModel) -> str:
    return document.model_dump_json()


def summary(submission: Submission) -> dict[str, Any]:
    return {
        "id": submission.id,
        "kind": submission.kind,
        "key": submission.external_key,
        "sender": submission.sender,
        "received_at": submission.received_at.isoformat(),
        "state": submission.state,
        "errors": submission.errors,
        "bytes": len(submission.raw),
    }
