"""Operating the service: health and readiness, Prometheus metrics, JSON logs that carry
the TCN and never personal data, settings that refuse public keys outside development,
the command line audited like the pages, and docs/service.md's permission table
printed from the code."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from pydantic import ValidationError
from served_world import Served
from sqlalchemy import select
from typer.testing import CliRunner

from securecomm.api.app import create_app
from securecomm.api.permission_table import END, START, markdown
from securecomm.audit.models import AuditEvent
from securecomm.cli import app as cli
from securecomm.config import DEVELOPMENT_AUDIT_KEY, Settings
from securecomm.logs import JsonFormatter, correlation
from securecomm.pipeline.background import BackgroundWorker
from securecomm.repositories.models import ImmigrationSubject

DOCS = Path(__file__).resolve().parents[2] / "docs" / "service.md"


def test_health_readiness_and_metrics(served: Served) -> None:
    assert served.client.get("/healthz").json() == {"status": "ok"}
    ready = served.client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "agencies": "ok"}
    served.client.get("/api/v1/bookings", headers=served.headers("booking1"))
    text = served.client.get("/metrics").text
    assert 'securecomm_http_request_seconds_count{method="GET",route="/api/v1/bookings"' in text
    assert 'securecomm_queue_depth{queue="status_analyst"}' in text
    assert "securecomm_immigration_searches_total" in text
    assert "securecomm_pipeline_step_seconds" in text


def test_readiness_reports_a_stopped_worker(served: Served) -> None:
    stopped = BackgroundWorker(served.database)  # never started
    app = create_app(served.database, worker=stopped, cookie_secure=False)
    from fastapi.testclient import TestClient

    with TestClient(app) as client:  # the lifespan starts it...
        assert client.get("/readyz").json()["checks"]["worker"] == "ok"
    answer = TestClient(app).get("/readyz")  # ...and stops it again
    assert answer.status_code == 503
    assert answer.json()["checks"]["worker"].startswith("stopped")


def test_access_logs_name_route_templates_never_identifiers(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    with served.database.session() as session:
        subject = session.scalars(select(ImmigrationSubject)).first()
        assert subject is not None
        fin, name = subject.fin, subject.name
    with caplog.at_level(logging.INFO, logger="securecomm.access"):
        served.client.get(f"/api/v1/immigration-records/{fin}", headers=served.headers("analyst"))
    lines = [JsonFormatter().format(record) for record in caplog.records]
    assert any('"route": "/api/v1/immigration-records/{fin}"' in line for line in lines)
    for line in lines:
        assert fin not in line
        assert name.split(",")[0] not in line
        json.loads(line)


def test_log_lines_carry_the_tcn_being_worked_on() -> None:
    token = correlation.set("TX0000000202612060000")
    try:
        record = logging.LogRecord("securecomm.worker", logging.INFO, "", 0, "step", (), None)
        line = json.loads(JsonFormatter().format(record))
    finally:
        correlation.reset(token)
    assert line["tcn"] == "TX0000000202612060000"
    assert line["message"] == "step"


def test_settings_refuse_the_public_key_outside_development() -> None:
    with pytest.raises(ValidationError, match="SECURECOMM_AUDIT_SIGNING_KEY"):
        Settings(environment="production", audit_signing_key=DEVELOPMENT_AUDIT_KEY)
    assert Settings(environment="development").audit_signing_key == DEVELOPMENT_AUDIT_KEY


def test_the_command_line_audits_what_it_shows(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SECURECOMM_PURPOSE", "quarterly case review")
    url = str(served.database.engine.url)
    result = CliRunner().invoke(cli, ["case", "list", "--database-url", url, "--json"])
    assert result.exit_code == 0, result.output
    with served.database.session() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "cli.read").order_by(AuditEvent.id.desc())
        ).first()
    assert event is not None
    assert event.actor.startswith("cli:")
    assert event.purpose == "quarterly case review"
    assert event.records
    assert event.records[0].startswith("case:")


def test_the_permission_table_in_the_docs_is_printed_from_the_code(served: Served) -> None:
    text = DOCS.read_text()
    assert START in text
    assert END in text
    documented = text[text.index(START) : text.index(END) + len(END)]
    assert documented == markdown(served.app), (
        "docs/service.md is out of date: run `securecomm permissions` and paste its output"
    )
