"""Shared fixtures: a migrated database on SQLite always, and on PostgreSQL when
SECURECOMM_TEST_DATABASE_URL is set (CI sets it and fails if the server is down)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from backends import BACKENDS, database_url
from securecomm.database import Database, open_database

# The fault runs kill processes and restart the database server: only `make faults`.
collect_ignore = [] if os.environ.get("SECURECOMM_FAULTS") == "1" else ["faults"]


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return database_url(request.param, tmp_path)


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    db = open_database(db_url)
    yield db
    db.dispose()


@pytest.fixture
def sqlite_database(tmp_path: Path) -> Iterator[Database]:
    db = open_database(f"sqlite:///{tmp_path / 'securecomm.sqlite'}")
    yield db
    db.dispose()
