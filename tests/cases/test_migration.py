"""Migration 0002 on SQLite and PostgreSQL: the case-management schema matches the models,
and it can be taken down and up again."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from securecomm.database import Database
from securecomm.database.engine import MIGRATIONS
from securecomm.models import metadata

MINE = {"cases", "detainers", "transport_runs"}
NEW_CASE_COLUMNS = {
    "transport_run_id",
    "facility_code",
    "bed_number",
    "custody_ended_at",
    "hearing_mode",
    "counsel",
    "counsel_name",
}
NEW_DETAINER_COLUMNS = {"response_note", "pickup_at", "cancelled_at", "cancel_reason"}


def _touches_mine(difference: object) -> bool:
    text = repr(difference)
    return any(f"'{table}'" in text or f"table {table}" in text for table in MINE)


def _columns(database: Database, table: str) -> set[str]:
    return {column["name"] for column in inspect(database.engine).get_columns(table)}


def _migrate(database: Database, target: str, *, down: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, target)


def test_the_case_schema_matches_the_models(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = [d for d in compare_metadata(context, metadata) if _touches_mine(d)]
    assert differences == []
    assert _columns(database, "cases") >= NEW_CASE_COLUMNS
    assert _columns(database, "detainers") >= NEW_DETAINER_COLUMNS


def test_the_migration_goes_down_and_up_again(database: Database) -> None:
    _migrate(database, "0001", down=True)
    assert "transport_runs" not in inspect(database.engine).get_table_names()
    assert not _columns(database, "cases") & NEW_CASE_COLUMNS
    assert not _columns(database, "detainers") & NEW_DETAINER_COLUMNS
    _migrate(database, "heads")
    assert "transport_runs" in inspect(database.engine).get_table_names()
    assert _columns(database, "cases") >= NEW_CASE_COLUMNS
