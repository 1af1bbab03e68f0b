"""Opening a database: engine tuned per backend, migrations applied on start."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.util import CommandError
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from securecomm.exceptions import ConfigurationError

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass(frozen=True)
class Database:
    engine: Engine
    sessions: sessionmaker[Session]

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: committed on success, rolled back on any error."""
        with self.sessions.begin() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers (reports) run beside the worker; NORMAL is crash-safe in WAL mode.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def mask_url(url: str) -> str:
    """The URL with its password replaced by ``***`` (also when it does not parse)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return re.sub(r"(//[^:/@]*:)[^@]*@", r"\1***@", url)


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        message = f"SECURECOMM_DATABASE_URL is not a database URL: {mask_url(url)!r}"
        raise ConfigurationError(message) from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _tune_sqlite)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True)
    raise ConfigurationError(f"unsupported database backend {parsed.get_backend_name()!r}")


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (idempotent)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@contextmanager
def opened_database(url: str | None = None) -> Iterator[Database]:
    """A migrated database for one command: the given URL or SECURECOMM_DATABASE_URL,
    disposed of afterwards."""
    from securecomm.config import get_settings

    database = open_database(url or get_settings().database_url)
    try:
        yield database
    finally:
        database.dispose()


def parsed_password(url: str) -> str:
    """The URL's password, or a string that occurs in no message."""
    try:
        password = make_url(url).password
    except ArgumentError:
        password = None
    return str(password) if password else "\x00"


def open_database(url: str, *, apply_migrations: bool = True) -> Database:
    engine = make_engine(url)
    if apply_migrations:
        try:
            migrate(engine)
        except OperationalError as error:
            reason = str(error.orig).replace(parsed_password(url), "***") if error.orig else ""
            message = f"cannot open or migrate the database at {mask_url(url)!r}: {reason}"
            raise ConfigurationError(message) from None
        except CommandError as error:
            raise ConfigurationError(f"database migrations are inconsistent: {error}") from error
    return Database(engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))
