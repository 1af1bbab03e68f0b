"""Prometheus metrics the service and the workers share (served at ``/metrics``).

Latencies are measured where the work happens (HTTP requests per route template,
pipeline steps per step); queue depths and the match and error totals are read from the
store at each scrape (``api.observability``), so they count every worker process.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

HTTP_SECONDS = Histogram(
    "securecomm_http_request_seconds",
    "Time to answer an HTTP request, by route template and status class.",
    ("method", "route", "status"),
    registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)

STEP_SECONDS = Histogram(
    "securecomm_pipeline_step_seconds",
    "Time one booking spends in one step of the flow (one unit of work).",
    ("step",),
    registry=REGISTRY,
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0),
)

SEARCH_SECONDS = Histogram(
    "securecomm_search_seconds",
    "Time one 1:N fingerprint search takes, by repository (inside its flow step).",
    ("repository",),
    registry=REGISTRY,
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0),
)
