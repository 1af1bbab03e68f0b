"""Redress pages: the public complaint form with the process in plain language and the
status lookup (no sign-in), and the redress officer's queue and complaint page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from securecomm.api.params import RecordId
from securecomm.api.security import PUBLIC, Actor, page
from securecomm.auth.roles import P
from securecomm.domain import StatusCategory
from securecomm.exceptions import NotFoundError
from securecomm.oversight import redress_views
from securecomm.oversight.models import ComplaintKind, ComplaintState
from securecomm.oversight.redress_views import AnswerIn, ComplaintIn, CorrectionIn, NoteIn
from securecomm.web.render import page as render
from securecomm.web.render import see_other

router = APIRouter(include_in_schema=False)

KIND_TITLES = {
    ComplaintKind.WRONG_IDENTITY: "My fingerprints were matched to someone else",
    ComplaintKind.CITIZEN_DETAINED: "I am a U.S. citizen and was held or questioned",
    ComplaintKind.DETAINER_IN_ERROR: "A detainer was lodged against me in error",
    ComplaintKind.MISTREATMENT: "I was mistreated in custody",
    ComplaintKind.DISCRETION_REQUEST: "I ask ICE to exercise prosecutorial discretion",
}


@router.get("/redress")
def redress_form(request: Request, actor: Annotated[Actor, page(PUBLIC)]) -> Response:
    return render(request, actor, "redress_form.html", title="Make a complaint", kinds=KIND_TITLES)


@router.post("/redress")
def file_complaint(
    request: Request,
    actor: Annotated[Actor, page(PUBLIC, form=True)],
    kind: Annotated[ComplaintKind, Form()],
    filed_by: Annotated[str, Form(max_length=16)],
    complainant: Annotated[str, Form(max_length=120)],
    contact: Annotated[str, Form(max_length=200)],
    statement: Annotated[str, Form(max_length=4000)],
    booking_tcn: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    body = ComplaintIn.model_validate(
        {
            "kind": kind,
            "filed_by": filed_by,
            "complainant": complainant,
            "contact": contact,
            "statement": statement,
            "booking_tcn": booking_tcn.strip().upper() or None,
        }
    )
    receipt = redress_views.file_complaint(body, request, actor)
    return render(
        request, actor, "redress_receipt.html", title="Complaint received", receipt=receipt
    )


@router.get("/redress/status")
def complaint_status(
    request: Request,
    actor: Annotated[Actor, page(PUBLIC)],
    reference: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    found, missing = None, False
    if reference:
        try:
            found = redress_views.complaint_status(reference.strip().upper(), request, actor)
        except NotFoundError:
            missing = True
    return render(
        request,
        actor,
        "redress_status.html",
        title="Where is my complaint?",
        reference=reference,
        found=found,
        missing=missing,
    )


@router.get("/complaints")
def complaints_page(
    request: Request,
    actor: Annotated[Actor, page(P.READ_COMPLAINTS, personal=True)],
    state: Annotated[ComplaintState | None, Query()] = None,
) -> Response:
    found = redress_views.list_complaints(actor, state)
    return render(request, actor, "complaints.html", title="Complaints", complaints=found)


@router.get("/complaints/{complaint_id}")
def complaint_page(
    complaint_id: RecordId,
    request: Request,
    actor: Annotated[Actor, page(P.READ_COMPLAINTS, personal=True)],
) -> Response:
    complaint = redress_views.get_complaint(complaint_id, actor)
    return render(
        request,
        actor,
        "complaint.html",
        title=f"Complaint {complaint.reference}",
        c=complaint,
        kinds=KIND_TITLES,
        citizen_statuses=[s for s in StatusCategory if s.is_citizen],
    )


Worker = Annotated[Actor, page(P.WORK_COMPLAINTS, personal=True, form=True)]


@router.post("/complaints/{complaint_id}/take-up")
def take_up(complaint_id: RecordId, actor: Worker) -> Response:
    redress_views.take_up(complaint_id, actor)
    return see_other(f"/complaints/{complaint_id}")


@router.post("/complaints/{complaint_id}/correct")
def correct(
    complaint_id: RecordId,
    actor: Worker,
    note: Annotated[str, Form(max_length=1000)],
    wrong_match: Annotated[bool, Form()] = False,
    split_identity: Annotated[bool, Form()] = False,
    merge_with: Annotated[str, Form(max_length=12)] = "",
    lift_detainer: Annotated[bool, Form()] = False,
    citizen: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    body = CorrectionIn.model_validate(
        {
            "note": note,
            "wrong_match": wrong_match,
            "split_identity": split_identity,
            "merge_with": merge_with.strip() or None,
            "lift_detainer": lift_detainer,
            "citizen": citizen or None,
        }
    )
    redress_views.correct(complaint_id, body, actor)
    return see_other(f"/complaints/{complaint_id}")


@router.post("/complaints/{complaint_id}/decide")
def decide(
    complaint_id: RecordId,
    actor: Worker,
    outcome: Annotated[str, Form(pattern="^(not_confirmed|referred)$")],
    note: Annotated[str, Form(max_length=1000)],
) -> Response:
    body = NoteIn.model_validate({"note": note})
    if outcome == "referred":
        redress_views.refer(complaint_id, body, actor)
    else:
        redress_views.not_confirmed(complaint_id, body, actor)
    return see_other(f"/complaints/{complaint_id}")


@router.post("/complaints/{complaint_id}/answer")
def answer(
    complaint_id: RecordId, actor: Worker, text: Annotated[str, Form(max_length=4000)]
) -> Response:
    redress_views.answer(complaint_id, AnswerIn.model_validate({"text": text}), actor)
    return see_other(f"/complaints/{complaint_id}")
