"""Every route of the app against every role: who may reach what, cell by cell.

The expected answer comes from the permission each route declares (one guard per route)
and the role table; a new route with no declared guard makes the app refuse to build.
The row-level rules (a second local agency, another field office, another repository)
are proved by name below the matrix.
"""

from __future__ import annotations

import re
from typing import Any

import pypdfium2
import pytest
from fastapi import APIRouter
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from served_world import PURPOSE, Served
from sqlalchemy import select

from securecomm.api.app import create_app
from securecomm.api.security import (
    PUBLIC,
    SIGNED_IN,
    UndeclaredAccessError,
    access_of,
    endpoints,
)
from securecomm.audit.models import AuditChainLink
from securecomm.auth.roles import ROLE_PERMISSIONS, WRITE_PERMISSIONS, Permission, Role
from securecomm.booking.models import Submission
from securecomm.cases.models import Case, Detainer
from securecomm.interop.models import OutboxMessage, Transaction
from securecomm.oversight import report as program_report
from securecomm.repositories.models import CriminalSubject, ImmigrationSubject

MISSING = 999_999  # an id no record has: a permitted write reaches "not found", no change


def _samples(served: Served) -> dict[str, Any]:
    """Real ids for reads (within the first booking officer's and officer's scope)."""
    booking1 = served.logins["booking1"].agency
    officer_office = served.logins["officer"].agency
    with served.database.session() as session:
        submission = session.scalar(
            select(Submission).where(Submission.sender == booking1).order_by(Submission.id)
        )
        assert submission is not None
        message = session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.recipient == booking1)
        )
        case = session.scalar(select(Case).where(Case.field_office == officer_office))
        transaction = session.scalar(select(Transaction))
        return {
            "submission_id": submission.id,
            "message_id": message or MISSING,
            "case_id": case.id if case else MISSING,
            "tcn": transaction.tcn if transaction else "NONE",
            "fbi_number": session.scalar(select(CriminalSubject.fbi_number)),
            "fin": session.scalar(select(ImmigrationSubject.fin)),
            "event_id": session.scalar(select(AuditChainLink.event_id)) or 1,
            "review_id": MISSING,
            "complaint_id": MISSING,
            "reference": "R-AAAAA-AAAAA",
            "detainer_id": MISSING,
            "username": "nobody-such",
            "side": "probe",
            "finger": 1,
        }


def _path(route: APIRoute, samples: dict[str, Any], *, write: bool) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        value = MISSING if write and name.endswith("_id") else samples[name]
        return str(value)

    return re.sub(r"\{(\w+)\}", fill, route.path)


def _routes(served: Served) -> list[tuple[str, APIRoute]]:
    found = [(endpoint.method, endpoint.route) for endpoint in endpoints(served.app.routes)]
    assert len(found) > 80  # every page and API route, through the included routers
    return found


class Sessions:
    """A signed-in page session per user (own cookie jar) and its CSRF token."""

    def __init__(self, served: Served) -> None:
        self.served = served
        self.clients: dict[str, tuple[TestClient, str]] = {}

    def of(self, username: str) -> tuple[TestClient, str]:
        if username not in self.clients:
            client = TestClient(self.served.app)
            login = self.served.logins[username]
            response = client.post(
                "/login",
                data={"username": username, "password": login.password, "purpose": PURPOSE},
                follow_redirects=False,
            )
            assert response.status_code == 303, response.text
            home = client.get("/")
            token = re.search(r'name="csrf_token" value="([^"]+)"', home.text)
            assert token is not None
            self.clients[username] = (client, token.group(1))
        return self.clients[username]


# Routes whose call would end the caller's own sign-in: proved in test_auth_api.
SELF_ENDING = {("POST", "/api/v1/auth/revoke"), ("POST", "/logout"), ("POST", "/password")}


def test_every_route_declares_exactly_one_guard(served: Served) -> None:
    for _method, route in _routes(served):
        assert len(access_of(route)) == 1, route.path


def test_an_app_with_an_undeclared_route_refuses_to_start(served: Served) -> None:
    stray = APIRouter()

    @stray.get("/api/v1/forgotten")
    def forgotten() -> dict[str, str]:
        return {"secret": "nobody declared who may read this"}

    from securecomm.api import app as app_module

    original = app_module.API_ROUTERS
    app_module.API_ROUTERS = (*original, stray)
    try:
        with pytest.raises(UndeclaredAccessError, match="/api/v1/forgotten"):
            create_app(served.database)
    finally:
        app_module.API_ROUTERS = original


