"""``/api/v1/auth``, ``/api/v1/users``, ``/api/v1/agencies``: signing in, and the
administrators' work on people and participants."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from securecomm.api.errors import ERROR_RESPONSES
from securecomm.api.pagination import Page, Window, fetch, window
from securecomm.api.ratelimit import client_key
from securecomm.api.security import PUBLIC, SIGNED_IN, Actor, requires
from securecomm.audit import service as audit_service
from securecomm.auth import accounts
from securecomm.auth import service as auth_service
from securecomm.auth.models import Agency, User
from securecomm.auth.roles import P
from securecomm.auth.schemas import (
    AgencyIn,
    AgencyOut,
    MeOut,
    PasswordChange,
    Revoked,
    SignIn,
    TokenOut,
    UserCreated,
    UserIn,
    UserOut,
)
from securecomm.database import utcnow
from securecomm.interop import service as interop_service
from securecomm.interop.models import Jurisdiction

router = APIRouter(prefix="/api/v1", tags=["sign-in and administration"], responses=ERROR_RESPONSES)


def audit(actor: Actor, kind: str, summary: str, records: list[str]) -> None:
    """A sign-in or administration event, by the acting user (or the name tried)."""
    principal = actor.principal
    audit_service.record(
        actor.session,
        kind=kind,
        actor=actor.name,
        role=principal.role_label[:32] if principal else None,
        agency=principal.agency_ori if principal else None,
        purpose=actor.purpose or None,
        records=records,
        occurred_at=utcnow(),
        summary=summary,
    )


def sign_in(
    request: Request, actor: Actor, form: SignIn, *, kind: str
) -> tuple[User, accounts.IssuedToken]:
    """Check the password (rate-limited; failures counted and audited in a unit of work
    that is kept though the sign-in is refused), then issue a token."""
    request.app.state.signin_limiter.hit(client_key(request), f"user:{form.username.lower()}")
    refused: accounts.AuthenticationError | None = None
    with request.app.state.database.session() as session:
        try:
            user_id = accounts.authenticate(session, form.username, form.password).id
        except accounts.AuthenticationError as error:
            refused = error
            failed = Actor(None, session, "", actor.route, actor.channel)
            audit(failed, "auth.sign_in_failed", f"{form.username[:40]}: {error}", [])
    if refused is not None:
        raise refused
    user = actor.session.get_one(User, user_id)
    issued = accounts.issue_token(actor.session, user, kind=kind, purpose=form.purpose)
    signed = Actor(accounts.principal_of(user), actor.session, form.purpose, actor.route, "api")
    audit(
        signed, "auth.signed_in", f"{user.username} signed in ({kind})", [f"user:{user.username}"]
    )
    return user, issued


@router.post("/auth/token", response_model=TokenOut)
def token(request: Request, form: SignIn, actor: Annotated[Actor, requires(PUBLIC)]) -> TokenOut:
    """Sign in for the API: a bearer token that lives 15 minutes; state the purpose."""
    user, issued = sign_in(request, actor, form, kind="api")
    return TokenOut(
        access_token=issued.token,
        expires_at=issued.expires_at,
        must_change_password=user.must_change_password,
    )


@router.post("/auth/revoke", response_model=Revoked)
def revoke(request: Request, actor: Annotated[Actor, requires(SIGNED_IN)]) -> Revoked:
    """Revoke the token this request carries (sign out)."""
    _, _, presented = request.headers.get("Authorization", "").partition(" ")
    revoked = accounts.revoke(actor.session, presented.strip())
    audit(actor, "auth.revoked", f"{actor.name} signed out", [f"user:{actor.name}"])
    return Revoked(revoked=int(revoked))


@router.get("/auth/me", response_model=MeOut)
def me(actor: Annotated[Actor, requires(SIGNED_IN)]) -> MeOut:
    """Who this token belongs to and what they may do."""
    principal = actor.user
    return MeOut(
        username=principal.username,
        agency=principal.agency_ori,
        agency_role=principal.agency_role,
        roles=sorted(principal.roles),
        permissions=sorted(principal.permissions),
        must_change_password=principal.must_change_password,
    )


@router.post("/auth/password", response_model=Revoked)
def change_password(form: PasswordChange, actor: Annotated[Actor, requires(SIGNED_IN)]) -> Revoked:
    """Change one's own password; every sign-in held (this one too) is revoked."""
    user = accounts.authenticate(actor.session, actor.user.username, form.current_password)
    revoked = accounts.revoke_all(actor.session, user)
    accounts.change_password(actor.session, user, form.new_password)
    audit(actor, "auth.password_changed", f"{user.username} changed their password", [])
    return Revoked(revoked=revoked)


# --------------------------------------------------------------------------- users


def user_out(user: User) -> UserOut:
    return UserOut(
        username=user.username,
        full_name=user.full_name,
        agency=user.agency.ori,
        roles=list(user.roles),
        state=accounts.account_state(user, utcnow()),
        last_login_at=user.last_login_at,
    )


