"""Operating the service: health, readiness, Prometheus metrics and the access log.

``/healthz`` says the process answers; ``/readyz`` that the store is reachable and
migrated, the standing agencies are registered and (where the service runs its own)
the worker is alive. ``/metrics`` adds to the latencies measured in-process the queue
depths and the match and error totals read from the store, so a scrape counts every
worker process. The access log writes one JSON line a request: method, route template
(never the raw path, which may hold an FBI number or a FIN), status, milliseconds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from pydantic import BaseModel
from sqlalchemy import func, select, text

from securecomm.api.security import PUBLIC, Actor, requires
from securecomm.auth.models import Agency
from securecomm.booking.models import Submission
from securecomm.cases.models import Case, CaseState
from securecomm.database import Database
from securecomm.interop.models import OutboxMessage, Transaction
from securecomm.logs import correlation
from securecomm.metrics import HTTP_SECONDS, REGISTRY
from securecomm.repositories.models import ExaminerReview, ReviewStatus

router = APIRouter(tags=["operations"])
access_log = logging.getLogger("securecomm.access")


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    ready: bool
    checks: dict[str, str]


@router.get("/healthz", response_model=Health)
def healthz(_: Annotated[Actor, requires(PUBLIC)]) -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get("/readyz", response_model=Readiness)
def readyz(request: Request, response: Response, actor: Annotated[Actor, requires(PUBLIC)]) -> Any:
    """The store answers, is migrated, has its agencies; the worker (if ours) runs."""
    checks: dict[str, str] = {}
    try:
        actor.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
        agencies = actor.session.scalar(select(func.count()).select_from(Agency)) or 0
        checks["agencies"] = "ok" if agencies else "none registered: run `securecomm init`"
    except Exception as error:  # readiness reports, it does not raise
        checks["database"] = f"unreachable ({type(error).__name__})"
    runner = getattr(request.app.state, "worker", None)
    if runner is not None:
        checks["worker"] = "ok" if runner.alive() else f"stopped: {runner.last_error}"
    ready = all(value == "ok" for value in checks.values())
    response.status_code = 200 if ready else 503
    return Readiness(ready=ready, checks=checks)


@router.get("/metrics", response_class=Response)
def metrics(request: Request, _: Annotated[Actor, requires(PUBLIC)]) -> Response:
    """Prometheus text format: the latencies of this process and the store's queues."""
    merged = _Merged(request.app.state.store_collector)
    return Response(generate_latest(merged), media_type=CONTENT_TYPE_LATEST)


class _Merged:
    """This process's histograms and the store's figures, as one registry to scrape."""

    def __init__(self, store: Collector) -> None:
        self._store = store

    def collect(self) -> Iterator[Any]:
        yield from REGISTRY.collect()
        yield from self._store.collect()


class StoreCollector(Collector):
    """Queue depths and lifetime totals, read from the store at each scrape."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def collect(self) -> Iterator[Any]:
        with self._database.session() as session:
            submissions = session.execute(
                select(Submission.state, func.count()).group_by(Submission.state)
            ).all()
            examiner = session.scalar(
                select(func.count()).where(ExaminerReview.status == ReviewStatus.PENDING)
            )
            analyst = session.scalar(
                select(func.count()).where(Case.state == CaseState.ANALYST_REVIEW)
            )
            lodged = session.scalar(
                select(func.count()).where(Case.state == CaseState.DETAINER_LODGED)
            )
            outbox = session.scalar(
                select(func.count()).where(OutboxMessage.delivered_at.is_(None))
            )
            searched = session.execute(
                select(
                    func.count(Transaction.immigration_searched),
                    func.count(Transaction.immigration_subject_id),
                ).where(Transaction.immigration_searched.is_(True))
            ).one()
        depth = GaugeMetricFamily(
            "securecomm_queue_depth", "Items waiting, by queue.", labels=["queue"]
        )
        for state, count in submissions:
            depth.add_metric([f"submissions_{state}"], count)
        depth.add_metric(["examiner_reviews"], examiner or 0)
        depth.add_metric(["status_analyst"], analyst or 0)
        depth.add_metric(["open_detainers"], lodged or 0)
        depth.add_metric(["outbox_undelivered"], outbox or 0)
        yield depth
        totals = CounterMetricFamily(
            "securecomm_immigration_searches",
            "Immigration searches run and matched, since the store began.",
            labels=["outcome"],
        )
        totals.add_metric(["searched"], searched[0])
        totals.add_metric(["matched"], searched[1])
        yield totals
        refused = CounterMetricFamily(
            "securecomm_submissions_refused",
            "Submissions rejected (bad input) or failed (unexpected fault).",
            labels=["state"],
        )
        for state, count in submissions:
            if str(state) in ("rejected", "failed"):
                refused.add_metric([str(state)], count)
        yield refused


def install(app: FastAPI, database: Database) -> None:
    app.state.store_collector = StoreCollector(database)

    @app.middleware("http")
    async def measure(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        token = correlation.set(None)
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            elapsed = time.perf_counter() - started
            route = getattr(request.scope.get("route"), "path", "(unrouted)")
            HTTP_SECONDS.labels(request.method, route, f"{status // 100}xx").observe(elapsed)
            access_log.info(
                "request",
                extra={
                    "method": request.method,
                    "route": route,
                    "status": status,
                    "ms": round(elapsed * 1000, 2),
                    **({"tcn": request.state.tcn} if hasattr(request.state, "tcn") else {}),
                },
            )
            correlation.reset(token)
