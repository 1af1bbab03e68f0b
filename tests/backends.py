"""Which databases the tests run on: SQLite always, PostgreSQL when
SECURECOMM_TEST_DATABASE_URL is set (CI sets it and fails if the server is down)."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine, text

POSTGRES_URL = os.environ.get("SECURECOMM_TEST_DATABASE_URL")
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]


def reset_postgres(url: str) -> None:
    """Drop and recreate the public schema so each test starts from an empty database."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def database_url(backend: str, tmp_path: Path) -> str:
    if backend == "postgresql":
        assert POSTGRES_URL is not None
        reset_postgres(POSTGRES_URL)
        return POSTGRES_URL
    return f"sqlite:///{tmp_path / 'securecomm.sqlite'}"
