"""Migrations as a deploy step: `securecomm db upgrade` brings the schema to the
release's; with SECURECOMM_MIGRATE_ON_OPEN=false a process refuses a store whose schema
is behind, by name, instead of migrating it under running workers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from securecomm.cli import app
from securecomm.config import get_settings
from securecomm.database import open_database
from securecomm.database.engine import make_engine, schema_state
from securecomm.exceptions import ConfigurationError


@pytest.fixture
def deploy_step(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SECURECOMM_MIGRATE_ON_OPEN", "false")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, " ".join(result.output.split())  # rich may wrap a long path


def test_a_store_behind_the_release_is_refused_until_upgraded(
    deploy_step: None, db_url: str
) -> None:
    engine = make_engine(db_url)
    head = schema_state(engine).head
    engine.dispose()
    with pytest.raises(ConfigurationError) as refused:
        open_database(db_url)
    assert "securecomm db upgrade" in str(refused.value)
    assert f"needs {head}" in str(refused.value)

    assert _cli("db", "status", "--database-url", db_url)[0] == 1
    code, output = _cli("db", "upgrade", "--database-url", db_url)
    assert code == 0, output
    assert f"-> {head}" in output
    code, output = _cli("db", "upgrade", "--database-url", db_url)
    assert (code, f"already at {head}" in output) == (0, True)
    assert _cli("db", "status", "--database-url", db_url) == (0, f"store {head}, release {head}")
    open_database(db_url).dispose()  # now current: opened without migrating


def test_an_unreachable_store_is_named_without_its_password(tmp_path: Path) -> None:
    url = "postgresql+psycopg://clerk:hunter2@127.0.0.1:1/none"
    code, output = _cli("db", "upgrade", "--database-url", url)
    assert code == 2
    assert "cannot reach or migrate the database" in output
    assert "hunter2" not in output
