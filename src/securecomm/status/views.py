"""``/api/v1/status``: the status centre's queue of cases the rules could not determine,
and the analyst's finding that resolves one (never a detainer for a citizen)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from securecomm.api.errors import ERROR_RESPONSES
from securecomm.api.pagination import Page, Window, window
from securecomm.api.params import RecordId
from securecomm.api.security import Actor, requires
from securecomm.auth.roles import P
from securecomm.cases import analyst as case_analyst
from securecomm.cases import explain as case_explain
from securecomm.cases.schemas import AnalystFinding, CaseSummary
from securecomm.database import utcnow

router = APIRouter(prefix="/api/v1", tags=["status centre"], responses=ERROR_RESPONSES)

# Level 1 first, then Levels 2 and 3, then no charge level; oldest first within each.
_LEVEL_ORDER = {"level_1": 0, "level_2": 1, "level_3": 2}


class QueueItem(BaseModel):
    case: CaseSummary
    waiting_since: datetime


@router.get("/status/queue", response_model=Page[QueueItem])
def status_queue(
    actor: Annotated[Actor, requires(P.READ_STATUS_QUEUE, personal=True)],
    at: Annotated[Window, Depends(window)],
) -> Page[QueueItem]:
    """Cases waiting for an analyst, by offence level (Level 1 first), then oldest."""
    waiting = case_analyst.analyst_queue(actor.session)
    waiting.sort(key=lambda case: (_LEVEL_ORDER.get(case.match_level or "", 3), case.opened_at))
    page = waiting[at.offset : at.offset + at.limit]
    actor.touched(*(f"case:{case.id}" for case in page))
    items = [
        QueueItem(case=case_explain.summary_of(actor.session, case), waiting_since=case.opened_at)
        for case in page
    ]
    return Page(items=items, total=len(waiting), limit=at.limit, offset=at.offset)


@router.post("/status/queue/{case_id}/resolve", response_model=CaseSummary)
def resolve(
    case_id: RecordId,
    finding: AnalystFinding,
    request: Request,
    actor: Annotated[Actor, requires(P.DECIDE_STATUS, personal=True)],
) -> CaseSummary:
    """An analyst's status finding: a citizen ends with no action; otherwise priority and
    the detainer decision are taken again under the scheme in force today."""
    case = case_analyst.resolve_analyst_review(
        actor.session,
        case_id=case_id,
        finding=finding,
        analyst=actor.user.username,
        at=utcnow(),
        officers_decide=bool(getattr(request.app.state, "officers_decide", True)),
    )
    return case_explain.summary_of(actor.session, case)