@router.get("/users", response_model=Page[UserOut])
def list_users(
    actor: Annotated[Actor, requires(P.READ_USERS, personal=True)],
    at: Annotated[Window, Depends(window)],
) -> Page[UserOut]:
    """Every user with agency, roles and whether they can sign in."""
    rows, total = fetch(actor.session, select(User).order_by(User.username), at)
    actor.touched(*(f"user:{user.username}" for user in rows))
    return Page(items=[user_out(u) for u in rows], total=total, limit=at.limit, offset=at.offset)


@router.post("/users", response_model=UserCreated, status_code=201)
def add_user(form: UserIn, actor: Annotated[Actor, requires(P.MANAGE_USERS)]) -> UserCreated:
    """Add a user with a one-time password, returned once and changed at first sign-in."""
    home = _agency(actor.session, form.agency)
    password = accounts.one_time_password()
    user = accounts.create_user(
        actor.session,
        username=form.username,
        full_name=form.full_name,
        agency=home,
        roles=set(form.roles),
        password=password,
    )
    audit(
        actor,
        "user.created",
        f"user {user.username} ({', '.join(user.roles)})",
        [f"user:{user.username}"],
    )
    return UserCreated(user=user_out(user), one_time_password=password)


def _agency(session: Session, ori: str) -> Agency:
    return auth_service.agency_by_ori(session, ori)


@router.post("/users/{username}/disable", response_model=UserOut)
def disable_user(username: str, actor: Annotated[Actor, requires(P.MANAGE_USERS)]) -> UserOut:
    """Disable a user; every sign-in they hold is revoked."""
    user = accounts.user_by_name(actor.session, username)
    accounts.disable(actor.session, user)
    audit(actor, "user.disabled", f"user {username} disabled", [f"user:{username}"])
    return user_out(user)


@router.post("/users/{username}/revoke-tokens", response_model=Revoked)
def revoke_tokens(username: str, actor: Annotated[Actor, requires(P.MANAGE_USERS)]) -> Revoked:
    """Revoke every sign-in a user holds (a lost laptop, a suspected leak)."""
    user = accounts.user_by_name(actor.session, username)
    revoked = accounts.revoke_all(actor.session, user)
    audit(
        actor,
        "user.tokens_revoked",
        f"{revoked} sign-ins of {username} revoked",
        [f"user:{username}"],
    )
    return Revoked(revoked=revoked)


@router.post("/users/{username}/reset-password", response_model=UserCreated)
def reset_password(username: str, actor: Annotated[Actor, requires(P.MANAGE_USERS)]) -> UserCreated:
    """A new one-time password (returned once); the account is unlocked, sign-ins revoked."""
    user = accounts.user_by_name(actor.session, username)
    password = accounts.reset_password(actor.session, user)
    audit(actor, "user.password_reset", f"password of {username} reset", [f"user:{username}"])
    return UserCreated(user=user_out(user), one_time_password=password)


# --------------------------------------------------------------------------- agencies


def agency_out(agency: Agency, codes: dict[int, str]) -> AgencyOut:
    return AgencyOut(
        ori=agency.ori,
        name=agency.name,
        role=agency.role,
        state=agency.state,
        jurisdiction=codes.get(agency.jurisdiction_id) if agency.jurisdiction_id else None,
    )


def _codes(session: Session) -> dict[int, str]:
    return dict(session.execute(select(Jurisdiction.id, Jurisdiction.code)).all())


@router.get("/agencies", response_model=Page[AgencyOut])
def list_agencies(
    actor: Annotated[Actor, requires(P.READ_AGENCIES)],
    at: Annotated[Window, Depends(window)],
) -> Page[AgencyOut]:
    """Every participating agency."""
    query = select(Agency).order_by(Agency.role, Agency.ori)
    rows, total = fetch(actor.session, query, at)
    codes = _codes(actor.session)
    items = [agency_out(a, codes) for a in rows]
    return Page(items=items, total=total, limit=at.limit, offset=at.offset)


@router.post("/agencies", response_model=AgencyOut, status_code=201)
def add_agency(form: AgencyIn, actor: Annotated[Actor, requires(P.MANAGE_AGENCIES)]) -> AgencyOut:
    """Register a participating agency (a local agency names the jurisdiction it serves)."""
    served = None
    if form.jurisdiction is not None:
        served = interop_service.jurisdiction_by_code(actor.session, form.jurisdiction).id
    agency = auth_service.register_agency(
        actor.session,
        ori=form.ori,
        name=form.name,
        role=form.role,
        state=form.state,
        jurisdiction_id=served,
    )
    audit(
        actor, "agency.registered", f"agency {agency.ori} ({agency.role})", [f"agency:{agency.ori}"]
    )
    return agency_out(agency, _codes(actor.session))
