"""``securecomm db``: the schema as a deploy step (upgrade before the new release's
workers and services start; they refuse a store that is behind when
SECURECOMM_MIGRATE_ON_OPEN=false)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from securecomm.clitools import DatabaseOption, console, fail
from securecomm.config import get_settings
from securecomm.database.engine import (
    make_engine,
    mask_url,
    migrate,
    parsed_password,
    schema_state,
)
from securecomm.exceptions import SecurecommError

app = typer.Typer(no_args_is_help=True, help="The store's schema (migrations on deploy).")


@app.command()
def upgrade(database_url: DatabaseOption = None) -> None:
    """Bring the store's schema to this release's (idempotent; safe to run from several
    machines at once: on PostgreSQL they take turns)."""
    url = database_url or get_settings().database_url
    with _engine(url) as engine:
        before = schema_state(engine)
        migrate(engine)
        after = schema_state(engine)
    if before.up_to_date:
        console.print(f"{mask_url(url)}: schema already at {after.head}")
    else:
        console.print(f"{mask_url(url)}: schema {before.current or 'none'} -> {after.current}")


@app.command()
def status(database_url: DatabaseOption = None) -> None:
    """The store's schema revision and this release's; exits 1 when they differ."""
    url = database_url or get_settings().database_url
    with _engine(url) as engine:
        state = schema_state(engine)
    console.print(f"store {state.current or 'none'}, release {state.head}")
    if not state.up_to_date:
        raise typer.Exit(1)


@contextmanager
def _engine(url: str) -> Iterator[Engine]:
    """An engine on ``url``; a store that cannot be reached or used ends the command
    with the reason (password masked), never a traceback."""
    try:
        engine = make_engine(url)
    except SecurecommError as error:
        raise fail(str(error)) from None
    try:
        yield engine
    except OperationalError as error:
        reason = str(error.orig).replace(parsed_password(url), "***") if error.orig else ""
        raise fail(f"cannot reach or migrate the database at {mask_url(url)!r}: {reason}") from None
    finally:
        engine.dispose()
