"""One error shape for every refusal, on every route.

    {"error": {"status": 422, "code": "invalid_input", "message": "...",
               "problems": [{"field": "2.018 NAM", "rule": "...", "message": "..."}]}}

``problems`` carries the field and the rule wherever the refusal has them (an ERRT's
lines for a booking file, a form's fields, a query parameter). Pages get the same facts
as HTML (``web``); a request without a sign-in on a page goes to the sign-in page.
Unexpected errors answer 500 with a reference that the log carries, never a traceback.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from securecomm.api.security import CsrfError, NotSignedInError
from securecomm.auth.accounts import AuthenticationError
from securecomm.database.faults import is_store_full, is_transient
from securecomm.exceptions import (
    ConfigurationError,
    FieldProblem,
    IllegalTransitionError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    SecurecommError,
)

log = logging.getLogger("securecomm.api")


class Problem(BaseModel):
    field: str
    rule: str
    message: str


class ErrorBody(BaseModel):
    status: int
    code: str
    message: str
    problems: list[Problem] = []


class ErrorResponse(BaseModel):
    error: ErrorBody


class TooManyRequestsError(SecurecommError):
    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PayloadTooLargeError(InputError):
    pass


# Status and code for each kind of refusal, most specific first.
_KINDS: list[tuple[type[Exception], int, str]] = [
    (PayloadTooLargeError, 413, "too_large"),
    (InputError, 422, "invalid_input"),
    (NotFoundError, 404, "not_found"),
    (IllegalTransitionError, 409, "conflict"),
    (CsrfError, 403, "csrf"),
    (PermissionDeniedError, 403, "forbidden"),
    (NotSignedInError, 401, "not_signed_in"),
    (AuthenticationError, 401, "authentication_failed"),
    (TooManyRequestsError, 429, "too_many_requests"),
    (ConfigurationError, 503, "unavailable"),
    (SecurecommError, 400, "refused"),
]
_HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "too_large",
    415: "unsupported_media_type",
}

# Pages render refusals as HTML: (request, status, code, message, problems) -> Response.
PageRenderer = Callable[[Request, int, str, str, list[Problem]], Response]


def error_body(status: int, code: str, message: str, problems: list[Problem]) -> dict[str, Any]:
    return ErrorResponse(
        error=ErrorBody(status=status, code=code, message=message, problems=problems)
    ).model_dump()


def _problems_of(error: Exception) -> list[Problem]:
    if isinstance(error, InputError | PermissionDeniedError):
        return [_problem(p) for p in error.problems]
    return []


def _problem(problem: FieldProblem) -> Problem:
    return Problem(field=problem.field, rule=problem.rule, message=problem.message)


def _is_page(request: Request) -> bool:
    return not request.url.path.startswith(("/api/", "/healthz", "/readyz", "/metrics"))


def install(app: FastAPI, render_page: PageRenderer | None = None) -> None:
    """Register the handlers; ``render_page`` answers refusals on pages."""

    def respond(
        request: Request,
        status: int,
        code: str,
        message: str,
        problems: list[Problem],
        headers: dict[str, str] | None = None,
    ) -> Response:
        if render_page is not None and _is_page(request):
            return render_page(request, status, code, message, problems)
        body = error_body(status, code, message, problems)
        return JSONResponse(body, status_code=status, headers=headers)

    def on_domain_error(request: Request, error: Exception) -> Response:
        for kind, status, code in _KINDS:
            if isinstance(error, kind):
                headers: dict[str, str] = {}
                if status == 401:
                    headers["WWW-Authenticate"] = "Bearer"
                if isinstance(error, TooManyRequestsError):
                    headers["Retry-After"] = str(error.retry_after)
                message = str(error) if not isinstance(error, InputError) else _summary(error)
                return respond(request, status, code, message, _problems_of(error), headers)
        return on_unexpected(request, error)

    def on_validation(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        problems = [
            Problem(
                field=".".join(str(part) for part in item.get("loc", ())) or "(request)",
                rule=str(item.get("type", "invalid")),
                message=str(item.get("msg", "invalid")),
            )
            for item in error.errors()
        ]
        return respond(request, 422, "invalid_input", "the request is not valid", problems)

    def on_model(request: Request, error: Exception) -> Response:
        """A body a view built from form fields that does not validate."""
        assert isinstance(error, ValidationError)
        problems = [
            Problem(
                field=".".join(str(part) for part in item["loc"]) or "(form)",
                rule=str(item["type"]),
                message=str(item["msg"]),
            )
            for item in error.errors(include_url=False)
        ]
        return respond(request, 422, "invalid_input", "the form is not valid", problems)

    def on_http(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        code = _HTTP_CODES.get(error.status_code, "http_error")
        return respond(request, error.status_code, code, str(error.detail), [])

    def on_unexpected(request: Request, error: Exception) -> Response:
        reference = uuid.uuid4().hex[:12]
        log.error(
            "unexpected error",
            exc_info=(type(error), error, error.__traceback__),
            extra={"reference": reference, "route": request.scope.get("path", "")},
        )
        message = f"an internal error occurred (reference {reference}); nothing was changed"
        return respond(request, 500, "internal_error", message, [])

    def on_store_fault(request: Request, error: Exception) -> Response:
        """The store is full or not answering: nothing from the request was kept, and
        the sender is told so, and when to try again, instead of an internal error."""
        if is_store_full(error):
            log.error("store full", extra={"route": request.scope.get("path", "")})
            message = (
                "the store has no room left: nothing from this request was kept; send it "
                "again once an operator has made room"
            )
            problem = Problem(field="(store)", rule="store.full", message=message)
            headers = {"Retry-After": "60"}
            return respond(request, 507, "insufficient_storage", message, [problem], headers)
        if is_transient(error):
            log.warning("store unavailable", extra={"route": request.scope.get("path", "")})
            message = (
                "the store is not answering: nothing from this request was kept; send it "
                "again shortly"
            )
            problem = Problem(field="(store)", rule="store.unavailable", message=message)
            headers = {"Retry-After": "5"}
            return respond(request, 503, "store_unavailable", message, [problem], headers)
        return on_unexpected(request, error)

    app.add_exception_handler(SecurecommError, on_domain_error)
    app.add_exception_handler(DBAPIError, on_store_fault)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(ValidationError, on_model)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)


def _summary(error: InputError) -> str:
    head, _, _ = str(error).partition(":")
    return head if error.problems else str(error)


# For route declarations: the refusals every guarded route can answer.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": description}
    for status, description in (
        (400, "Refused for a reason the message states"),
        (401, "Not signed in, or the sign-in expired or was revoked"),
        (403, "Your roles do not allow this"),
        (404, "No such record (or not one you may see)"),
        (409, "The record is not in a state that allows this"),
        (422, "The request or the file is not valid: every field and rule named"),
    )
}
