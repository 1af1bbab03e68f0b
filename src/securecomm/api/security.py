"""The one permission layer: who is calling, may they, and the audit event for it.

Every route declares what it needs where it is declared, with exactly one guard::

    @router.get("/cases/{case_id}")
    def case(case_id: int, actor: Annotated[Actor, requires(P.READ_CASES, personal=True)]):

``requires`` (API: bearer tokens) and ``page`` (pages: the session cookie, and the
CSRF token on every form) authenticate the caller, check the permission, open the
request's unit of work and hand the view an :class:`Actor`. A route that reads or
writes personal data is declared ``personal``: every successful call then lands in
the audit log (who, role, agency, stated purpose, route, the records touched) in the
same commit as its effects, and every refusal lands there too. ``create_app`` refuses
to start when a route declares no guard, so nothing is reachable by omission.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from fastapi import Depends, Form, Request
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy.orm import Session
from starlette.routing import BaseRoute

from securecomm.audit import service as audit_service
from securecomm.auth import accounts
from securecomm.auth.accounts import AuthenticationError, Principal
from securecomm.auth.roles import Permission
from securecomm.database import Database, utcnow
from securecomm.exceptions import PermissionDeniedError, SecurecommError

PUBLIC: Literal["public"] = "public"  # no sign-in (the login page, health checks)
SIGNED_IN: Literal["signed_in"] = "signed_in"  # any signed-in user (their own account)
Requirement = Permission | Literal["public", "signed_in"]
Channel = Literal["api", "page"]

SESSION_COOKIE = "securecomm_session"
PURPOSE_HEADER = "X-Purpose"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class NotSignedInError(AuthenticationError):
    """No valid sign-in came with a request that needs one."""


class CsrfError(PermissionDeniedError):
    """A page form came without this session's CSRF token, or from another origin."""


@dataclass(frozen=True)
class Access:
    """What a route declared: its requirement, channel and whether it touches personal data."""

    requirement: Requirement
    channel: Channel
    personal: bool

    @property
    def label(self) -> str:
        return str(self.requirement)


@dataclass
class Actor:
    """The caller of one request, with the request's unit of work."""

    principal: Principal | None
    session: Session
    purpose: str
    route: str
    channel: Channel
    records: list[str] = field(default_factory=list)
    csrf_token: str | None = None

    @property
    def user(self) -> Principal:
        if self.principal is None:  # only public routes have no principal
            raise NotSignedInError("sign in first")
        return self.principal

    def touched(self, *records: str) -> None:
        """Name the records this request read or changed (for its audit event)."""
        self.records.extend(records)

    @property
    def name(self) -> str:
        return self.principal.username if self.principal else "anonymous"


def _database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def _route_template(request: Request) -> str:
    route = request.scope.get("route")
    return f"{request.method} {getattr(route, 'path', request.url.path)}"


def _path_records(request: Request) -> list[str]:
    return [f"{name}:{value}" for name, value in sorted(request.path_params.items())]


def record_refusal(request: Request, access: Access, principal: Principal | None, why: str) -> None:
    """A refused request is audited in a unit of work of its own (the request's rolls back)."""
    with _database(request).session() as session:
        audit_service.record(
            session,
            kind=f"{access.channel}.denied",
            actor=principal.username if principal else "anonymous",
            role=principal.role_label[:32] if principal else None,
            agency=principal.agency_ori if principal else None,
            purpose=None,
            records=_path_records(request),
            occurred_at=utcnow(),
            summary=f"{_route_template(request)} refused: {why}"[:500],
            details={"route": _route_template(request), "needs": access.label},
        )


class _Guard:
    """Base of the guards; ``access`` is what the route declared (read by ``access_of``)."""

    def __init__(self, access: Access) -> None:
        self.access = access

    def __call__(self, request: Request) -> Iterator[Actor]:
        yield from self._enter(request)

    def _principal(self, request: Request, session: Session) -> tuple[Principal | None, str, str]:
        """The signed-in principal (None on public routes), their stated purpose, and the
        session's CSRF token (pages)."""
        raise NotImplementedError

    def _enter(self, request: Request, form_csrf: str | None = None) -> Iterator[Actor]:
        """Authenticate, authorise, open the unit of work; after the view, audit the access.
        ``form_csrf`` is the CSRF token a page form sent (checked against the session's)."""
        database = _database(request)
        with database.session() as session:
            try:
                principal, purpose, csrf = self._principal(request, session)
            except AuthenticationError:
                if self.access.requirement == PUBLIC:
                    principal, purpose, csrf = None, "", ""
                else:
                    raise
            self._authorise(request, principal)
            actor = Actor(
                principal=principal,
                session=session,
                purpose=request.headers.get(PURPOSE_HEADER, "")[:200] or purpose,
                route=_route_template(request),
                channel=self.access.channel,
                csrf_token=csrf or None,
            )
            if (
                form_csrf is not None
                and principal is not None
                and not hmac.compare_digest(csrf, form_csrf)
            ):
                raise CsrfError("this form has expired or did not come from this site: reload it")
            yield actor
            if self.access.personal:
                _record_access(request, actor)

    def _authorise(self, request: Request, principal: Principal | None) -> None:
        requirement = self.access.requirement
        if requirement == PUBLIC:
            return
        if principal is None:
            raise NotSignedInError("sign in first")
        if requirement == SIGNED_IN:
            return
        if principal.must_change_password:
            record_refusal(request, self.access, principal, "one-time password not changed")
            raise PermissionDeniedError("change your one-time password first")
        if principal.can(Permission(requirement)):
            return
        why = f"needs permission {requirement}"
        record_refusal(request, self.access, principal, why)
        raise PermissionDeniedError(f"your roles do not allow this: it {why}")


