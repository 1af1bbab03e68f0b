"""Signing in and out, changing one's password, and the home page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError

from securecomm.api.errors import TooManyRequestsError
from securecomm.api.security import PUBLIC, SESSION_COOKIE, SIGNED_IN, Actor, page
from securecomm.auth import accounts
from securecomm.auth import views as auth_views
from securecomm.auth.accounts import AuthenticationError
from securecomm.auth.schemas import PasswordChange, SignIn
from securecomm.exceptions import InputError
from securecomm.web import home
from securecomm.web.render import page as render
from securecomm.web.render import see_other

router = APIRouter(include_in_schema=False)

PURPOSES = (
    "Booking and answers for my agency",
    "Status determinations in the queue",
    "Field office work queue",
    "Examiner comparisons",
    "Audit of system use",
    "Administration of users and agencies",
)


def _safe_next(target: str) -> str:
    """Only a path on this site (never //host or a scheme) may follow the sign-in."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.get("/login")
def login_form(
    request: Request, actor: Annotated[Actor, page(PUBLIC)], next: str = "/"
) -> Response:
    return render(
        request, None, "login.html", title="Sign in", next=_safe_next(next), purposes=PURPOSES
    )


@router.post("/login")
def login(
    request: Request,
    actor: Annotated[Actor, page(PUBLIC, form=True)],
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    purpose: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=300)] = "/",
) -> Response:
    """Check the password, state the purpose, and get a session cookie."""
    target = _safe_next(next)
    try:
        form = SignIn(username=username, password=password, purpose=purpose)
        user, issued = auth_views.sign_in(request, actor, form, kind="session")
    except ValidationError as error:
        problems = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()]
        return _login_again(request, target, username, "; ".join(problems), 422)
    except TooManyRequestsError as error:
        return _login_again(request, target, username, str(error), 429)
    except AuthenticationError as error:
        return _login_again(request, target, username, str(error), 401)
    response = see_other("/password" if user.must_change_password else target)
    response.set_cookie(
        SESSION_COOKIE,
        issued.token,
        max_age=int(accounts.SESSION_LIFETIME.total_seconds()),
        httponly=True,
        secure=bool(request.app.state.cookie_secure),
        samesite="strict",
        path="/",
    )
    return response


def _login_again(request: Request, target: str, username: str, error: str, status: int) -> Response:
    return render(
        request,
        None,
        "login.html",
        title="Sign in",
        next=target,
        purposes=PURPOSES,
        username=username,
        error=error,
        status_code=status,
    )


@router.post("/logout")
def logout(request: Request, actor: Annotated[Actor, page(SIGNED_IN, form=True)]) -> Response:
    """End this session (the token is revoked, not only forgotten by the browser)."""
    accounts.revoke(actor.session, request.cookies.get(SESSION_COOKIE, ""))
    auth_views.audit(actor, "auth.signed_out", f"{actor.name} signed out", [f"user:{actor.name}"])
    response = see_other("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/password")
def password_form(request: Request, actor: Annotated[Actor, page(SIGNED_IN)]) -> Response:
    return render(request, actor, "password.html", title="Change your password")


@router.post("/password")
def change_password(
    request: Request,
    actor: Annotated[Actor, page(SIGNED_IN, form=True)],
    current_password: Annotated[str, Form(max_length=1024)] = "",
    new_password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """A new password; every session (this one too) ends and the user signs in again."""
    try:
        body = PasswordChange(current_password=current_password, new_password=new_password)
        auth_views.change_password(body, actor)
    except (ValidationError, InputError, AuthenticationError) as error:
        message = (
            "; ".join(str(e["msg"]) for e in error.errors())
            if isinstance(error, ValidationError)
            else str(error)
        )
        return render(
            request,
            actor,
            "password.html",
            title="Change your password",
            error=message,
            status_code=422,
        )
    response = see_other("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/")
def home_page(request: Request, actor: Annotated[Actor, page(SIGNED_IN)]) -> Response:
    """What this user can do, with the size of each queue they work."""
    return render(
        request, actor, "home.html", title="Home", cards=home.cards(actor.session, actor.user)
    )
