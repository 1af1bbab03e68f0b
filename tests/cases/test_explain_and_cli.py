"""``case explain`` and ``case list`` on a real small world, and the officer commands."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import lodged_case, open_analyst_case
from sqlalchemy import select
from typer.testing import CliRunner

from securecomm.cases.explain import explain_case
from securecomm.cases.explanation_text import explanation_lines
from securecomm.cases.models import Case, CaseState
from securecomm.cli import app
from securecomm.database import Database

runner = CliRunner()


def _url(database: Database) -> str:
    return str(database.engine.url)


def _removed_case(database: Database) -> int:
    with database.session() as session:
        case_id = session.scalars(
            select(Case.id).where(Case.state == CaseState.REMOVED).order_by(Case.id)
        ).first()
    assert case_id is not None, "the small world removes somebody"
    return case_id


def test_explain_shows_every_decision_of_a_removed_case(processed: Database) -> None:
    case_id = _removed_case(processed)
    with processed.session() as session:
        explanation = explain_case(session, case_id)
    kinds = [decision.kind for decision in explanation.decisions]
    for kind in (
        "criminal_identification",
        "activation",
        "immigration_identification",
        "match_level",
        "status",
        "priority",
        "detainer",
        "lea_response",
        "custody_plan",
        "custody_level",
        "hearing",
        "outcome_level",
        "court_outcome",
    ):
        assert kind in kinds, f"{kind} missing from the explanation"
    assert all(decision.traces for decision in explanation.decisions)
    priority = next(d for d in explanation.decisions if d.kind == "priority")
    assert any(trace["era"] == explanation.case.scheme_id for trace in priority.traces)
    assert explanation.detainer is not None
    assert explanation.detainer.response == "honoured"
    assert explanation.custody.facility_code is not None
    assert explanation.custody.transport_departs_at == explanation.custody.custody_at
    assert explanation.hearing.counsel == "unrepresented"
    assert explanation.outcome == "removed"
    assert [e.current for e in explanation.timeline] == [
        "detainer_lodged",
        "in_ice_custody",
        "hearing_scheduled",
        "removed",
    ]
    text = "\n".join(explanation_lines(explanation))
    for needle in ("Status:", "Priority:", "Detainer:", "Custody:", "Hearing:", "Outcome: removed"):
        assert needle in text
    assert f"[{priority.traces[-1]['rule']}]" in text


def test_explain_command_prints_text_and_json(processed: Database) -> None:
    case_id = _removed_case(processed)
    text = runner.invoke(app, ["case", "explain", str(case_id), "--database-url", _url(processed)])
    assert text.exit_code == 0, text.output
    assert f"Case {case_id}" in text.output
    assert "Timeline:" in text.output
    result = runner.invoke(
        app, ["case", "explain", str(case_id), "--database-url", _url(processed), "--json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["case"]["id"] == case_id
    assert payload["outcome"] == "removed"
    assert {d["kind"] for d in payload["decisions"]} >= {"status", "priority", "detainer"}


def test_explain_of_an_unknown_case_is_a_clear_error(processed: Database) -> None:
    result = runner.invoke(app, ["case", "explain", "999999", "--database-url", _url(processed)])
    assert result.exit_code == 2
    assert "no case 999999" in result.output
    assert "Traceback" not in result.output


def test_list_filters_by_state_and_jurisdiction(processed: Database) -> None:
    url = _url(processed)
    everything = json.loads(
        runner.invoke(app, ["case", "list", "--database-url", url, "--json"]).output
    )
    assert len(everything) > 5
    removed = runner.invoke(
        app, ["case", "list", "--database-url", url, "--state", "removed", "--json"]
    )
    assert removed.exit_code == 0, removed.output
    rows = json.loads(removed.output)
    assert rows
    assert {row["state"] for row in rows} == {"removed"}
    place = everything[0]["jurisdiction"]
    here = json.loads(
        runner.invoke(
            app, ["case", "list", "--database-url", url, "--jurisdiction", place, "--json"]
        ).output
    )
    assert here
    assert {row["jurisdiction"] for row in here} == {place}
    assert len(here) < len(everything)
    bad = runner.invoke(app, ["case", "list", "--database-url", url, "--state", "limbo"])
    assert bad.exit_code == 2
    table = runner.invoke(app, ["case", "list", "--database-url", url, "--limit", "3"])
    assert table.exit_code == 0


def test_officer_commands(booked: Database, tmp_path: Path) -> None:
    url = _url(booked)
    with booked.session() as session:
        analyst_case = open_analyst_case(session).id
        lodged = lodged_case(session, honoured=True).id
    queue = json.loads(
        runner.invoke(app, ["case", "queue", "--database-url", url, "--json"]).output
    )
    assert [row["id"] for row in queue] == [analyst_case]
    refused = runner.invoke(
        app,
        ["case", "resolve", str(analyst_case), "--database-url", url, "--category",
         "unable_to_determine", "--evidence", "still unclear", "--analyst", "a1"],
    )  # fmt: skip
    assert refused.exit_code == 2
    assert "category" in refused.output
    resolved = runner.invoke(
        app,
        ["case", "resolve", str(analyst_case), "--database-url", url, "--category",
         "citizen_by_naturalisation", "--evidence", "naturalised 2004", "--analyst", "a1",
         "--at", "2018-03-01T12:00:00"],
    )  # fmt: skip
    assert resolved.exit_code == 0, resolved.output
    assert "no_action_citizen" in resolved.output
    discretion = runner.invoke(
        app,
        ["case", "discretion", str(lodged), "--database-url", url, "--officer", "sdo",
         "--years-present", "9", "--family-ties", "--at", "2018-03-01T12:00:00"],
    )  # fmt: skip
    assert discretion.exit_code == 0, discretion.output
    assert "family_ties=True" in discretion.output
    bad_age = runner.invoke(
        app,
        ["case", "discretion", str(lodged), "--database-url", url, "--officer", "sdo",
         "--age", "300"],
    )  # fmt: skip
    assert bad_age.exit_code == 2
    assert "age" in bad_age.output
    counsel = runner.invoke(
        app, ["case", "counsel", str(lodged), "--database-url", url, "--name", "J. Counsel"]
    )
    assert counsel.exit_code == 0, counsel.output
    cancelled = runner.invoke(
        app,
        ["case", "cancel-detainer", str(lodged), "--database-url", url, "--reason",
         "not a priority after review", "--officer", "sdo"],
    )  # fmt: skip
    assert cancelled.exit_code == 0, cancelled.output
    assert "detainer_cancelled" in cancelled.output
    again = runner.invoke(
        app,
        ["case", "cancel-detainer", str(lodged), "--database-url", url, "--reason", "twice",
         "--officer", "sdo"],
    )  # fmt: skip
    assert again.exit_code == 2
    assert "cannot move" in again.output
    bad_time = runner.invoke(
        app, ["case", "counsel", str(lodged), "--database-url", url, "--at", "yesterday"]
    )
    assert bad_time.exit_code == 2
