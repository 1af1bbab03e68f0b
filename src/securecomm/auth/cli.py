"""``securecomm init``, ``securecomm users ...`` and ``securecomm agencies ...``:
setting up a deployment, its people and its participants."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from securecomm.audit import service as audit_service
from securecomm.auth import accounts
from securecomm.auth import service as auth_service
from securecomm.auth.models import Agency
from securecomm.auth.roles import Role
from securecomm.auth.standing import standing_agencies
from securecomm.clitools import DatabaseOption, audit_read, console, run_unit
from securecomm.database import utcnow
from securecomm.domain import AgencyRole
from securecomm.interop import service as interop_service

users_app = typer.Typer(help="People who sign in: add, list, disable.", no_args_is_help=True)
agencies_app = typer.Typer(help="Participating agencies by ORI: add, list.", no_args_is_help=True)
OPERATOR = "cli-operator"  # who acts at the shell (the OS account is outside the system)


def _audit(session: Session, kind: str, summary: str, records: list[str]) -> None:
    audit_service.record(
        session,
        kind=kind,
        actor=OPERATOR,
        role="administrator",
        occurred_at=utcnow(),
        summary=summary,
        records=records,
        purpose="deployment administration",
    )


def init_deployment(session: Session, *, admin: str = "admin") -> tuple[list[str], str | None]:
    """Register the standing agencies that are missing and, when no administrator exists,
    one with a one-time password (returned once): what was added, and that password."""
    added = []
    for standing in standing_agencies():
        if session.scalar(select(Agency).where(Agency.ori == standing.ori)) is None:
            session.add(
                Agency(
                    ori=standing.ori, name=standing.name, role=standing.role, state=standing.state
                )
            )
            added.append(standing.ori)
    session.flush()
    password = None
    if not any(Role.ADMINISTRATOR in u.roles for u in accounts.list_users(session)):
        password = accounts.one_time_password()
        home = auth_service.agency_by_ori(session, standing_agencies()[0].ori)
        accounts.create_user(
            session,
            username=admin,
            full_name="Administrator",
            agency=home,
            roles={Role.ADMINISTRATOR},
            password=password,
        )
        _audit(session, "user.created", f"administrator {admin} created", [f"user:{admin}"])
    if added:
        _audit(session, "agency.registered", f"{len(added)} standing agencies", added)
    return added, password


def init(
    database_url: DatabaseOption = None,
    admin: Annotated[str, typer.Option(help="User name of the first administrator.")] = "admin",
) -> None:
    """Create or upgrade the database, register the standing agencies and, the first
    time, an administrator whose one-time password is printed once."""
    added, password = run_unit(database_url, lambda session: init_deployment(session, admin=admin))
    console.print(f"database ready; {len(added)} standing agencies registered")
    if password is not None:
        console.print(
            f"administrator [bold]{admin}[/]: one-time password [bold]{password}[/] "
            "(shown once; it must be changed at first sign-in)"
        )
    console.print(
        "next: `securecomm agencies add` for local agencies, `securecomm users add`, "
        "then `securecomm serve`"
    )


@users_app.command("add")
def add_user(
    username: Annotated[str, typer.Argument()],
    agency: Annotated[str, typer.Option(help="The user's agency ORI.")],
    role: Annotated[list[Role], typer.Option(help="A role; repeat for several.")],
    full_name: Annotated[str, typer.Option(help="The person's name.")] = "",
    database_url: DatabaseOption = None,
) -> None:
    """Add a user with a one-time password (printed once, changed at first sign-in)."""
    password = accounts.one_time_password()

    def work(session: Session) -> None:
        home = auth_service.agency_by_ori(session, agency)
        accounts.create_user(
            session,
            username=username,
            full_name=full_name or username,
            agency=home,
            roles=set(role),
            password=password,
        )
        _audit(
            session, "user.created", f"user {username} ({', '.join(role)})", [f"user:{username}"]
        )

    run_unit(database_url, work)
    console.print(f"user {username} added; one-time password [bold]{password}[/] (shown once)")


@users_app.command("list")
def list_users(database_url: DatabaseOption = None) -> None:
    """Every user with agency, roles and whether they can sign in."""

    def work(session: Session) -> list[tuple[str, ...]]:
        now = utcnow()
        rows: list[tuple[str, ...]] = [
            (
                user.username,
                user.agency.ori,
                ", ".join(user.roles),
                accounts.account_state(user, now),
            )
            for user in accounts.list_users(session)
        ]
        audit_read(session, command="users list", records=(f"user:{row[0]}" for row in rows))
        return rows

    table = Table("user", "agency", "roles", "state")
    for row in run_unit(database_url, work):
        table.add_row(*row)
    console.print(table)


@users_app.command("disable")
def disable_user(username: str, database_url: DatabaseOption = None) -> None:
    """Disable a user and revoke every sign-in they hold."""

    def work(session: Session) -> None:
        user = accounts.user_by_name(session, username)
        accounts.disable(session, user)
        _audit(session, "user.disabled", f"user {username} disabled", [f"user:{username}"])

    run_unit(database_url, work)
    console.print(f"user {username} disabled; their tokens are revoked")


@agencies_app.command("add")
def add_agency(
    ori: Annotated[str, typer.Argument(help="Nine characters, e.g. TX1010000.")],
    name: Annotated[str, typer.Option()],
    role: Annotated[AgencyRole, typer.Option()],
    state: Annotated[str | None, typer.Option(help="Two-letter state code.")] = None,
    jurisdiction: Annotated[
        str | None, typer.Option(help="Jurisdiction code (county FIPS) of a local agency.")
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Register a participating agency."""

    def work(session: Session) -> None:
        served = None
        if jurisdiction is not None:
            served = interop_service.jurisdiction_by_code(
                session, jurisdiction, field="--jurisdiction"
            ).id
        auth_service.register_agency(
            session, ori=ori, name=name, role=role, state=state, jurisdiction_id=served
        )
        _audit(session, "agency.registered", f"agency {ori} ({role})", [f"agency:{ori}"])

    run_unit(database_url, work)
    console.print(f"agency {ori} registered")


@agencies_app.command("list")
def list_agencies(database_url: DatabaseOption = None) -> None:
    """Every registered agency."""

    def work(session: Session) -> list[tuple[str, ...]]:
        rows = auth_service.list_agencies(session)
        return [(a.ori, str(a.role), a.state or "", a.name) for a in rows]

    table = Table("ORI", "role", "state", "name")
    for row in run_unit(database_url, work):
        table.add_row(*row)
    console.print(table)
