"""Intake: store every inbound message raw first, then parse it with field-level errors."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from securecomm.audit import service as audit_service
from securecomm.booking.car import ANSI_NIST_CONTENT
from securecomm.booking.car_reading import booking_from_car
from securecomm.booking.limits import KEPT_PREFIX_BYTES, IntakeLimits, depth_problem, size_problem
from securecomm.booking.models import Submission, SubmissionKind, SubmissionState
from securecomm.booking.schemas import BookingDocument, DispositionDocument, ReleaseDocument
from securecomm.database import utcnow
from securecomm.database.notify import announce_work
from securecomm.database.paging import page_of
from securecomm.exceptions import FieldProblem, IllegalTransitionError, InputError, NotFoundError

DocumentT = TypeVar("DocumentT", bound=BaseModel)

JSON_CONTENT = "application/json"
# Steps a failure can stop at before anything of the submission was stored by the flow.
NOT_STARTED_STEPS = frozenset({"", "claim", "accept", "disposition:received", "release:received"})


def _digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _external_key(raw: bytes, limits: IntakeLimits) -> str:
    """The TCN when one can be read, else a digest of the bytes (so resending is idempotent).
    Only a JSON text within the size and depth limits is looked into."""
    tcn = None
    if len(raw) <= limits.max_json_bytes and depth_problem(raw, limits) is None:
        try:
            tcn = json.loads(raw).get("tcn")
        except (ValueError, AttributeError, RecursionError):
            tcn = None
    if isinstance(tcn, str) and 0 < len(tcn) <= 40:
        return tcn
    return "sha256:" + _digest(raw)[:64]


def receive(
    session: Session,
    *,
    kind: SubmissionKind,
    raw: bytes,
    event_at: datetime,
    seq: int = 0,
    sender: str | None = None,
    content_type: str = JSON_CONTENT,
    tcn: str | None = None,
    raw_size: int | None = None,
    limits: IntakeLimits | None = None,
) -> tuple[Submission, bool]:
    """Store a submission unless the same one (kind and TCN, same bytes) was received.

    Returns the stored submission and whether it is new. ``tcn`` is the TCN read off the
    envelope when the caller has it (a CAR's 1.009); ``raw_size`` the true size when
    ``raw`` is only the first part of a larger file. What is wrong with the submission
    itself (too large; a TCN already used by a different file) is recorded in its
    ``errors`` and rejected with an ERRT when the worker takes it; both files are kept.
    """
    limits = limits or IntakeLimits.from_settings()
    size = raw_size if raw_size is not None else len(raw)
    too_big = size_problem(size, limits, is_json=content_type == JSON_CONTENT)
    if too_big is not None:
        raw = raw[:KEPT_PREFIX_BYTES]
    key = tcn if tcn and len(tcn) <= 40 else _external_key(raw, limits)
    problems = [too_big] if too_big is not None else []
    existing = session.scalar(
        select(Submission).where(Submission.kind == kind, Submission.external_key == key)
    )
    if existing is not None:
        if existing.raw == raw and existing.raw_size == (size if too_big else None):
            return existing, False
        problems.append(_reused(key, existing))
        key = f"{key[:40]}~{_digest(raw)[:24]}"
        again = session.scalar(
            select(Submission).where(Submission.kind == kind, Submission.external_key == key)
        )
        if again is not None:
            return again, False  # the same conflicting file sent twice
    submission = Submission(
        kind=kind,
        external_key=key,
        sender=sender,
        event_at=event_at,
        seq=seq,
        content_type=content_type,
        raw=raw,
        raw_size=size if too_big is not None else None,
        state=SubmissionState.RECEIVED,
        errors=[_problem_json(problem) for problem in problems],
    )
    session.add(submission)
    session.flush()
    announce_work(session)
    return submission, True


def _reused(key: str, first: Submission) -> FieldProblem:
    return FieldProblem(
        "1.009 TCN",
        "securecomm.tcn_reused",
        f"TCN {key} was first used by submission {first.id} received "
        f"{first.received_at.isoformat(timespec='seconds')}; a different file may not reuse it",
    )


def _problem_json(problem: FieldProblem) -> dict[str, str]:
    return {"field": problem.field, "rule": problem.rule, "message": problem.message}


def receipt_problems(submission: Submission) -> list[FieldProblem]:
    """What was already wrong when the submission arrived (see :func:`receive`)."""
    return [FieldProblem(p["field"], p["rule"], p["message"]) for p in submission.errors]


def _problems(error: ValidationError) -> list[FieldProblem]:
    problems = []
    for item in error.errors(include_url=False):
        location = ".".join(str(part) for part in item["loc"]) or "(document)"
        problems.append(FieldProblem(field=location, rule=item["type"], message=item["msg"]))
    return problems


def parse(raw: bytes, model: type[DocumentT]) -> DocumentT:
    """Parse a JSON document, raising InputError that names every bad field and rule.
    A text past the size or nesting limit is refused before it is parsed."""
    limits = IntakeLimits.from_settings()
    refused = size_problem(len(raw), limits, is_json=True) or depth_problem(raw, limits)
    if refused is not None:
        raise InputError([refused], summary=f"invalid {model.__name__}")
    try:
        return model.model_validate_json(raw)
    except ValidationError as error:
        raise InputError(_problems(error), summary=f"invalid {model.__name__}") from error


def parse_booking(raw: bytes) -> BookingDocument:
    return parse(raw, BookingDocument)


def booking_of(submission: Submission) -> BookingDocument:
    """The booking a submission carries, whatever form it came in (JSON, ANSI/NIST CAR)."""
    if submission.raw_size is not None:  # only the first bytes of an oversized file are kept
        raise InputError(receipt_problems(submission), summary="submission too large")
    parser = BOOKING_PARSERS.get(submission.content_type)
    if parser is None:
        problem = FieldProblem(
            "content_type", "unsupported", f"cannot read bookings sent as {submission.content_type}"
        )
        raise InputError([problem], summary="unsupported submission format")
    key = (submission.content_type, _digest(submission.raw))
    with _PARSED_LOCK:
        found = _PARSED.get(key)
        if found is not None:
            _PARSED.move_to_end(key)
            return found
    document = parser(submission.raw)
    with _PARSED_LOCK:
        _PARSED[key] = document
        if len(_PARSED) > PARSED_KEPT:
            _PARSED.popitem(last=False)
    return document


# Bookings read lately, by their bytes' digest. The flow reads a booking at several of
# its steps, and checking a CAR against every ANSI/NIST field rule costs milliseconds;
# the bytes of a submission never change and the document is frozen, so one reading
# serves them all.
PARSED_KEPT = 256
_PARSED: OrderedDict[tuple[str, str], BookingDocument] = OrderedDict()
_PARSED_LOCK = threading.Lock()


# content type -> parser from raw bytes; each raises InputError naming fields and rules
BOOKING_PARSERS: dict[str, Callable[[bytes], BookingDocument]] = {
    JSON_CONTENT: parse_booking,
    ANSI_NIST_CONTENT: booking_from_car,  # CAR/CNA files: see securecomm.booking.car
}


def parse_disposition(raw: bytes) -> DispositionDocument:
    return parse(raw, DispositionDocument)


def parse_release(raw: bytes) -> ReleaseDocument:
    return parse(raw, ReleaseDocument)


def parse_followup(kind: SubmissionKind, raw: bytes) -> ReleaseDocument | DispositionDocument:
    """A release before trial or a court's disposition, by the submission's kind."""
    return parse_release(raw) if kind is SubmissionKind.RELEASE else parse_disposition(raw)


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


_KEPT = (SubmissionState.REJECTED, SubmissionState.FAILED)


def kept_for_review(session: Session, *, limit: int = 100) -> list[Submission]:
    """Rejected and failed submissions, newest first: nothing refused is ever dropped."""
    return kept_for_review_page(session, limit=limit, offset=0)[0]


def kept_for_review_page(
    session: Session, *, limit: int, offset: int
) -> tuple[list[Submission], int]:
    """One page of :func:`kept_for_review`, and how many there are."""
    query = (
        select(Submission)
        .where(Submission.state.in_(_KEPT))
        .order_by(Submission.received_at.desc(), Submission.id.desc())
    )
    return page_of(session, query, limit=limit, offset=offset)


def retry(session: Session, *, submission_id: int, operator: str = "operator") -> Submission:
    """Put a failed submission back in the queue where it stopped (its raw is intact)."""
    submission = session.get(Submission, submission_id)
    if submission is None:
        raise NotFoundError(f"no submission {submission_id}")
    if submission.state is not SubmissionState.FAILED:
        raise IllegalTransitionError("submission", str(submission.state), "retried")
    # The guard records the step it stopped at: before the booking was accepted (or the
    # disposition applied) it starts again from receipt, otherwise where it stopped.
    stopped_at = str(submission.failure.get("step", ""))
    started = bool(submission.step) or stopped_at not in NOT_STARTED_STEPS
    submission.state = SubmissionState.PROCESSING if started else SubmissionState.RECEIVED
    audit_service.record(
        session,
        kind="submission.retried",
        actor=operator,
        occurred_at=utcnow(),
        summary=f"submission {submission.id} sent round again after {submission.failure}",
    )
    submission.failure = {}
    return submission


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
        "failure": submission.failure,
        "bytes": submission.raw_size or len(submission.raw),
    }
