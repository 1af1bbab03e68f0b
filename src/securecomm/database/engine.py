"""Opening a database: engine tuned per backend, migrations applied on start or, where
they run as a deploy step, the schema checked."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from securecomm.database.locks import MIGRATION_LOCK_KEY
from securecomm.exceptions import ConfigurationError

MIGRATIONS = Path(__file__).parent / "migrations"
_HELD_ROWS = "securecomm.database.held_rows"  # session.info: rows kept for the unit


@event.listens_for(Session, "loaded_as_persistent")
def _hold_loaded_row(session: Session, instance: object) -> None:
    held: list[object] | None = session.info.get(_HELD_ROWS)
    if held is not None:
        held.append(instance)


@dataclass(frozen=True)
class Database:
    engine: Engine
    sessions: sessionmaker[Session]

    @contextmanager
    def session(self, *, hold_rows: bool = False) -> Iterator[Session]:
        """One unit of work: committed on success, rolled back on any error.

        ``hold_rows``: keep every row loaded in the session's identity map until the
        unit ends. The map holds rows weakly, so a row a step loaded and let go of was
        read again by the next step that asked for it by key (the worker's units, a few
        dozen rows each; not for a unit that reads many)."""
        with self.sessions.begin() as session:
            if hold_rows:
                session.info[_HELD_ROWS] = []
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
        # The flow's statements are short: compiling one to machine code (PostgreSQL's
        # JIT, on by default) costs more than running it, and a planner without fresh
        # statistics on a big table would pay that at every booking.
        return create_engine(url, pool_pre_ping=True, connect_args={"options": "-c jit=off"})
    raise ConfigurationError(f"unsupported database backend {parsed.get_backend_name()!r}")


def refresh_statistics(database: Database, *tables: str) -> None:
    """Have the planner count ``tables`` again after a bulk load: the flow's queries on
    them are planned by these counts, and a server with autovacuum off (or not yet round
    to it) would otherwise plan them by guesswork (on 20,000,000 fingerprints, every
    query costed high enough for PostgreSQL to compile it at each booking)."""
    with database.engine.begin() as connection:
        for table in tables:
            connection.execute(
                text(f"ANALYZE {connection.dialect.identifier_preparer.quote(table)}")
            )


def maintenance_warnings(database: Database) -> list[str]:
    """What in the server's settings will slow the flow as the store ages (said once
    at a worker's start): PostgreSQL with autovacuum off never clears the dead rows of
    the queue tables nor counts them again, so claims and delivery rounds walk a
    growing pile of old row versions and are planned by stale counts."""
    if database.engine.dialect.name != "postgresql":
        return []
    with database.engine.connect() as connection:
        autovacuum = connection.scalar(text("SHOW autovacuum"))
    if autovacuum == "on":
        return []
    return [
        "PostgreSQL autovacuum is off: the queue tables' dead rows are never cleared, "
        "so each claim and delivery slows as bookings accumulate. Turn it on (the "
        "default) or run VACUUM ANALYZE on a schedule."
    ]


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (idempotent). On PostgreSQL under
    an advisory lock, so processes started together migrate one after the other."""
    config = _alembic_config()
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
            )
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@dataclass(frozen=True)
class SchemaState:
    current: str | None  # the store's revision (None: never migrated)
    head: str  # the revision this release needs

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def schema_state(engine: Engine) -> SchemaState:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None  # the package ships its migrations
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return SchemaState(current, head)


def require_current_schema(engine: Engine, url: str) -> None:
    """Refuse a store whose schema is not this release's (migrations run on deploy)."""
    state = schema_state(engine)
    if not state.up_to_date:
        raise ConfigurationError(
            f"the database at {mask_url(url)!r} has schema revision {state.current or 'none'}"
            f", this release needs {state.head}: run `securecomm db upgrade` (the deploy "
            "step) first, or set SECURECOMM_MIGRATE_ON_OPEN=true"
        )


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
    """The database at ``url``. With ``apply_migrations`` its schema is brought to this
    release's, or, where migrations run as a deploy step (SECURECOMM_MIGRATE_ON_OPEN=
    false), checked to be it already."""
    # Every table mapped (as the migrations see them), whichever domain opened the store:
    # a unit of work resolves foreign keys across domains, e.g. an audit event's case, in
    # a process that imported only its own (a gallery shard's actor).
    import securecomm.models  # noqa: F401
    from securecomm.config import get_settings

    engine = make_engine(url)
    if apply_migrations:
        try:
            _prepare_schema(engine, url, migrate_on_open=get_settings().migrate_on_open)
        except BaseException:
            engine.dispose()  # no connection left open behind a refused store
            raise
    return Database(engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))


def _prepare_schema(engine: Engine, url: str, *, migrate_on_open: bool) -> None:
    try:
        if migrate_on_open:
            migrate(engine)
        else:
            require_current_schema(engine, url)
    except OperationalError as error:
        reason = str(error.orig).replace(parsed_password(url), "***") if error.orig else ""
        message = f"cannot open or migrate the database at {mask_url(url)!r}: {reason}"
        raise ConfigurationError(message) from None
    except CommandError as error:
        raise ConfigurationError(f"database migrations are inconsistent: {error}") from error
