"""The local agency's pages: its bookings with their answers, sending a booking file,
and answering a detainer lodged with it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import Response

from securecomm.api.pagination import Window
from securecomm.api.params import RecordId
from securecomm.api.security import Actor, page
from securecomm.auth.roles import P
from securecomm.booking import views as booking_views
from securecomm.booking.limits import IntakeLimits
from securecomm.booking.models import SubmissionState
from securecomm.cases import views as case_views
from securecomm.web.render import page as render
from securecomm.web.render import see_other

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


@router.get("/bookings")
def bookings_page(
    request: Request,
    actor: Annotated[Actor, page(P.READ_BOOKINGS, personal=True)],
    state: Annotated[SubmissionState | None, Query()] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    listed = booking_views.list_bookings(actor, Window(limit=PAGE_SIZE, offset=offset), state)
    return render(
        request,
        actor,
        "bookings.html",
        title="Bookings",
        listed=listed,
        state=state,
        states=list(SubmissionState),
    )


@router.get("/bookings/new")
def upload_form(request: Request, actor: Annotated[Actor, page(P.SUBMIT_BOOKING)]) -> Response:
    limit = IntakeLimits.from_settings().max_submission_bytes
    return render(request, actor, "upload.html", title="Send a booking", limit=limit)


@router.post("/bookings/new")
def upload(
    request: Request,
    actor: Annotated[Actor, page(P.SUBMIT_BOOKING, personal=True, form=True)],
    file: Annotated[UploadFile, File()],
) -> Response:
    """Store the file as received; the answers follow on its page."""
    limit = IntakeLimits.from_settings().max_submission_bytes
    raw = file.file.read(limit + 1)
    raw_size = (file.size or len(raw)) if len(raw) > limit else None
    submission, new = booking_views.accept_file(actor, raw[:limit], raw_size, request)
    runner = getattr(request.app.state, "worker", None)
    if runner is not None:
        runner.wake()
    return see_other(f"/bookings/{submission.id}?sent={'new' if new else 'again'}")


@router.get("/bookings/{submission_id}")
def booking_page(
    submission_id: RecordId,
    request: Request,
    actor: Annotated[Actor, page(P.READ_BOOKINGS, personal=True)],
    sent: Annotated[str | None, Query(max_length=8)] = None,
) -> Response:
    booking = booking_views.get_booking(submission_id, actor)
    timeline = booking_views.timeline_of(booking)
    return render(
        request,
        actor,
        "booking.html",
        title=f"Booking {booking.tcn}",
        booking=booking,
        timeline=timeline,
        sent=sent,
    )


@router.get("/bookings/{submission_id}/answers/{message_id}")
def answer_download(
    submission_id: RecordId,
    message_id: RecordId,
    actor: Annotated[Actor, page(P.READ_BOOKINGS, personal=True)],
) -> Response:
    return booking_views.answer_file(submission_id, message_id, actor)


@router.post("/bookings/{submission_id}/detainer")
def answer_detainer(
    submission_id: RecordId,
    actor: Annotated[Actor, page(P.ANSWER_DETAINER, personal=True, form=True)],
    answer: Annotated[str, Form(pattern="^(honour|decline)$")],
    note: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    """Honour or decline the detainer lodged for this booking."""
    booking = booking_views.get_booking(submission_id, actor)
    if booking.detainer is None:
        return see_other(f"/bookings/{submission_id}")
    body = case_views.AnswerIn(honoured=answer == "honour", note=note)
    case_views.answer_detainer(booking.detainer.id, body, actor)
    return see_other(f"/bookings/{submission_id}")