def _call(
    client: TestClient,
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None,
    page: bool,
    csrf: str,
) -> int:
    if method == "GET":
        return client.get(path, headers=headers, follow_redirects=False).status_code
    if page:
        data = {"csrf_token": csrf}
        return client.post(path, data=data, headers=headers, follow_redirects=False).status_code
    return client.post(path, json={}, headers=headers, follow_redirects=False).status_code


@pytest.fixture
def quick_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """The matrix asks who may fetch the statistics PDF, not how it looks: rendering it
    takes seconds, twice a role (page and API). It is rendered for real below
    (``test_the_statistics_pdf_is_rendered_for_a_reader``) and in the e2e statistics."""
    monkeypatch.setattr(program_report, "pdf_bytes", lambda built: b"%PDF-1.7 matrix")


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.usefixtures("quick_pdf")
def test_each_role_reaches_exactly_the_routes_its_permissions_open(
    served: Served, role: Role
) -> None:
    username = next(name for name, login in served.logins.items() if login.role is role)
    granted = ROLE_PERMISSIONS[role]
    samples = _samples(served)
    sessions = Sessions(served)
    wrong: list[str] = []
    for method, route in _routes(served):
        (access,) = access_of(route)
        if (method, route.path) in SELF_ENDING or access.requirement == PUBLIC:
            continue
        page = access.channel == "page"
        write = method != "GET"
        path = _path(route, samples, write=write)
        if page:
            client, csrf = sessions.of(username)
            headers = None
        else:
            client, csrf = served.client, ""
            headers = served.headers(username)
        status = _call(client, method, path, headers=headers, page=page, csrf=csrf)
        allowed = access.requirement == SIGNED_IN or Permission(access.requirement) in granted
        if allowed and status in (401, 403):
            wrong.append(f"{method} {route.path}: {role} refused ({status}) though allowed")
        if not allowed and status != 403:
            wrong.append(f"{method} {route.path}: {role} got {status}, expected 403")
    assert wrong == []


def test_the_statistics_pdf_is_rendered_for_a_reader(served: Served) -> None:
    username = next(name for name, login in served.logins.items() if login.role is Role.AUDITOR)
    response = served.client.get("/api/v1/statistics/report.pdf", headers=served.headers(username))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    document = pypdfium2.PdfDocument(response.content)
    try:
        assert len(document) >= 2  # the nationwide page, then the states and periods
        page = document[0]
        text = page.get_textpage()
        assert "IDENT/IAFIS Interoperability Statistics" in text.get_text_range()
        text.close()
        page.close()
    finally:
        document.close()


def test_nobody_signed_in_reaches_nothing_but_public_routes(served: Served) -> None:
    samples = _samples(served)
    anonymous = TestClient(served.app)
    for method, route in _routes(served):
        (access,) = access_of(route)
        if access.requirement == PUBLIC:
            continue
        path = _path(route, samples, write=method != "GET")
        status = _call(
            anonymous, method, path, headers=None, page=access.channel == "page", csrf=""
        )
        expected = 303 if access.channel == "page" else 401
        assert status == expected, f"{method} {route.path}: {status}"


def test_auditors_read_everything_and_no_route_writes_the_audit_log(served: Served) -> None:
    assert not ROLE_PERMISSIONS[Role.AUDITOR] & WRITE_PERMISSIONS
    reads = {p for p in Permission if p not in WRITE_PERMISSIONS}
    assert ROLE_PERMISSIONS[Role.AUDITOR] == reads
    for method, route in _routes(served):
        if "/audit" in route.path:
            assert method == "GET", f"{method} {route.path} would change the audit log"


# --------------------------------------------------------------------------- row-level rules


def test_a_local_agency_sees_only_its_own_bookings_answers_and_detainers(served: Served) -> None:
    mine, theirs = served.headers("booking1"), served.headers("booking2")
    own = served.client.get("/api/v1/bookings?limit=500", headers=mine).json()["items"]
    other = served.client.get("/api/v1/bookings?limit=500", headers=theirs).json()["items"]
    assert own
    assert other
    assert {b["sender"] for b in own} == {served.logins["booking1"].agency}
    assert {b["sender"] for b in other} == {served.logins["booking2"].agency}
    for booking in own[:5]:
        assert (
            served.client.get(f"/api/v1/bookings/{booking['id']}", headers=mine).status_code == 200
        )
        refused = served.client.get(f"/api/v1/bookings/{booking['id']}", headers=theirs)
        assert refused.status_code == 404
        assert refused.json()["error"]["code"] == "not_found"
        state = served.client.get(f"/api/v1/bookings/{booking['id']}/state", headers=mine)
        assert state.json() == {
            "id": booking["id"],
            "state": booking["state"],
            "final": booking["state"] in {"done", "rejected", "parked", "failed"},
        }
        refused = served.client.get(f"/api/v1/bookings/{booking['id']}/state", headers=theirs)
        assert refused.status_code == 404
    for detainer in served.client.get("/api/v1/detainers", headers=theirs).json()["items"]:
        assert detainer["agency"] == served.logins["booking2"].agency
    with served.database.session() as session:
        lodged = session.execute(
            select(Detainer.id, Transaction.ori)
            .join(Case, Detainer.case_id == Case.id)
            .join(Transaction, Case.transaction_id == Transaction.id)
        ).all()
    for detainer_id, ori in lodged:
        if ori != served.logins["booking2"].agency:
            answer = served.client.post(
                f"/api/v1/detainers/{detainer_id}/answer", json={"honoured": True}, headers=theirs
            )
            assert answer.status_code == 404