def _record_access(request: Request, actor: Actor) -> None:
    principal = actor.user
    write = request.method in UNSAFE_METHODS
    records = list(dict.fromkeys([*_path_records(request), *actor.records]))
    audit_service.record(
        actor.session,
        kind=f"{actor.channel}.{'write' if write else 'read'}",
        actor=principal.username,
        role=principal.role_label[:32],
        agency=principal.agency_ori,
        purpose=actor.purpose or None,
        records=records[:500],
        occurred_at=utcnow(),
        summary=f"{actor.route} ({len(records)} records)",
        details={"route": actor.route, "query": sorted(request.query_params.keys())},
    )


class ApiGuard(_Guard):
    """Bearer token from ``Authorization``; the token's stated purpose unless the request
    states one in ``X-Purpose``."""

    def _principal(self, request: Request, session: Session) -> tuple[Principal | None, str, str]:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise NotSignedInError("send a bearer token (POST /api/v1/auth/token)")
        user, record = accounts.resolve_token(session, token.strip(), kind="api")
        return accounts.principal_of(user), record.purpose, ""


class PageGuard(_Guard):
    """The session cookie; safe methods only (forms go through :class:`PageFormGuard`)."""

    def _principal(self, request: Request, session: Session) -> tuple[Principal | None, str, str]:
        token = request.cookies.get(SESSION_COOKIE)
        if not token:
            raise NotSignedInError("sign in first")
        user, record = accounts.resolve_token(session, token, kind="session")
        return accounts.principal_of(user), record.purpose, record.csrf_token or ""


class PageFormGuard(PageGuard):
    """A page form: the session cookie, this session's CSRF token in the form, and a
    request from this site (Origin, where the browser sends it)."""

    def __call__(
        self, request: Request, csrf_token: Annotated[str, Form()] = ""
    ) -> Iterator[Actor]:
        origin = request.headers.get("origin")
        if origin and origin != f"{request.url.scheme}://{request.url.netloc}":
            raise CsrfError("this form was sent from another site")
        yield from self._enter(request, form_csrf=csrf_token)


def requires(requirement: Requirement, *, personal: bool = False) -> Any:
    """The API guard for a route: ``actor: Annotated[Actor, requires(P.X)]``."""
    return Depends(ApiGuard(Access(requirement, "api", personal)), scope="function")


def page(requirement: Requirement, *, personal: bool = False, form: bool = False) -> Any:
    """The page guard; ``form=True`` for a POST from one of our forms (CSRF checked)."""
    guard = PageFormGuard if form else PageGuard
    return Depends(guard(Access(requirement, "page", personal)), scope="function")


def access_of(route: APIRoute) -> list[Access]:
    """Every guard a route declares (there must be exactly one)."""
    found: list[Access] = []
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        if isinstance(dependant.call, _Guard):
            found.append(dependant.call.access)
        stack.extend(dependant.dependencies)
    return found


class UndeclaredAccessError(SecurecommError):
    """A route was added without declaring who may reach it."""


@dataclass(frozen=True)
class Endpoint:
    """One method of one route as the app serves it (the path with every prefix)."""

    method: str
    path: str
    route: APIRoute

    @property
    def access(self) -> list[Access]:
        return access_of(self.route)


def endpoints(routes: Sequence[BaseRoute]) -> list[Endpoint]:
    """Every API route of an app, through included routers, one per method."""
    found: list[Endpoint] = []
    for context in iter_route_contexts(routes):
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        path = context.path or route.path
        found.extend(Endpoint(method, path, route) for method in sorted(context.methods or ()))
    return found


def check_routes(routes: Sequence[BaseRoute]) -> None:
    """Refuse an app in which any route has no guard, or more than one."""
    for endpoint in endpoints(routes):
        declared = endpoint.access
        if len(declared) != 1:
            raise UndeclaredAccessError(
                f"route {endpoint.method} {endpoint.path} declares {len(declared)} guards; "
                "each route needs exactly one: requires(...) or page(...)"
            )
