"""``/api/v1/dispositions``: the court's disposition and the release; ``/api/v1/releases``:
a release before trial. Each names one of the sender's bookings by its TCN; only the
agency that booked the person (or its state bureau) may send it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from securecomm.api.errors import ERROR_RESPONSES, PayloadTooLargeError
from securecomm.api.security import Actor, requires
from securecomm.auth.roles import P
from securecomm.auth.scope import submission_scope
from securecomm.booking import service as booking_service
from securecomm.booking.limits import IntakeLimits, size_problem
from securecomm.booking.models import Submission, SubmissionKind
from securecomm.booking.schemas import SubmissionOut
from securecomm.booking.views import read_body, submission_out, wake_worker
from securecomm.exceptions import NotFoundError
from securecomm.interop import service as interop_service

router = APIRouter(prefix="/api/v1", tags=["bookings"], responses=ERROR_RESPONSES)


def _document_body(description: str) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    }


@router.post(
    "/dispositions",
    status_code=202,
    response_model=SubmissionOut,
    openapi_extra=_document_body(
        "A disposition document: the TCN of one of your bookings, each charge's outcome, "
        "the release from local custody (absent when the person was released before trial "
        "and the sentence keeps nobody in custody)."
    ),
)
async def submit_disposition(
    request: Request,
    background: BackgroundTasks,
    actor: Annotated[Actor, requires(P.SUBMIT_BOOKING, personal=True)],
) -> Any:
    """The court's disposition of a booking's charges and the release: checked, stored."""
    return await _submit_followup(request, background, actor, SubmissionKind.DISPOSITION)


@router.post(
    "/releases",
    status_code=202,
    response_model=SubmissionOut,
    openapi_extra=_document_body(
        "A release document: the TCN of one of your bookings, when the person was released "
        "before trial and on what basis (bail, own_recognisance, citation)."
    ),
)
async def submit_release(
    request: Request,
    background: BackgroundTasks,
    actor: Annotated[Actor, requires(P.SUBMIT_BOOKING, personal=True)],
) -> Any:
    """A release before trial (the court's disposition follows): checked, stored. Any
    detainer is answered at this release."""
    return await _submit_followup(request, background, actor, SubmissionKind.RELEASE)


async def _submit_followup(
    request: Request, background: BackgroundTasks, actor: Actor, kind: SubmissionKind
) -> Any:
    limits = IntakeLimits.from_settings()
    raw, raw_size = await read_body(request, limits.max_json_bytes)
    submission, new = await run_in_threadpool(_accept_followup, actor, raw, raw_size, kind)
    wake_worker(request, background)
    body = submission_out(submission, new=new).model_dump(mode="json")
    return JSONResponse(body, status_code=202 if new else 200)


def _accept_followup(
    actor: Actor, raw: bytes, raw_size: int | None, kind: SubmissionKind
) -> tuple[Submission, bool]:
    """Parsed before it is stored: a disposition or a release names a booking, and only
    the agency that booked the person (or its bureau) may send it."""
    if raw_size is not None:
        too_big = size_problem(raw_size, IntakeLimits.from_settings(), is_json=True)
        raise PayloadTooLargeError([too_big] if too_big else [], summary=f"{kind} too large")
    document = booking_service.parse_followup(kind, raw)
    tcn, event_at = document.tcn, document.event_at
    transaction = interop_service.transaction_by_tcn(actor.session, tcn)
    if not submission_scope(actor.session, actor.user).covers(transaction.ori):
        raise NotFoundError(f"no transaction {tcn}")
    submission, new = booking_service.receive(
        actor.session, kind=kind, raw=raw, event_at=event_at, sender=transaction.ori
    )
    if new:
        submission.submitted_by = actor.user.username
    actor.session.flush()
    actor.touched(f"submission:{submission.id}", f"transaction:{transaction.tcn}")
    return submission, new
