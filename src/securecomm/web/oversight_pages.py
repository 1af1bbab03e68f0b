"""Oversight pages: the profiling reviews with the monitor's evidence, a supervisor's
decision on each, and the statistics report as a PDF."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from securecomm.api.params import RecordId
from securecomm.api.security import Actor, page
from securecomm.auth.roles import P
from securecomm.oversight import review_views
from securecomm.oversight import views as statistics_views
from securecomm.oversight.models import ReviewState
from securecomm.oversight.review_views import DecisionIn
from securecomm.web.render import page as render
from securecomm.web.render import see_other

router = APIRouter(include_in_schema=False)


@router.get("/oversight/reviews")
def reviews_page(
    request: Request,
    actor: Annotated[Actor, page(P.READ_OVERSIGHT, personal=True)],
    state: Annotated[ReviewState | None, Query()] = None,
) -> Response:
    found = review_views.list_reviews(actor, state)
    return render(
        request, actor, "profiling_reviews.html", title="Profiling reviews", reviews=found
    )


@router.get("/oversight/reviews/{review_id}")
def review_page(
    review_id: RecordId,
    request: Request,
    actor: Annotated[Actor, page(P.READ_OVERSIGHT, personal=True)],
) -> Response:
    review = review_views.get_review(review_id, actor)
    return render(
        request,
        actor,
        "profiling_review.html",
        title=f"Profiling review {review.id}: {review.unit_kind} {review.unit}",
        review=review,
        decisions=[s for s in ReviewState if s is not ReviewState.OPEN],
    )


@router.post("/oversight/reviews/scan")
def scan(actor: Annotated[Actor, page(P.DECIDE_REVIEW, personal=True, form=True)]) -> Response:
    review_views.scan(actor)
    return see_other("/oversight/reviews?state=open")


@router.post("/oversight/reviews/{review_id}/decision")
def decide(
    review_id: RecordId,
    actor: Annotated[Actor, page(P.DECIDE_REVIEW, personal=True, form=True)],
    decision: Annotated[ReviewState, Form()],
    note: Annotated[str, Form(max_length=500)],
) -> Response:
    body = DecisionIn.model_validate({"decision": decision, "note": note})
    review_views.decide(review_id, body, actor)
    return see_other(f"/oversight/reviews/{review_id}")


@router.get("/statistics/report.pdf")
def statistics_pdf(actor: Annotated[Actor, page(P.READ_STATISTICS)]) -> Response:
    return statistics_views.statistics_pdf(actor)
