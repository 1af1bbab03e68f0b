"""Accepting a received booking: a transaction, or an ERRT naming every problem."""

from __future__ import annotations

from sqlalchemy.orm import Session

from securecomm.audit import service as audit_service
from securecomm.auth import service as auth_service
from securecomm.biometrics import Template, TemplateError
from securecomm.booking import service as booking_service
from securecomm.booking.models import Submission, SubmissionState
from securecomm.booking.schemas import BookingDocument
from securecomm.database.rows import by_unique
from securecomm.domain import AgencyRole
from securecomm.exceptions import FieldProblem, InputError, NotFoundError
from securecomm.interop import outbox
from securecomm.interop.addresses import answer_folder
from securecomm.interop.context import State, answers_sender, audit_step
from securecomm.interop.models import Transaction


def accept_booking(session: Session, submission: Submission) -> Transaction | None:
    """Validate a received booking: a transaction on success, an ERRT and the raw kept
    for review on failure."""
    try:
        refused = booking_service.receipt_problems(submission)
        if refused:  # too large, or a TCN another file already used
            raise InputError(refused)
        document = booking_service.booking_of(submission)
        _check_prints_decode(document)
        _check_tcn_unused(session, document.tcn)
        jurisdiction_id = _jurisdiction_of(session, document.ori)
    except InputError as error:
        _reject(session, submission, error.problems)
        return None
    transaction = Transaction(
        tcn=document.tcn,
        submission_id=submission.id,
        ori=document.ori,
        jurisdiction_id=jurisdiction_id,
        booked_at=document.booked_at,
        state=State.VALIDATED,
        arresting_officer=document.arresting_officer,
        subject_race=document.race,
        place_of_birth=document.place_of_birth,
    )
    session.add(transaction)
    session.flush()
    submission.state = SubmissionState.PROCESSING
    audit_step(
        session,
        transaction,
        kind="booking.validated",
        actor=document.ori,
        summary=f"booking {document.tcn} validated ({len(document.prints)} fingers)",
    )
    if document.quality_notes:  # NFIQ 2 did not score some print as captured: say why
        audit_step(
            session,
            transaction,
            kind="booking.print_quality",
            actor=document.ori,
            summary=f"{len(document.quality_notes)} prints without a whole-image NFIQ 2 score",
            details={str(finger): note for finger, note in document.quality_notes.items()},
        )
    return transaction


def _check_tcn_unused(session: Session, tcn: str) -> None:
    first = by_unique(session, Transaction, Transaction.tcn, tcn)
    if first is not None:
        problem = FieldProblem(
            "1.009 TCN",
            "securecomm.tcn_reused",
            f"TCN {tcn} was first used by submission {first.submission_id}; "
            "a different file may not reuse it",
        )
        raise InputError([problem])


def _check_prints_decode(document: BookingDocument) -> None:
    problems = []
    for position, data in document.template_bytes().items():
        try:
            Template.from_bytes(data)
        except TemplateError as error:
            problems.append(FieldProblem(f"prints.{position}", "template_unreadable", str(error)))
    if problems:
        raise InputError(problems, summary="unreadable fingerprints")


def _jurisdiction_of(session: Session, ori: str) -> int:
    """The id of the jurisdiction whose local agency ``ori`` is."""
    try:
        agency = auth_service.agency_ref(session, ori)
    except NotFoundError:
        raise InputError(
            [FieldProblem("ori", "unknown_ori", f"no agency with ORI {ori}")]
        ) from None
    if agency.role is not AgencyRole.LOCAL_AGENCY or agency.jurisdiction_id is None:
        problem = FieldProblem("ori", "not_a_booking_agency", f"{ori} is not a local agency")
        raise InputError([problem])
    return agency.jurisdiction_id


def _reject(session: Session, submission: Submission, problems: list[FieldProblem]) -> None:
    booking_service.reject(submission, problems)
    reply_to = answer_folder(submission.sender)  # a sender's ORI only when it is one
    bureau = answers_sender(session)
    outbox.enqueue(
        session,
        message_type="ERRT",
        control_number=submission.external_key,
        sender=bureau,
        recipient=reply_to,
        created_at=submission.event_at,
        payload={
            "tcr": submission.external_key,
            "messages": [str(problem)[:300] for problem in problems[:11]],
            "problems": [
                {"field": p.field, "rule": p.rule, "message": p.message} for p in problems
            ],
        },
        submission_id=submission.id,
    )
    audit_service.record(
        session,
        kind="booking.rejected",
        actor=reply_to,
        occurred_at=submission.event_at,
        summary=f"submission {submission.external_key} rejected: {len(problems)} problem(s)",
        details={"problems": [str(p) for p in problems]},
    )
