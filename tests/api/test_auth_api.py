"""Signing in through the service: argon2id, lockout and rate limits, tokens that expire
and can be revoked, a one-time password that must be changed, session cookies with
CSRF protection on every form."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from served_world import PURPOSE, Served
from sqlalchemy import select

from securecomm.api.app import create_app
from securecomm.api.ratelimit import SlidingWindowLimiter
from securecomm.api.security import SESSION_COOKIE
from securecomm.audit.models import AuditEvent
from securecomm.auth import accounts
from securecomm.auth.models import AccessToken, User
from securecomm.auth.roles import Role


def _token(client: TestClient, username: str, password: str) -> dict[str, str]:
    response = client.post(
        "/api/v1/auth/token",
        json={"username": username, "password": password, "purpose": PURPOSE},
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _own_user(served: Served, username: str, password: str = "a long test password") -> str:
    """A user of this test's own (the shared users stay as they are for the others)."""
    with served.database.session() as session:
        accounts.create_user(
            session,
            username=username,
            full_name=username,
            agency=session.get_one(User, 1).agency,
            roles={Role.AUDITOR},
            password=password,
            must_change_password=False,
        )
    return password


def test_a_wrong_password_is_refused_audited_and_locks_after_repeats(served: Served) -> None:
    client = served.client
    password = _own_user(served, "locked-out")
    for _ in range(accounts.MAX_FAILED_LOGINS):
        refused = client.post(
            "/api/v1/auth/token",
            json={"username": "locked-out", "password": "not the password", "purpose": PURPOSE},
        )
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "authentication_failed"
    locked = client.post(
        "/api/v1/auth/token",
        json={"username": "locked-out", "password": password, "purpose": PURPOSE},
    )
    assert locked.status_code == 401
    assert "locked" in locked.json()["error"]["message"]
    with served.database.session() as session:
        failures = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "auth.sign_in_failed")
        ).all()
        assert len(failures) >= accounts.MAX_FAILED_LOGINS
        assert all("not the password" not in e.summary for e in failures)


def test_sign_in_attempts_are_rate_limited_per_address_and_per_user(served: Served) -> None:
    strict = create_app(
        served.database,
        cookie_secure=False,
        signin_limiter=SlidingWindowLimiter(attempts=3, seconds=60, per_user=2),
    )
    client = TestClient(strict)
    body = {"username": "someone", "password": "x", "purpose": PURPOSE}
    assert client.post("/api/v1/auth/token", json=body).status_code == 401
    assert client.post("/api/v1/auth/token", json=body).status_code == 401
    limited = client.post("/api/v1/auth/token", json=body)
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.json()["error"]["code"] == "too_many_requests"


def test_tokens_are_revocable_and_stored_only_as_hashes(served: Served) -> None:
    headers = _token(served.client, "revoker", _own_user(served, "revoker"))
    raw = headers["Authorization"].removeprefix("Bearer ")
    with served.database.session() as session:
        hashes = set(session.scalars(select(AccessToken.token_hash)))
    assert raw not in hashes
    assert served.client.get("/api/v1/auth/me", headers=headers).status_code == 200
    assert served.client.post("/api/v1/auth/revoke", headers=headers).json() == {"revoked": 1}
    after = served.client.get("/api/v1/auth/me", headers=headers)
    assert after.status_code == 401
    assert after.headers["WWW-Authenticate"] == "Bearer"


def test_a_one_time_password_opens_only_the_password_change(served: Served) -> None:
    _own_user(served, "first-timer")
    with served.database.session() as session:
        user = accounts.user_by_name(session, "first-timer")
        one_time = accounts.reset_password(session, user)
    headers = _token(served.client, "first-timer", one_time)
    assert served.client.get("/api/v1/auth/me", headers=headers).json()["must_change_password"]
    blocked = served.client.get("/api/v1/audit/events", headers=headers)
    assert blocked.status_code == 403
    assert "one-time password" in blocked.json()["error"]["message"]
    changed = served.client.post(
        "/api/v1/auth/password",
        json={"current_password": one_time, "new_password": "a brand new passphrase"},
        headers=headers,
    )
    assert changed.status_code == 200
    assert served.client.get("/api/v1/audit/events", headers=headers).status_code == 401  # revoked
    fresh = _token(served.client, "first-timer", "a brand new passphrase")
    assert served.client.get("/api/v1/audit/events", headers=fresh).status_code == 200


def test_the_session_cookie_is_httponly_samesite_and_every_form_needs_its_csrf_token(
    served: Served,
) -> None:
    secure_app = create_app(served.database, cookie_secure=True)
    client = TestClient(secure_app, base_url="https://testserver")
    login = served.logins["admin"]
    signed = client.post(
        "/login",
        data={"username": "admin", "password": login.password, "purpose": PURPOSE},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    cookie = signed.headers["set-cookie"]
    assert f"{SESSION_COOKIE}=" in cookie
    for flag in ("HttpOnly", "Secure", "SameSite=strict"):
        assert flag.lower() in cookie.lower()
    page = client.get("/admin/users")
    assert page.status_code == 200
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    form = {"username": "new.person", "full_name": "New Person", "agency": login.agency}
    forged = client.post("/admin/users", data={**form, "roles": "auditor"}, follow_redirects=False)
    assert forged.status_code == 403
    wrong = client.post(
        "/admin/users",
        data={**form, "roles": "auditor", "csrf_token": "not-the-token"},
        follow_redirects=False,
    )
    assert wrong.status_code == 403
    cross_site = client.post(
        "/admin/users",
        data={**form, "roles": "auditor", "csrf_token": token.group(1)},
        headers={"Origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert cross_site.status_code == 403
    made = client.post(
        "/admin/users",
        data={**form, "roles": "auditor", "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert made.status_code == 200
    assert 'data-testid="one-time-password"' in made.text
    signed_out = client.post("/logout", data={"csrf_token": token.group(1)}, follow_redirects=False)
    assert signed_out.status_code == 303
    assert client.get("/admin/users", follow_redirects=False).status_code == 303  # to sign-in
