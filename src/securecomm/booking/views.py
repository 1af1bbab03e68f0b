"""``/api/v1/bookings``: a local agency (or its state bureau) sends booking files and reads
its answers (dispositions and releases: :mod:`.followup_views`);
``/api/v1/submissions/review``: what was refused or failed, for the operators.

A booking is stored exactly as received before anything reads it, answered 202, and
driven through the flow by the worker; sending the same file again returns the first
submission. A file sent for an agency the user does not work for is refused before it
is stored. Agencies see only their own submissions (a state bureau its state's).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from securecomm.api.errors import ERROR_RESPONSES, Problem, error_body
from securecomm.api.pagination import Page, Window, window
from securecomm.api.params import RecordId
from securecomm.api.security import Actor, requires
from securecomm.auth.roles import P
from securecomm.auth.scope import AgencyScope, booking_scope, submission_scope
from securecomm.booking import intake
from securecomm.booking import service as booking_service
from securecomm.booking.limits import KEPT_PREFIX_BYTES, IntakeLimits
from securecomm.booking.models import OPEN_STATES, Submission, SubmissionState
from securecomm.booking.schemas import BookingStateOut, SubmissionOut, SubmissionProblem
from securecomm.cases import explain as case_explain
from securecomm.cases import service as case_service
from securecomm.cases.schemas import DetainerView
from securecomm.database import utcnow
from securecomm.exceptions import FieldProblem, PermissionDeniedError
from securecomm.interop import answers as answer_files
from securecomm.interop import service as interop_service
from securecomm.interop.models import Transaction
from securecomm.interop.schemas import AnswerOut, TimelineEntry

router = APIRouter(prefix="/api/v1", tags=["bookings"], responses=ERROR_RESPONSES)

FILE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The booking file exactly as the booking station wrote it: an "
        "ANSI/NIST-ITL CAR/CNA (Type-1, Type-2, prints) or a JSON booking document.",
        "content": {
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            "application/json": {"schema": {"type": "object"}},
        },
    }
}


class DetainerNotice(DetainerView):
    """A detainer lodged with the agency for this booking."""

    case_id: int


class BookingOut(SubmissionOut):
    flow_state: str | None  # the transaction's state once the booking was accepted
    answers: list[AnswerOut]
    detainer: DetainerNotice | None


def submission_out(submission: Submission, *, new: bool = True) -> SubmissionOut:
    failure = submission.failure.get("error") if submission.failure else None
    return SubmissionOut(
        id=submission.id,
        tcn=submission.external_key,
        kind=submission.kind.value,
        sender=submission.sender,
        content_type=submission.content_type,
        received_at=submission.received_at,
        booked_at=submission.event_at,
        state=submission.state.value,
        new=new,
        problems=[SubmissionProblem(**problem) for problem in submission.errors],
        failure=str(failure) if failure else None,
    )


async def read_body(request: Request, limit: int) -> tuple[bytes, int | None]:
    """The request body, or its first bytes and its size when it is over ``limit``."""
    kept = bytearray()
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size <= limit:
            kept += chunk
        else:
            # The chunk that crosses the limit may be the whole body: its start is kept
            # too (else every oversized file would look like the empty one, a "resend").
            start = min(KEPT_PREFIX_BYTES, limit)  # never more than the limit is stored
            kept += chunk[: max(start - len(kept), 0)]
            declared = int(request.headers.get("content-length") or 0)
            return bytes(kept[:start]), max(size, declared)
    return bytes(kept), None


def _sender_check(actor: Actor, allowed: AgencyScope) -> Any:
    def sender_for(claimed: str | None) -> str:
        if claimed is None:  # unreadable envelope: recorded as sent by the user's agency
            return actor.user.agency_ori
        if not allowed.covers(claimed):
            message = (
                f"this file is sent for ORI {claimed}; {actor.user.username} sends only for "
                f"{', '.join(sorted(allowed.oris or ()))}"
            )
            # The ORI is field 1.008 of an ANSI/NIST file, "ori" of a JSON booking.
            problem = FieldProblem(field="ori", rule="sender.scope", message=message)
            raise PermissionDeniedError(message, [problem])
        return claimed

    return sender_for


def accept_file(
    actor: Actor, raw: bytes, raw_size: int | None, request: Request
) -> tuple[Submission, bool]:
    """Store a booking file for the signed-in user (the API's body, a page's upload)."""
    allowed = submission_scope(actor.session, actor.user)
    submission, new, envelope = intake.store_in(
        actor.session, raw, raw_size=raw_size, sender_for=_sender_check(actor, allowed)
    )
    if new:
        submission.submitted_by = actor.user.username
    if envelope.tcn:
        request.state.tcn = envelope.tcn
    actor.session.flush()
    actor.touched(f"submission:{submission.id}")
    return submission, new


def _receipt_refusal(submission: Submission) -> JSONResponse | None:
    """A file over its size limit, or reusing another file's TCN: kept, and refused now
    (the ERRT follows through the flow)."""
    if not submission.errors:
        return None
    problems = [Problem(**problem) for problem in submission.errors]
    too_big = submission.raw_size is not None
    status, code = (413, "too_large") if too_big else (409, "conflict")
    message = f"submission {submission.id} kept for review but refused"
    return JSONResponse(error_body(status, code, message, problems), status_code=status)


@router.post(
    "/bookings",
    status_code=202,
    response_model=SubmissionOut,
    openapi_extra=FILE_BODY,
    responses={200: {"model": SubmissionOut, "description": "The same file, received before"}},
)
async def submit_booking(
    request: Request,
    background: BackgroundTasks,
    actor: Annotated[Actor, requires(P.SUBMIT_BOOKING, personal=True)],
) -> Any:
    """Send a booking file; 202 once it is stored (answers follow), 200 for a resend."""
    raw, raw_size = await read_body(request, IntakeLimits.from_settings().max_submission_bytes)
    submission, new = await run_in_threadpool(accept_file, actor, raw, raw_size, request)
    refusal = _receipt_refusal(submission) if new else None
    if refusal is not None:
        return refusal
    wake_worker(request, background)
    body = submission_out(submission, new=new).model_dump(mode="json")
    return JSONResponse(body, status_code=202 if new else 200)


def wake_worker(request: Request, background: BackgroundTasks) -> None:
    runner = getattr(request.app.state, "worker", None)
    if runner is not None:
        background.add_task(runner.wake)


@router.get("/bookings", response_model=Page[SubmissionOut])
def list_bookings(
    actor: Annotated[Actor, requires(P.READ_BOOKINGS, personal=True)],
    at: Annotated[Window, Depends(window)],
    state: Annotated[SubmissionState | None, Query()] = None,
) -> Page[SubmissionOut]:
    """The bookings of the agencies you may see, newest first."""
    scope = booking_scope(actor.session, actor.user)
    rows, total = interop_service.bookings(
        actor.session, scope, state=state, limit=at.limit, offset=at.offset
    )
    actor.touched(*(f"submission:{row.id}" for row in rows))
    items = [submission_out(row) for row in rows]
    return Page(items=items, total=total, limit=at.limit, offset=at.offset)


def _detainer_notice(actor: Actor, transaction: Transaction | None) -> DetainerNotice | None:
    case = case_service.case_for_transaction(actor.session, transaction.id) if transaction else None
    view = case_explain.detainer_view(case) if case else None
    if case is None or view is None:
        return None
    return DetainerNotice(**view.model_dump(), case_id=case.id)


@router.get("/bookings/{submission_id}", response_model=BookingOut)
def get_booking(
    submission_id: RecordId, actor: Annotated[Actor, requires(P.READ_BOOKINGS, personal=True)]
) -> BookingOut:
    """One booking: its state, every answer delivered to you, the detainer lodged with you."""
    scope = booking_scope(actor.session, actor.user)
    submission = interop_service.booking(actor.session, scope, submission_id)
    transaction = interop_service.transaction_of(actor.session, submission.id)
    messages = interop_service.answers(actor.session, scope, submission, transaction)
    if transaction is not None:
        actor.touched(f"transaction:{transaction.tcn}")
    return BookingOut(
        **submission_out(submission).model_dump(),
        flow_state=transaction.state.value if transaction else None,
        answers=[AnswerOut.of(message) for message in messages],
        detainer=_detainer_notice(actor, transaction),
    )


@router.get("/bookings/{submission_id}/state", response_model=BookingStateOut)
def get_booking_state(
    submission_id: RecordId, actor: Annotated[Actor, requires(P.READ_BOOKINGS, personal=True)]
) -> BookingStateOut:
    """Where a booking is in the flow, and whether the flow has finished with it: what a
    booking station waiting for its answer asks again and again, read without the file,
    the answers or the case. Once ``final``, ``GET /bookings/{id}`` gives the answers."""
    scope = booking_scope(actor.session, actor.user)
    state = interop_service.booking_state(actor.session, scope, submission_id)
    return BookingStateOut(id=submission_id, state=state.value, final=state not in OPEN_STATES)


@router.get(
    "/bookings/{submission_id}/answers/{message_id}/file",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def answer_file(
    submission_id: RecordId,
    message_id: RecordId,
    actor: Annotated[Actor, requires(P.READ_BOOKINGS, personal=True)],
) -> Response:
    """The answer as the agency receives it: ANSI/NIST (SRE, ERRT, IDR) or Nlets text."""
    scope = booking_scope(actor.session, actor.user)
    submission = interop_service.booking(actor.session, scope, submission_id)
    message = interop_service.answer(actor.session, scope, submission, message_id)
    rendered = answer_files.render_answer(message, answer_files.answer_context(submission, message))
    media = "text/plain" if rendered.name.endswith(".txt") else "application/octet-stream"
    disposition = f'attachment; filename="{rendered.name}"'
    return Response(
        rendered.content, media_type=media, headers={"Content-Disposition": disposition}
    )


@router.get("/bookings/{submission_id}/timeline", response_model=list[TimelineEntry])
def booking_timeline(
    submission_id: RecordId, actor: Annotated[Actor, requires(P.READ_BOOKINGS, personal=True)]
) -> list[TimelineEntry]:
    """What happened to the booking, as the agency can know it."""
    return timeline_of(get_booking(submission_id, actor))


def timeline_of(booking: BookingOut) -> list[TimelineEntry]:
    """The booking's timeline from what its agency was told, in the flow's own time (a
    booking station's clock, or a simulated world's)."""
    entries = [TimelineEntry(at=booking.booked_at, what="booked")]
    if booking.state == SubmissionState.REJECTED:
        entries.append(TimelineEntry(at=booking.booked_at, what="rejected"))
    entries += [
        TimelineEntry(
            at=answer.sent_at,
            what=f"{answer.message_type} sent by {answer.sender}",
            detail=answer.summary,
        )
        for answer in booking.answers
    ]
    notice = booking.detainer
    if notice is not None and notice.responded_at is not None and notice.answered_by:
        entries.append(
            TimelineEntry(
                at=notice.responded_at, what="detainer answered", detail=notice.answered_by
            )
        )
    return sorted(entries, key=lambda entry: entry.at)


# --------------------------------------------------------------------------- review


@router.get("/submissions/review", response_model=Page[SubmissionOut])
def review_queue(
    actor: Annotated[Actor, requires(P.REVIEW_SUBMISSIONS, personal=True)],
    at: Annotated[Window, Depends(window)],
) -> Page[SubmissionOut]:
    """Rejected and failed submissions, newest first: nothing refused is dropped."""
    rows, total = booking_service.kept_for_review_page(
        actor.session, limit=at.limit, offset=at.offset
    )
    actor.touched(*(f"submission:{row.id}" for row in rows))
    items = [submission_out(row) for row in rows]
    return Page(items=items, total=total, limit=at.limit, offset=at.offset)


class Retried(BaseModel):
    submission: SubmissionOut
    retried_at: datetime


@router.post("/submissions/{submission_id}/retry", response_model=Retried)
def retry_submission(
    submission_id: RecordId,
    request: Request,
    background: BackgroundTasks,
    actor: Annotated[Actor, requires(P.RETRY_SUBMISSION, personal=True)],
) -> Retried:
    """Send a failed submission round again, from where it stopped."""
    retried = retry_one(actor, submission_id)
    wake_worker(request, background)
    return retried


def retry_one(actor: Actor, submission_id: int) -> Retried:
    submission = booking_service.retry(
        actor.session, submission_id=submission_id, operator=actor.user.username
    )
    return Retried(submission=submission_out(submission), retried_at=utcnow())
