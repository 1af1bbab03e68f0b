"""Users, passwords and access tokens.

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106's second
recommended profile); a hash made with older parameters is upgraded at the next login.
After ``MAX_FAILED_LOGINS`` failures in a row an account is locked for
``LOCKOUT``; a disabled or locked account cannot sign in and its tokens stop working.
Tokens are random 256-bit strings; only their SHA-256 is stored, so a copy of the
database cannot be used to sign in.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from securecomm.auth.models import AccessToken, Agency, User
from securecomm.auth.roles import ROLE_AGENCIES, Permission, Role, permissions_of
from securecomm.database import utcnow
from securecomm.exceptions import FieldProblem, InputError, NotFoundError, SecurecommError

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
API_TOKEN_LIFETIME = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=8)
MIN_PASSWORD_LENGTH = 12
USERNAME = re.compile(r"[A-Za-z0-9._-]{1,64}")

_hasher = PasswordHasher()
# Compared against when the user does not exist, so a wrong name costs what a wrong
# password costs (no user enumeration by timing).
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


class AuthenticationError(SecurecommError):
    """Sign-in refused. The message never says whether the name or the password was wrong."""


@dataclass(frozen=True)
class Principal:
    """Who is acting: the user, their agency and what their roles allow."""

    user_id: int
    username: str
    agency_ori: str
    agency_role: str
    agency_state: str | None
    roles: frozenset[Role]
    permissions: frozenset[Permission]
    must_change_password: bool = False

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    @property
    def role_label(self) -> str:
        return ",".join(sorted(self.roles))


def principal_of(user: User) -> Principal:
    roles = frozenset(Role(role) for role in user.roles)
    return Principal(
        user_id=user.id,
        username=user.username,
        agency_ori=user.agency.ori,
        agency_role=str(user.agency.role),
        agency_state=user.agency.state,
        roles=roles,
        permissions=permissions_of(roles),
        must_change_password=user.must_change_password,
    )


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(
            [
                FieldProblem(
                    "password",
                    "auth.password_length",
                    f"a password needs at least {MIN_PASSWORD_LENGTH} characters",
                )
            ]
        )
    return _hasher.hash(password)


def one_time_password() -> str:
    return secrets.token_urlsafe(18)


def create_user(
    session: Session,
    *,
    username: str,
    full_name: str,
    agency: Agency,
    roles: set[Role],
    password: str,
    must_change_password: bool = True,
) -> User:
    problems = _user_problems(session, username, agency, roles)
    if problems:
        raise InputError(problems, summary=f"user {username!r} not created")
    user = User(
        username=username,
        full_name=full_name,
        agency_id=agency.id,
        agency=agency,
        roles=sorted(roles),
        password_hash=hash_password(password),
        must_change_password=must_change_password,
    )
    session.add(user)
    session.flush()
    return user


def _user_problems(
    session: Session, username: str, agency: Agency, roles: set[Role]
) -> list[FieldProblem]:
    problems = []
    if (
        not username
        or len(username) > 64
        or not username.replace(".", "").replace("-", "").replace("_", "").isalnum()
    ):
        problems.append(
            FieldProblem("username", "auth.username", "letters, digits, '.', '-', '_'; 1-64")
        )
    elif session.scalar(select(User).where(User.username == username)) is not None:
        problems.append(FieldProblem("username", "auth.username_taken", f"{username} exists"))
    if not roles:
        problems.append(FieldProblem("roles", "auth.no_role", "a user needs at least one role"))
    for role in sorted(roles):
        if agency.role not in ROLE_AGENCIES[role]:
            problems.append(
                FieldProblem(
                    "roles",
                    "auth.role_agency",
                    f"a {role} cannot belong to a {agency.role} ({agency.ori})",
                )
            )
    return problems


def account_state(user: User, now: datetime) -> str:
    if user.disabled:
        return "disabled"
    if user.locked_until is not None and user.locked_until > now:
        return "locked"
    return "active"


def user_by_name(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFoundError(f"no user {username!r}")
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def authenticate(
    session: Session, username: str, password: str, *, now: datetime | None = None
) -> User:
    """The user, if the password is right and the account may sign in; counts failures
    and locks the account after too many."""
    moment = now or utcnow()
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        _verify(_DUMMY_HASH, password)
        raise AuthenticationError("wrong user name or password")
    if user.locked_until is not None and user.locked_until > moment:
        raise AuthenticationError("this account is locked after repeated failures; try later")
    if user.disabled:
        raise AuthenticationError("this account is disabled")
    if not _verify(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = moment + LOCKOUT
            user.failed_logins = 0
        raise AuthenticationError("wrong user name or password")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = moment
    return user


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def change_password(session: Session, user: User, new_password: str) -> None:
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    revoke_all(session, user)


def reset_password(session: Session, user: User) -> str:
    """A new one-time password (returned once); every sign-in the user held is revoked."""
    password = one_time_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.failed_logins = 0
    user.locked_until = None
    revoke_all(session, user)
    return password


def disable(session: Session, user: User) -> None:
    user.disabled = True
    revoke_all(session, user)


@dataclass(frozen=True)
class IssuedToken:
    token: str  # shown once; only its hash is kept
    expires_at: datetime
    csrf_token: str | None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(
    session: Session, user: User, *, kind: str = "api", purpose: str = ""
) -> IssuedToken:
    """A new sign-in; ``purpose`` is what the user stated it is for (kept with every
    audit event the sign-in causes)."""
    lifetime = SESSION_LIFETIME if kind == "session" else API_TOKEN_LIFETIME
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24) if kind == "session" else None
    expires = utcnow() + lifetime
    session.add(
        AccessToken(
            token_hash=_digest(token),
            user_id=user.id,
            kind=kind,
            csrf_token=csrf,
            purpose=purpose.strip()[:200],
            expires_at=expires,
        )
    )
    session.flush()
    return IssuedToken(token, expires, csrf)


def resolve_token(session: Session, token: str, *, kind: str) -> tuple[User, AccessToken]:
    """The user a live token belongs to; expired, revoked or wrong-kind tokens fail."""
    record = session.scalar(select(AccessToken).where(AccessToken.token_hash == _digest(token)))
    now = utcnow()
    if record is None or record.kind != kind or record.revoked_at is not None:
        raise AuthenticationError("not signed in, or the sign-in was revoked")
    if record.expires_at <= now:
        raise AuthenticationError("the sign-in has expired; sign in again")
    user = session.get_one(User, record.user_id)
    if user.disabled or (user.locked_until is not None and user.locked_until > now):
        raise AuthenticationError("this account may not sign in")
    return user, record


def revoke(session: Session, token: str) -> bool:
    record = session.scalar(select(AccessToken).where(AccessToken.token_hash == _digest(token)))
    if record is None or record.revoked_at is not None:
        return False
    record.revoked_at = utcnow()
    return True


def revoke_all(session: Session, user: User) -> int:
    result = session.execute(
        update(AccessToken)
        .where(AccessToken.user_id == user.id, AccessToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)
