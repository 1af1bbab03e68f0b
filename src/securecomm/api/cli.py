"""``securecomm serve``: the service (API and pages) on the embedded default, with its own
worker; ``--demo`` first builds (or reopens) the demo world and one user per role."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict, dataclass
from typing import Annotated, Literal

import typer
from fastapi import FastAPI

from securecomm.clitools import DatabaseOption, console, fail, phase_reporter, progress
from securecomm.config import get_settings
from securecomm.database import Database, open_database, opened_database
from securecomm.database.locks import runs_in_parallel
from securecomm.exceptions import SecurecommError
from securecomm.logs import configure

DEMO_COMMAND = ".venv/bin/securecomm serve --demo"


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    database_url: DatabaseOption = None,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Build (or reopen) the seeded demo world in out/demo.sqlite and print one "
            "login per role (development only).",
        ),
    ] = False,
    worker: Annotated[
        bool, typer.Option(help="Run a worker in this process (the embedded default).")
    ] = True,
    automatic_detainers: Annotated[
        bool,
        typer.Option(
            help="Lodge the detainers the rules call for at once, as batch runs do, instead "
            "of proposing them to an ICE officer."
        ),
    ] = False,
    log_format: Annotated[str, typer.Option(help="json or text")] = "json",
    processes: Annotated[
        int,
        typer.Option(
            "--processes",
            min=1,
            max=64,
            help="Service processes (uvicorn workers) sharing the store, each with its own "
            "embedded worker unless --no-worker; more than one needs PostgreSQL.",
        ),
    ] = 1,
) -> None:
    """Start the service: the API under /api/v1 and the pages, on this machine."""
    import uvicorn

    settings = get_settings()
    if demo and settings.environment != "development":
        raise fail("--demo prints passwords: it runs only in the development environment")
    style: Literal["json", "text"] = "text" if log_format == "text" else "json"
    configure(style)
    try:
        url = _demo_world(database_url) if demo else database_url or settings.database_url
        with opened_database(url) as database:
            if demo:
                _print_demo_logins(database, host, port)
                _todays_work(database)
            _require_setup(database)
            if processes > 1 and not runs_in_parallel(database.engine):
                raise fail(
                    f"--processes {processes} needs PostgreSQL: SQLite takes one writer at a "
                    "time (set SECURECOMM_DATABASE_URL or --database-url to a PostgreSQL store)"
                )
            options = ServeOptions(url, worker, not automatic_detainers, style)
            console.print(f"securecomm is serving at http://{host}:{port}/  (Ctrl-C stops it)")
            if processes == 1:
                app = _app(database, options)
                uvicorn.run(app, host=host, port=port, log_config=None, access_log=False)
                return
        # Each process opens the store itself (uvicorn starts them from the factory).
        os.environ[SERVE_OPTIONS] = json.dumps(asdict(options))
        uvicorn.run(
            "securecomm.api.cli:app_from_environment",
            factory=True,
            workers=processes,
            host=host,
            port=port,
            log_config=None,
            access_log=False,
        )
    except SecurecommError as error:
        raise fail(str(error)) from None


SERVE_OPTIONS = "SECURECOMM_SERVE_OPTIONS"  # serve's options, for its other processes


@dataclass(frozen=True)
class ServeOptions:
    database_url: str
    worker: bool
    officers_decide: bool
    log_format: Literal["json", "text"]


def _app(database: Database, options: ServeOptions) -> FastAPI:
    from securecomm.api.app import create_app
    from securecomm.pipeline.background import BackgroundWorker

    background = (
        BackgroundWorker(database, officers_decide=options.officers_decide)
        if options.worker
        else None
    )
    return create_app(
        database,
        worker=background,
        officers_decide=options.officers_decide,
        cookie_secure=get_settings().cookie_secure,
    )


def app_from_environment() -> FastAPI:
    """The app of one of several service processes (``serve --processes N``)."""
    options = ServeOptions(**json.loads(os.environ[SERVE_OPTIONS]))
    configure(options.log_format)
    return _app(open_database(options.database_url), options)


def permissions() -> None:
    """Which role holds which permission, and what every route and page needs, as the
    Markdown docs/service.md holds (printed from the code, not written by hand)."""
    from securecomm.api.app import create_app
    from securecomm.api.permission_table import markdown
    from securecomm.database import open_database

    database = open_database("sqlite:///:memory:")
    try:
        sys.stdout.write(markdown(create_app(database)) + "\n")
    finally:
        database.dispose()


def _require_setup(database: Database) -> None:
    from sqlalchemy import func, select

    from securecomm.auth.models import Agency, User

    with database.session() as session:
        agencies = session.scalar(select(func.count()).select_from(Agency)) or 0
        users = session.scalar(select(func.count()).select_from(User)) or 0
    if not agencies or not users:
        raise SecurecommError(
            "this database has no agencies or no users yet: run `securecomm init` first "
            "(or `securecomm serve --demo` for the demo world)"
        )


def _demo_world(database_url: str | None) -> str:
    """The demo world's store: the one `make demo` finished, opened as it is, or built
    the same way (an unfinished run resumes)."""
    from securecomm.simulation import demo_store
    from securecomm.simulation.cli import demo_database
    from securecomm.simulation.demo import DemoOptions, run_demo

    options = DemoOptions()
    default = options.output_dir / "demo.sqlite"
    if database_url is None and default.exists():
        with opened_database(f"sqlite:///{default}") as database:
            if demo_store.finished(database, options.world_options()):
                return f"sqlite:///{default}"
    url = database_url or demo_database(options.output_dir, options)
    with opened_database(url) as database, progress() as bars:
        run_demo(database, options, phase_reporter(bars))
    return url


def _todays_work(database: Database) -> None:
    from securecomm.simulation.demo_users import demo_state
    from securecomm.simulation.live import todays_bookings

    with database.session() as session:
        state = demo_state(session)
    booked = todays_bookings(database, state=state)
    if booked:
        console.print(
            f"{booked} people the repositories know were booked again today; the worker "
            "answers them and the field office's queue holds their detainers"
        )


def _print_demo_logins(database: Database, host: str, port: int) -> None:
    from rich.table import Table

    from securecomm.auth.cli import init_deployment
    from securecomm.simulation.demo_users import ensure_demo_users

    with database.session() as session:
        init_deployment(session)
        logins = ensure_demo_users(session)
    table = Table(title=f"Demo logins for http://{host}:{port}/ (new passwords each start)")
    for column in ("user", "role", "agency", "password"):
        table.add_column(column)
    for login in logins:
        table.add_row(login.username, login.role.value, login.agency, login.password)
    console.print(table)
    console.print("Sign in, state a purpose; every read of personal data is audited.")


__all__ = ["DEMO_COMMAND", "serve"]
