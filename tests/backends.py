"""Which databases the tests run on: SQLite always, PostgreSQL when
SECURECOMM_TEST_DATABASE_URL is set (CI sets it and fails if the server is down).

Under pytest-xdist each worker gets a PostgreSQL database of its own (the configured
one's name plus the worker id, created on first use), so workers never reset each
other's schema."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def _per_worker(url: str | None) -> str | None:
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if url is None or not worker:
        return url
    return _database_named(url, f"{make_url(url).database}_{worker}")


def _database_named(url: str, name: str) -> str:
    """``url`` pointed at database ``name`` on the same server, created if missing."""
    configured = make_url(url)
    admin = create_engine(configured.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        )
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return configured.set(database=name).render_as_string(hide_password=False)


POSTGRES_URL = _per_worker(os.environ.get("SECURECOMM_TEST_DATABASE_URL"))
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]


def reset_postgres(url: str) -> None:
    """Drop and recreate the public schema so each test starts from an empty database."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def dedicated_url(backend: str, tmp_path: Path, purpose: str) -> str:
    """A database of its own for a fixture that outlives single tests (the served world):
    the per-test resets of the shared test database never reach it."""
    if backend == "postgresql":
        assert POSTGRES_URL is not None
        url = _database_named(POSTGRES_URL, f"{make_url(POSTGRES_URL).database}_{purpose}")
        reset_postgres(url)
        return url
    return f"sqlite:///{tmp_path / f'{purpose}.sqlite'}"


def database_url(backend: str, tmp_path: Path) -> str:
    if backend == "postgresql":
        assert POSTGRES_URL is not None
        reset_postgres(POSTGRES_URL)
        return POSTGRES_URL
    return f"sqlite:///{tmp_path / 'securecomm.sqlite'}"
