from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from securecomm.database import Base, EnumText, utcnow
from securecomm.domain import AgencyRole


class Agency(Base):
    """A participant identified by its ORI: a sheriff, a state bureau, a federal role."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    ori: Mapped[str] = mapped_column(String(9), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[AgencyRole] = mapped_column(EnumText(AgencyRole, 32))
    state: Mapped[str | None] = mapped_column(String(2))
    jurisdiction_id: Mapped[int | None] = mapped_column(ForeignKey("jurisdictions.id"))


class User(Base):
    """A person who signs in: one agency, one or more roles, an argon2id password hash."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    roles: Mapped[list[str]] = mapped_column(default=list)
    password_hash: Mapped[str] = mapped_column(String(200))
    must_change_password: Mapped[bool] = mapped_column(default=False)
    disabled: Mapped[bool] = mapped_column(default=False)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    agency: Mapped[Agency] = relationship(lazy="joined")


class AccessToken(Base):
    """A bearer token for the API or a page session: only its SHA-256 is stored; short-
    lived, and revocable one by one or all at once for a user."""

    __tablename__ = "access_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # "api" or "session"
    csrf_token: Mapped[str | None] = mapped_column(String(64))  # for page sessions
    purpose: Mapped[str] = mapped_column(String(200), default="")  # stated at sign-in
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
