"""Rendering pages: one Jinja2 environment, the navigation each user's permissions open,
the CSRF token in every form, and refusals as pages people can read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from securecomm.api.errors import Problem
from securecomm.api.security import Actor
from securecomm.auth.accounts import Principal
from securecomm.auth.roles import ROLE_TITLES, P, Permission

environment = Environment(
    loader=PackageLoader("securecomm.web", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _moment(value: datetime | None) -> str:
    if value is None:
        return "—"
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _words(value: object) -> str:
    return str(value or "").replace("_", " ")


environment.filters["moment"] = _moment
environment.filters["words"] = _words


@dataclass(frozen=True)
class NavItem:
    href: str
    label: str
    permission: Permission | None  # None: every signed-in user


# The navigation, in the order a user reads it; each item shows only to those allowed.
NAVIGATION = (
    NavItem("/", "Home", None),
    NavItem("/bookings", "Bookings", P.READ_BOOKINGS),
    NavItem("/bookings/new", "Send a booking", P.SUBMIT_BOOKING),
    NavItem("/status-queue", "Status queue", P.READ_STATUS_QUEUE),
    NavItem("/work-queue", "Field office queue", P.READ_CASES),
    NavItem("/examiner", "Examiner queue", P.READ_EXAMINER_QUEUE),
    NavItem("/statistics", "Statistics", P.READ_STATISTICS),
    NavItem("/oversight/reviews", "Profiling reviews", P.READ_OVERSIGHT),
    NavItem("/complaints", "Complaints", P.READ_COMPLAINTS),
    NavItem("/audit", "Audit log", P.READ_AUDIT_LOG),
    NavItem("/admin/users", "Users", P.READ_USERS),
    NavItem("/admin/agencies", "Agencies", P.READ_AGENCIES),
    NavItem("/admin/review", "Refused submissions", P.REVIEW_SUBMISSIONS),
)


def navigation(principal: Principal | None) -> list[NavItem]:
    if principal is None:
        return []
    return [
        item for item in NAVIGATION if item.permission is None or principal.can(item.permission)
    ]


def can(principal: Principal | None, permission: Permission) -> bool:
    return principal is not None and principal.can(permission)


def page(
    request: Request,
    actor: Actor | None,
    template: str,
    *,
    title: str,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    principal = actor.principal if actor else None
    html = environment.get_template(template).render(
        request=request,
        title=title,
        user=principal,
        role_titles=", ".join(ROLE_TITLES[role] for role in sorted(principal.roles))
        if principal
        else "",
        nav=navigation(principal),
        current=request.url.path,
        csrf_token=actor.csrf_token if actor else "",
        purpose=actor.purpose if actor else "",
        can=lambda permission: can(principal, permission),
        P=P,
        now=datetime.now(UTC),
        **context,
    )
    return HTMLResponse(html, status_code=status_code)


def see_other(path: str) -> RedirectResponse:
    """After a form: go to the page that shows the result (POST, redirect, GET)."""
    return RedirectResponse(path, status_code=303)


def render_refusal(
    request: Request, status: int, code: str, message: str, problems: list[Problem]
) -> Response:
    """A refusal on a page: the sign-in page when not signed in, else a page that says
    what was refused and why (every field and rule)."""
    if status == 401:
        target = quote(request.url.path, safe="/")
        return RedirectResponse(f"/login?next={target}", status_code=303)
    html = environment.get_template("refusal.html").render(
        request=request,
        title=f"{status}: {message}"[:80],
        user=None,
        nav=[],
        current="",
        status=status,
        code=code,
        message=message,
        problems=problems,
        csrf_token="",
    )
    return HTMLResponse(html, status_code=status)
