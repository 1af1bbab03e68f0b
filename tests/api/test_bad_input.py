"""Bad input to every endpoint gets a 4xx in the one error shape, never a traceback, and
nothing already accepted is lost: wrong types, unknown ids, malformed and oversized
files, bodies that are not JSON, unknown routes and methods."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError
from served_world import Served, world
from sqlalchemy import func, select

from securecomm.api.errors import ErrorResponse
from securecomm.api.security import PUBLIC, SIGNED_IN, endpoints
from securecomm.auth.roles import ROLE_PERMISSIONS, Permission
from securecomm.booking.limits import IntakeLimits
from securecomm.booking.models import Submission, SubmissionState
from securecomm.pipeline.worker import Worker
from securecomm.simulation.court import SimulatedImmigrationCourt


def _shaped(response_json: object) -> ErrorResponse:
    try:
        return ErrorResponse.model_validate(response_json)
    except ValidationError as error:  # pragma: no cover - the failure message is the point
        pytest.fail(f"not the error shape: {response_json!r} ({error})")


def _user_for(served: Served, requirement: str) -> str:
    if requirement in (SIGNED_IN, PUBLIC):
        return "auditor"
    for username, login in served.logins.items():
        if Permission(requirement) in ROLE_PERMISSIONS[login.role]:
            return username
    raise AssertionError(f"no demo user holds {requirement}")


def _api_endpoints(served: Served) -> list[tuple[str, str, str]]:
    found = []
    for endpoint in endpoints(served.app.routes):
        (access,) = endpoint.access
        if access.channel == "api" and endpoint.path.startswith("/api/"):
            found.append((endpoint.method, endpoint.path, str(access.requirement)))
    return found


def test_every_endpoint_answers_wrong_types_and_unknown_ids_in_the_error_shape(
    served: Served,
) -> None:
    checked = 0
    for method, path, requirement in _api_endpoints(served):
        if "{" not in path or path.endswith("/auth/revoke"):
            continue
        headers = served.headers(_user_for(served, requirement))
        for filler in ("not-a-number", "999999"):
            url = re.sub(r"\{\w+\}", filler, path)
            response = (
                served.client.get(url, headers=headers)
                if method == "GET"
                else served.client.post(url, json={}, headers=headers)
            )
            assert 400 <= response.status_code < 500, f"{method} {url}: {response.status_code}"
            shaped = _shaped(response.json())
            assert shaped.error.status == response.status_code
            checked += 1
    assert checked > 40


def test_every_write_answers_a_body_that_is_not_json_in_the_error_shape(served: Served) -> None:
    for method, path, requirement in _api_endpoints(served):
        bodyless = ("/auth/revoke", "/oversight/reviews/scan")  # actions that take no body
        if method != "POST" or path.endswith(("/bookings", "/dispositions", *bodyless)):
            continue
        headers = {
            **served.headers(_user_for(served, requirement)),
            "Content-Type": "application/json",
        }
        url = re.sub(r"\{\w+\}", "1", path)
        response = served.client.post(url, content=b"{not json", headers=headers)
        assert 400 <= response.status_code < 500, f"POST {url}: {response.status_code}"
        _shaped(response.json())


def test_query_parameters_out_of_range_name_the_parameter(served: Served) -> None:
    headers = served.headers("auditor")
    for query in ("limit=0", "limit=100000", "offset=-1", "limit=abc"):
        response = served.client.get(f"/api/v1/bookings?{query}", headers=headers)
        assert response.status_code == 422
        problem = _shaped(response.json()).error.problems[0]
        assert problem.field.startswith("query.")


def test_unknown_routes_and_methods_answer_in_the_error_shape(served: Served) -> None:
    headers = served.headers("auditor")
    missing = served.client.get("/api/v1/no-such-thing", headers=headers)
    assert missing.status_code == 404
    assert _shaped(missing.json()).error.code == "not_found"
    wrong = served.client.delete("/api/v1/bookings", headers=headers)
    assert wrong.status_code == 405
    assert _shaped(wrong.json()).error.code == "method_not_allowed"


def test_a_malformed_file_is_kept_and_answered_with_every_problem(served: Served) -> None:
    headers = served.headers("booking1")
    raw = b"1.001:38\x1d1.002:0502\x1d1.003:1\x1f2\x1e2\x1f00\x1d1.004:CAR\x1c2.001:5\x1c"
    sent = served.client.post("/api/v1/bookings", content=raw, headers=headers)
    assert sent.status_code == 202
    submission_id = sent.json()["id"]
    Worker(served.database, court=SimulatedImmigrationCourt(world())).run()
    booking = served.client.get(f"/api/v1/bookings/{submission_id}", headers=headers).json()
    assert booking["state"] == "rejected"
    assert booking["problems"], "every violated field and rule is named"
    assert all({"field", "rule", "message"} <= set(p) for p in booking["problems"])
    with served.database.session() as session:
        assert session.get_one(Submission, submission_id).raw == raw  # kept for review


def test_an_oversized_upload_is_refused_by_its_limit_and_its_start_is_kept(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = IntakeLimits(max_submission_bytes=4096, max_json_bytes=2048, max_json_depth=16)
    monkeypatch.setattr(IntakeLimits, "from_settings", classmethod(lambda cls: small))
    headers = served.headers("booking1")
    with served.database.session() as session:
        before = session.scalar(select(func.count()).select_from(Submission))
    raw = b"1.001:99\x1d" + b"x" * 20_000
    refused = served.client.post("/api/v1/bookings", content=raw, headers=headers)
    assert refused.status_code == 413
    problem = _shaped(refused.json()).error.problems[0]
    assert problem.rule == "securecomm.max_bytes"
    assert "SECURECOMM_MAX_SUBMISSION_BYTES" in problem.message
    with served.database.session() as session:
        assert session.scalar(select(func.count()).select_from(Submission)) == before + 1
        kept = session.scalars(select(Submission).order_by(Submission.id.desc())).first()
        assert kept is not None
        assert kept.state is SubmissionState.RECEIVED  # the ERRT follows through the flow
        assert kept.raw_size == len(raw)
        assert len(kept.raw) < len(raw)


def test_two_different_oversized_files_in_one_chunk_each_are_both_kept(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A body that crosses the limit in its first chunk keeps its start too: before, it
    was kept as the empty file, and the next oversized file was taken for a resend."""
    small = IntakeLimits(max_submission_bytes=4096, max_json_bytes=2048, max_json_depth=16)
    monkeypatch.setattr(IntakeLimits, "from_settings", classmethod(lambda cls: small))
    headers = served.headers("booking1")
    kept = []
    for number in (1, 2):
        raw = b"1.001:%d\x1d" % number + b"y" * 20_000
        refused = served.client.post("/api/v1/bookings", content=raw, headers=headers)
        assert refused.status_code == 413
        with served.database.session() as session:
            newest = session.scalars(select(Submission).order_by(Submission.id.desc())).first()
            assert newest is not None
            kept.append((newest.id, newest.raw))
    assert kept[0][0] != kept[1][0]
    assert [raw[:8] for _, raw in kept] == [b"1.001:1\x1d", b"1.001:2\x1d"]
