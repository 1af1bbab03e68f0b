"""Users and sign-in: argon2id hashes, roles only where their agency does that work,
lockout after repeated failures, short-lived hashed tokens that can be revoked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from securecomm.auth import accounts
from securecomm.auth.models import AccessToken, Agency
from securecomm.auth.roles import (
    READ_PERMISSIONS,
    ROLE_AGENCIES,
    ROLE_PERMISSIONS,
    WRITE_PERMISSIONS,
    Role,
)
from securecomm.database import Database, utcnow
from securecomm.domain import AgencyRole
from securecomm.exceptions import InputError

PASSWORD = "correct horse battery"


def _agency(database: Database, role: AgencyRole = AgencyRole.ICE_FIELD_OFFICE) -> int:
    with database.session() as session:
        agency = Agency(ori="TXICEHOU0", name="ICE Houston", role=role, state="TX")
        session.add(agency)
        session.flush()
        return agency.id


def _user(database: Database, roles: set[Role] | None = None) -> None:
    agency_id = _agency(database)
    with database.session() as session:
        accounts.create_user(
            session,
            username="officer1",
            full_name="An Officer",
            agency=session.get_one(Agency, agency_id),
            roles=roles or {Role.ICE_OFFICER},
            password=PASSWORD,
        )


def test_passwords_are_stored_as_argon2id_and_checked(sqlite_database: Database) -> None:
    _user(sqlite_database)
    with sqlite_database.session() as session:
        user = accounts.user_by_name(session, "officer1")
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash
        assert accounts.authenticate(session, "officer1", PASSWORD).id == user.id


def test_a_role_is_held_only_in_an_agency_that_does_that_work(sqlite_database: Database) -> None:
    agency_id = _agency(sqlite_database)
    with sqlite_database.session() as session, pytest.raises(InputError) as refused:
        accounts.create_user(
            session,
            username="clerk",
            full_name="A Clerk",
            agency=session.get_one(Agency, agency_id),
            roles={Role.BOOKING_OFFICER},
            password=PASSWORD,
        )
    assert refused.value.problems[0].rule == "auth.role_agency"


def test_short_passwords_and_bad_names_are_refused_by_field(sqlite_database: Database) -> None:
    agency_id = _agency(sqlite_database)
    with sqlite_database.session() as session:
        agency = session.get_one(Agency, agency_id)
        with pytest.raises(InputError, match="at least 12"):
            accounts.create_user(
                session,
                username="ok",
                full_name="x",
                agency=agency,
                roles={Role.ICE_OFFICER},
                password="short",
            )
        with pytest.raises(InputError) as bad_name:
            accounts.create_user(
                session,
                username="no spaces",
                full_name="x",
                agency=agency,
                roles={Role.ICE_OFFICER},
                password=PASSWORD,
            )
    assert bad_name.value.problems[0].field == "username"


def test_repeated_failures_lock_the_account_and_the_lock_expires(
    sqlite_database: Database,
) -> None:
    _user(sqlite_database)
    now = utcnow()
    for _attempt in range(accounts.MAX_FAILED_LOGINS):
        with sqlite_database.session() as session, pytest.raises(accounts.AuthenticationError):
            accounts.authenticate(session, "officer1", "wrong password!", now=now)
    with (
        sqlite_database.session() as session,
        pytest.raises(accounts.AuthenticationError, match="locked"),
    ):
        accounts.authenticate(session, "officer1", PASSWORD, now=now)
    later = now + accounts.LOCKOUT + timedelta(seconds=1)
    with sqlite_database.session() as session:
        assert accounts.authenticate(session, "officer1", PASSWORD, now=later)


def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password(
    sqlite_database: Database,
) -> None:
    _user(sqlite_database)
    messages = []
    for name in ("officer1", "nobody"):
        with sqlite_database.session() as session, pytest.raises(accounts.AuthenticationError) as e:
            accounts.authenticate(session, name, "wrong password!")
        messages.append(str(e.value))
    assert messages[0] == messages[1]


def test_tokens_are_hashed_short_lived_and_revocable(sqlite_database: Database) -> None:
    _user(sqlite_database)
    with sqlite_database.session() as session:
        user = accounts.user_by_name(session, "officer1")
        issued = accounts.issue_token(session, user)
        stored = session.scalars(select(AccessToken)).one()
        assert issued.token not in stored.token_hash
        assert issued.expires_at - utcnow() <= accounts.API_TOKEN_LIFETIME
        assert accounts.resolve_token(session, issued.token, kind="api")[0].id == user.id
        with pytest.raises(accounts.AuthenticationError):
            accounts.resolve_token(session, issued.token, kind="session")  # wrong kind
        assert accounts.revoke(session, issued.token)
        with pytest.raises(accounts.AuthenticationError, match="revoked"):
            accounts.resolve_token(session, issued.token, kind="api")
        second = accounts.issue_token(session, user)
        accounts.disable(session, user)
        with pytest.raises(accounts.AuthenticationError):
            accounts.resolve_token(session, second.token, kind="api")


def test_auditors_change_nothing_and_every_role_has_its_agencies() -> None:
    assert not ROLE_PERMISSIONS[Role.AUDITOR] & WRITE_PERMISSIONS
    assert ROLE_PERMISSIONS[Role.AUDITOR] == READ_PERMISSIONS  # and reads everything
    assert set(ROLE_AGENCIES) == set(Role) == set(ROLE_PERMISSIONS)
    federal_only = {"records.immigration.read", "detainer.lodge", "detainer.lift"}
    for role in (Role.BOOKING_OFFICER, Role.STATE_BUREAU_OPERATOR, Role.FINGERPRINT_EXAMINER):
        assert not {str(p) for p in ROLE_PERMISSIONS[role]} & federal_only
