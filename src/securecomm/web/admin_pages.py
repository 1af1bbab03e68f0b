"""Pages for auditors and administrators: the audit log with its verification, users,
agencies, refused submissions; and the statistics for everyone allowed to read them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from securecomm.api.pagination import Window
from securecomm.api.params import RecordId
from securecomm.api.security import Actor, page
from securecomm.audit import views as audit_views
from securecomm.auth import views as auth_views
from securecomm.auth.roles import ROLE_TITLES, P, Role
from securecomm.auth.schemas import AgencyIn, UserIn
from securecomm.booking import views as booking_views
from securecomm.domain import AgencyRole
from securecomm.oversight import views as oversight_views
from securecomm.web.render import page as render
from securecomm.web.render import see_other

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


@router.get("/audit")
def audit_page(
    request: Request,
    actor: Annotated[Actor, page(P.READ_AUDIT_LOG, personal=True)],
    kind: Annotated[str | None, Query(max_length=64)] = None,
    who: Annotated[str | None, Query(max_length=64)] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    """The log, newest first, and whether it verifies (every hash, link and signature)."""
    events = audit_views.list_events(
        actor, Window(limit=PAGE_SIZE, offset=offset), kind or None, who or None, None
    )
    verification = audit_views.verify(actor) if actor.user.can(P.VERIFY_AUDIT_LOG) else None
    return render(
        request,
        actor,
        "audit.html",
        title="Audit log",
        events=events,
        verification=verification,
        kind=kind or "",
        who=who or "",
    )


@router.get("/admin/users")
def users_page(
    request: Request,
    actor: Annotated[Actor, page(P.READ_USERS, personal=True)],
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    return _users(request, actor, offset)


def _users(request: Request, actor: Actor, offset: int = 0, *, created: object = None) -> Response:
    users = auth_views.list_users(actor, Window(limit=PAGE_SIZE, offset=offset))
    agencies = auth_views.list_agencies(actor, Window(limit=500, offset=0))
    return render(
        request,
        actor,
        "users.html",
        title="Users",
        users=users,
        agencies=agencies.items,
        roles=[(role.value, ROLE_TITLES[role]) for role in Role],
        created=created,
    )


@router.post("/admin/users")
def add_user(
    request: Request,
    actor: Annotated[Actor, page(P.MANAGE_USERS, personal=True, form=True)],
    username: Annotated[str, Form(max_length=64)],
    full_name: Annotated[str, Form(max_length=200)],
    agency: Annotated[str, Form(max_length=9)],
    roles: Annotated[list[str], Form()],
) -> Response:
    """Add a user; the one-time password is shown on this page once."""
    body = UserIn.model_validate(
        {"username": username, "full_name": full_name, "agency": agency, "roles": roles}
    )
    created = auth_views.add_user(body, actor)
    return _users(request, actor, created=created)


@router.post("/admin/users/{username}/disable")
def disable_user(
    username: str, actor: Annotated[Actor, page(P.MANAGE_USERS, personal=True, form=True)]
) -> Response:
    auth_views.disable_user(username, actor)
    return see_other("/admin/users")


@router.post("/admin/users/{username}/reset")
def reset_password(
    username: str,
    request: Request,
    actor: Annotated[Actor, page(P.MANAGE_USERS, personal=True, form=True)],
) -> Response:
    created = auth_views.reset_password(username, actor)
    return _users(request, actor, created=created)


@router.get("/admin/agencies")
def agencies_page(
    request: Request,
    actor: Annotated[Actor, page(P.READ_AGENCIES)],
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    agencies = auth_views.list_agencies(actor, Window(limit=PAGE_SIZE, offset=offset))
    return render(
        request,
        actor,
        "agencies.html",
        title="Agencies",
        agencies=agencies,
        kinds=list(AgencyRole),
    )


@router.post("/admin/agencies")
def add_agency(
    actor: Annotated[Actor, page(P.MANAGE_AGENCIES, form=True)],
    ori: Annotated[str, Form(max_length=9)],
    name: Annotated[str, Form(max_length=200)],
    role: Annotated[str, Form(max_length=32)],
    state: Annotated[str, Form(max_length=2)] = "",
    jurisdiction: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    body = AgencyIn.model_validate(
        {
            "ori": ori,
            "name": name,
            "role": role,
            "state": state or None,
            "jurisdiction": jurisdiction or None,
        }
    )
    auth_views.add_agency(body, actor)
    return see_other("/admin/agencies")


@router.get("/admin/review")
def review_page(
    request: Request,
    actor: Annotated[Actor, page(P.REVIEW_SUBMISSIONS, personal=True)],
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    queue = booking_views.review_queue(actor, Window(limit=PAGE_SIZE, offset=offset))
    return render(request, actor, "review.html", title="Refused submissions", queue=queue)


@router.post("/admin/review/{submission_id}/retry")
def retry(
    submission_id: RecordId,
    request: Request,
    actor: Annotated[Actor, page(P.RETRY_SUBMISSION, personal=True, form=True)],
) -> Response:
    booking_views.retry_one(actor, submission_id)
    runner = getattr(request.app.state, "worker", None)
    if runner is not None:
        runner.wake()
    return see_other("/admin/review")


@router.get("/statistics")
def statistics_page(request: Request, actor: Annotated[Actor, page(P.READ_STATISTICS)]) -> Response:
    stats = oversight_views.get_statistics(actor)
    return render(request, actor, "statistics.html", title="Statistics", stats=stats)
