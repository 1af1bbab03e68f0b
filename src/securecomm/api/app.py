"""The service: every domain's router under one app, one permission layer, one error shape.

``create_app`` refuses to build an app in which any route declares no guard (or more
than one): who may reach a route is always written where the route is.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles

import securecomm
from securecomm.api import errors, observability
from securecomm.api.ratelimit import SlidingWindowLimiter
from securecomm.api.security import check_routes
from securecomm.audit import views as audit_views
from securecomm.auth import views as auth_views
from securecomm.booking import followup_views
from securecomm.booking import views as booking_views
from securecomm.cases import views as case_views
from securecomm.database import Database
from securecomm.interop import views as interop_views
from securecomm.oversight import redress_views, review_views, transparency_views
from securecomm.oversight import views as oversight_views
from securecomm.pipeline.background import BackgroundWorker
from securecomm.repositories import views as repository_views
from securecomm.status import views as status_views
from securecomm.web import pages

API_ROUTERS = (
    observability.router,
    auth_views.router,
    booking_views.router,
    followup_views.router,
    interop_views.router,
    repository_views.router,
    status_views.router,
    case_views.router,
    oversight_views.router,
    review_views.router,
    redress_views.router,
    transparency_views.router,
    audit_views.router,
)

# What pages may load: our own files only; no framing, no inline script.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # no-referrer would make browsers send Origin: null
    "Cache-Control": "no-store",
}


def create_app(
    database: Database,
    *,
    worker: BackgroundWorker | None = None,
    officers_decide: bool = True,
    cookie_secure: bool = True,
    signin_limiter: SlidingWindowLimiter | None = None,
) -> FastAPI:
    """The app over ``database``; ``worker`` (if given) is started and stopped with it."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if worker is not None:
            worker.start()
        try:
            yield
        finally:
            if worker is not None:
                worker.stop()

    app = FastAPI(
        title="securecomm",
        version=securecomm.__version__,
        description="The Secure Communities interoperability flow: bookings, answers, "
        "cases and detainers, with every decision's reasons and a verifiable audit log.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.database = database
    app.state.worker = worker
    app.state.officers_decide = officers_decide
    app.state.cookie_secure = cookie_secure
    # Sign-in attempts a minute: 60 from one address (an agency behind one NAT), 10 at
    # one user name; the account locks after 5 failures in a row (auth.accounts).
    app.state.signin_limiter = signin_limiter or SlidingWindowLimiter(
        attempts=60, seconds=60, per_user=10
    )
    # The public redress form and status lookup: a person files a few complaints, never
    # hundreds; 20 an hour from one address.
    app.state.public_limiter = SlidingWindowLimiter(
        attempts=20, seconds=3600, what="requests to the public redress pages"
    )
    for router in API_ROUTERS:
        app.include_router(router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(packages=[("securecomm.web", "static")]), name="static")
    errors.install(app, pages.render_refusal)
    observability.install(app, database)

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    check_routes(app.routes)
    return app
