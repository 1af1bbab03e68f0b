"""The federal side's pages: the status centre's queue, the field office's queue with
each hold clock, the case with every decision's reasons, and the examiner's comparison."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import Response

from securecomm.api.pagination import Window
from securecomm.api.params import RecordId
from securecomm.api.security import Actor, page
from securecomm.auth.roles import P
from securecomm.cases import views as case_views
from securecomm.cases.schemas import parse_finding
from securecomm.domain import StatusCategory
from securecomm.interop import views as interop_views
from securecomm.status import views as status_views
from securecomm.status.rules import PROBABLE_CAUSE_BASES
from securecomm.web import drawing
from securecomm.web.render import page as render
from securecomm.web.render import see_other

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


@router.get("/status-queue")
def status_queue_page(
    request: Request,
    actor: Annotated[Actor, page(P.READ_STATUS_QUEUE, personal=True)],
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    queue = status_views.status_queue(actor, Window(limit=PAGE_SIZE, offset=offset))
    return render(request, actor, "status_queue.html", title="Status queue", queue=queue)


@router.get("/status-queue/{case_id}")
def status_case_page(
    case_id: RecordId,
    request: Request,
    actor: Annotated[Actor, page(P.READ_STATUS_QUEUE, personal=True)],
) -> Response:
    explanation = case_views.get_case(case_id, actor)
    return render(
        request,
        actor,
        "status_case.html",
        title=f"Determine status: case {case_id}",
        explanation=explanation,
        categories=[c for c in StatusCategory if c is not StatusCategory.UNABLE_TO_DETERMINE],
        bases=sorted(PROBABLE_CAUSE_BASES),
    )


@router.post("/status-queue/{case_id}")
def resolve_status(
    case_id: RecordId,
    request: Request,
    actor: Annotated[Actor, page(P.DECIDE_STATUS, personal=True, form=True)],
    category: Annotated[str, Form(max_length=40)],
    evidence: Annotated[str, Form(max_length=250)],
    removable: Annotated[str, Form(pattern="^(yes|no)$")] = "no",
    probable_cause: Annotated[str, Form(max_length=60)] = "",
) -> Response:
    """The analyst's finding: the case goes on under the rules (never a detainer for a
    citizen); every field that does not fit is named."""
    finding = parse_finding(
        {
            "category": category,
            "removable": removable == "yes",
            "probable_cause": probable_cause or None,
            "evidence": evidence,
        }
    )
    status_views.resolve(case_id, finding, request, actor)
    return see_other(f"/cases/{case_id}")


@router.get("/work-queue")
def work_queue_page(
    request: Request,
    actor: Annotated[Actor, page(P.READ_CASES, personal=True)],
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    queue = case_views.work_queue(actor, Window(limit=PAGE_SIZE, offset=offset))
    return render(request, actor, "work_queue.html", title="Field office queue", queue=queue)


@router.get("/cases/{case_id}")
def case_page(
    case_id: RecordId, request: Request, actor: Annotated[Actor, page(P.READ_CASES, personal=True)]
) -> Response:
    explanation = case_views.get_case(case_id, actor)
    return render(request, actor, "case.html", title=f"Case {case_id}", explanation=explanation)


@router.post("/cases/{case_id}/lodge")
def lodge(
    case_id: RecordId, actor: Annotated[Actor, page(P.LODGE_DETAINER, personal=True, form=True)]
) -> Response:
    case_views.lodge_detainer(case_id, actor)
    return see_other(f"/cases/{case_id}")


@router.post("/cases/{case_id}/approve")
def approve(
    case_id: RecordId, actor: Annotated[Actor, page(P.APPROVE_DETAINER, personal=True, form=True)]
) -> Response:
    case_views.approve_detainer(case_id, actor)
    return see_other(f"/cases/{case_id}")


@router.post("/cases/{case_id}/decline")
def decline(
    case_id: RecordId,
    actor: Annotated[Actor, page(P.LODGE_DETAINER, personal=True, form=True)],
    reason: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    case_views.decline_detainer(
        case_id, case_views.ReasonIn.model_validate({"reason": reason}), actor
    )
    return see_other(f"/cases/{case_id}")


@router.post("/cases/{case_id}/lift")
def lift(
    case_id: RecordId,
    actor: Annotated[Actor, page(P.LIFT_DETAINER, personal=True, form=True)],
    reason: Annotated[str, Form(max_length=300)] = "",
    citizen_found: Annotated[str, Form(pattern="^(yes|no)$")] = "no",
) -> Response:
    body = case_views.LiftIn.model_validate(
        {"reason": reason, "citizen_found": citizen_found == "yes"}
    )
    case_views.lift_detainer(case_id, body, actor)
    return see_other(f"/cases/{case_id}")


@router.get("/examiner")
def examiner_queue_page(
    request: Request,
    actor: Annotated[Actor, page(P.READ_EXAMINER_QUEUE, personal=True)],
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    queue = interop_views.examiner_queue(actor, Window(limit=PAGE_SIZE, offset=offset))
    return render(request, actor, "examiner_queue.html", title="Examiner queue", queue=queue)


@router.get("/examiner/{review_id}")
def comparison_page(
    review_id: RecordId,
    request: Request,
    actor: Annotated[Actor, page(P.READ_EXAMINER_QUEUE, personal=True)],
) -> Response:
    comparison = interop_views.comparison_of(actor, review_id)
    figures = [drawing.side_by_side(review_id, finger) for finger in comparison.fingers]
    return render(
        request,
        actor,
        "comparison.html",
        title=f"Comparison {review_id}",
        comparison=comparison,
        figures=figures,
    )


@router.get("/examiner/{review_id}/images/{side}/{finger}.png")
def comparison_image(
    review_id: RecordId,
    side: Literal["probe", "candidate"],
    finger: Annotated[int, Path(ge=1, le=10)],
    actor: Annotated[Actor, page(P.READ_EXAMINER_QUEUE, personal=True)],
) -> Response:
    return interop_views.examiner_image(review_id, side, finger, actor)


@router.post("/examiner/{review_id}")
def examiner_decide(
    review_id: RecordId,
    actor: Annotated[Actor, page(P.EXAMINE_PRINTS, personal=True, form=True)],
    decision: Annotated[str, Form(pattern="^(confirm|reject)$")],
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    body = interop_views.ExaminerDecisionIn(confirm=decision == "confirm", note=note)
    interop_views.examiner_decide(review_id, body, actor)
    return see_other("/examiner")
