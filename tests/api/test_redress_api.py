"""The public redress path over HTTP: anyone may file a complaint (no sign-in) and look it
up by its reference; bad input names the field; the public pages are rate-limited; only a
redress officer works complaints, and each step is audited."""

from __future__ import annotations

from fastapi.testclient import TestClient
from served_world import Served
from sqlalchemy import select

from securecomm.api.app import create_app
from securecomm.audit.models import AuditEvent

COMPLAINT = {
    "kind": "citizen_detained",
    "filed_by": "person",
    "complainant": "Maria Example",
    "contact": "maria@example.org",
    "statement": "I was born in Houston and was held for immigration after a traffic stop.",
}


def test_anyone_files_a_complaint_and_reads_its_answer_by_reference(served: Served) -> None:
    filed = served.client.post("/api/v1/redress/complaints", json=COMPLAINT)
    assert filed.status_code == 201, filed.text
    receipt = filed.json()
    assert receipt["reference"].startswith("R-")
    assert "30" in receipt["next_steps"]
    status = served.client.get(f"/api/v1/redress/complaints/by-reference/{receipt['reference']}")
    assert status.status_code == 200
    assert status.json()["state"] == "received"
    assert "complainant" not in status.json()  # the public lookup shows no personal data
    listed = served.client.get("/api/v1/redress/complaints", headers=served.headers("redress"))
    assert listed.status_code == 200
    mine = next(c for c in listed.json() if c["reference"] == receipt["reference"])
    officer = served.headers("redress")
    taken = served.client.post(f"/api/v1/redress/complaints/{mine['id']}/take-up", headers=officer)
    assert taken.json()["state"] == "in_review"
    refused = served.client.post(
        f"/api/v1/redress/complaints/{mine['id']}/answer",
        json={"text": "too early to answer a complaint still in review, surely not"},
        headers=officer,
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["problems"][0]["rule"] == "redress.state"
    decided = served.client.post(
        f"/api/v1/redress/complaints/{mine['id']}/not-confirmed",
        json={"note": "no booking matches the account given; asked for the booking number"},
        headers=officer,
    )
    assert decided.json()["state"] == "not_confirmed"
    answered = served.client.post(
        f"/api/v1/redress/complaints/{mine['id']}/answer",
        json={
            "text": "We found no booking under the details you gave. Please send the "
            "booking number from the jail's paperwork and we will look again."
        },
        headers=officer,
    )
    assert answered.status_code == 200
    public = served.client.get(f"/api/v1/redress/complaints/by-reference/{receipt['reference']}")
    assert public.json()["answer"].startswith("We found no booking")
    with served.database.session() as session:
        kinds = set(
            session.scalars(select(AuditEvent.kind).where(AuditEvent.kind.like("redress.%")))
        )
    assert {"redress.filed", "redress.taken_up", "redress.not_confirmed"} <= kinds
    assert "redress.answered" in kinds
    assert "redress.status_read" in kinds  # the public lookup of a complaint is audited too


def test_bad_complaints_name_the_field_and_others_cannot_work_complaints(served: Served) -> None:
    short = served.client.post(
        "/api/v1/redress/complaints", json={**COMPLAINT, "statement": "too short"}
    )
    assert short.status_code == 422
    assert "statement" in short.text
    unknown = served.client.get("/api/v1/redress/complaints/by-reference/R-AAAAA-AAAAA")
    assert unknown.status_code == 404
    malformed = served.client.get("/api/v1/redress/complaints/by-reference/nonsense")
    assert malformed.status_code == 422
    for user in ("officer", "booking1"):
        denied = served.client.get("/api/v1/redress/complaints", headers=served.headers(user))
        assert denied.status_code == 403
    anonymous = served.client.get("/api/v1/redress/complaints")
    assert anonymous.status_code == 401


def test_the_public_pages_are_rate_limited_per_address(served: Served) -> None:
    client = TestClient(create_app(served.database, cookie_secure=False))
    codes = [
        client.get("/api/v1/redress/complaints/by-reference/R-BBBBB-BBBBB").status_code
        for _ in range(21)
    ]
    assert codes[:20] == [404] * 20
    assert codes[20] == 429
    refused = client.post("/api/v1/redress/complaints", json=COMPLAINT)
    assert refused.status_code == 429
    assert "public redress pages" in refused.json()["error"]["message"]