def test_a_state_bureau_sees_its_states_agencies_and_no_other(served: Served) -> None:
    bureau_state = served.logins["bureau"].agency[:2]
    listed = served.client.get("/api/v1/bookings?limit=500", headers=served.headers("bureau"))
    senders = {b["sender"] for b in listed.json()["items"]}
    assert served.logins["booking1"].agency in senders
    assert all(sender.startswith(bureau_state) for sender in senders)


def test_only_federal_roles_read_immigration_records_and_status(served: Served) -> None:
    fin = _samples(served)["fin"]
    for username in ("booking1", "bureau", "examiner", "admin", "redress"):
        headers = served.headers(username)
        assert (
            served.client.get(f"/api/v1/immigration-records/{fin}", headers=headers).status_code
            == 403
        )
        assert served.client.get("/api/v1/transactions", headers=headers).status_code == 403
    for username in ("analyst", "officer", "supervisor", "auditor"):
        headers = served.headers(username)
        assert (
            served.client.get(f"/api/v1/immigration-records/{fin}", headers=headers).status_code
            == 200
        )


def test_an_officer_sees_only_the_own_field_offices_cases(served: Served) -> None:
    office = served.logins["officer"].agency
    with served.database.session() as session:
        elsewhere = session.scalar(select(Case.id).where(Case.field_office != office))
        here = session.scalar(select(Case.id).where(Case.field_office == office))
    headers = served.headers("officer")
    listed = served.client.get("/api/v1/cases?limit=500", headers=headers).json()["items"]
    with served.database.session() as session:
        offices = {session.get_one(Case, item["id"]).field_office for item in listed}
    assert offices <= {office}
    if elsewhere is not None:
        assert served.client.get(f"/api/v1/cases/{elsewhere}", headers=headers).status_code == 404
        assert (
            served.client.get(
                f"/api/v1/cases/{elsewhere}", headers=served.headers("analyst")
            ).status_code
            == 200
        )
    if here is not None:
        assert served.client.get(f"/api/v1/cases/{here}", headers=headers).status_code == 200


def test_an_examiner_sees_only_the_own_repositorys_queue(served: Served) -> None:
    from securecomm.repositories.models import ExaminerReview, Repository, ReviewStatus

    with served.database.session() as session:
        transaction = session.scalar(select(Transaction))
        assert transaction is not None
        review = ExaminerReview(
            transaction_id=transaction.id,
            repository=Repository.IMMIGRATION,
            candidate_subject_id=1,
            score=30.0,
            status=ReviewStatus.PENDING,
        )
        session.add(review)
        session.flush()
        review_id = review.id
    criminal, ident = served.headers("examiner"), served.headers("examiner-ident")
    assert (
        served.client.get(f"/api/v1/examiner/reviews/{review_id}", headers=criminal).status_code
        == 404
    )
    queue = served.client.get("/api/v1/examiner/reviews", headers=ident).json()["items"]
    assert review_id in {item["id"] for item in queue}
    assert all(
        item["repository"] == "criminal"
        for item in served.client.get("/api/v1/examiner/reviews", headers=criminal).json()["items"]
    )
    assert served.client.get("/api/v1/cases", headers=ident).status_code == 403


def test_every_personal_read_is_audited_with_who_role_agency_and_purpose(served: Served) -> None:
    from securecomm.audit.models import AuditEvent

    fin = _samples(served)["fin"]
    served.client.get(f"/api/v1/immigration-records/{fin}", headers=served.headers("analyst"))
    with served.database.session() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "api.read").order_by(AuditEvent.id.desc())
        ).first()
    assert event is not None
    assert event.actor == "analyst"
    assert event.role == "status_analyst"
    assert event.agency == served.logins["analyst"].agency
    assert event.purpose == PURPOSE
    assert f"fin:{fin}" in event.records
