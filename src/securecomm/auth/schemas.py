"""What the service takes and gives for sign-in, users and agencies."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from securecomm.auth.roles import Role
from securecomm.domain import AgencyRole


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SignIn(_Strict):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)
    purpose: str = Field(
        min_length=3,
        max_length=200,
        description="What this sign-in is for; kept with every audit event it causes.",
    )


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime
    must_change_password: bool


class PasswordChange(_Strict):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=12, max_length=1024)


class MeOut(BaseModel):
    username: str
    agency: str
    agency_role: str
    roles: list[Role]
    permissions: list[str]
    must_change_password: bool


class UserIn(_Strict):
    username: str = Field(min_length=1, max_length=64)
    full_name: str = Field(min_length=1, max_length=200)
    agency: str = Field(description="The user's agency ORI.", pattern=r"^[A-Z0-9]{9}$")
    roles: list[Role] = Field(min_length=1, max_length=len(Role))


class UserOut(BaseModel):
    username: str
    full_name: str
    agency: str
    roles: list[str]
    state: str  # active, locked or disabled
    last_login_at: datetime | None


class UserCreated(BaseModel):
    user: UserOut
    one_time_password: str  # shown once


class AgencyIn(_Strict):
    ori: str = Field(pattern=r"^[A-Z0-9]{9}$")
    name: str = Field(min_length=1, max_length=200)
    role: AgencyRole
    state: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    jurisdiction: str | None = Field(
        default=None, max_length=40, description="Code of the jurisdiction a local agency serves."
    )


class AgencyOut(BaseModel):
    ori: str
    name: str
    role: AgencyRole
    state: str | None
    jurisdiction: str | None


class Revoked(BaseModel):
    revoked: int
