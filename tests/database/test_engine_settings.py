"""What the engine sets up for the flow's short statements: fresh planner statistics
after a bulk load, and no JIT compilation on PostgreSQL; on each backend."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from securecomm.database import Database, maintenance_warnings
from securecomm.simulation.background import add_background


def _counted(database: Database, table: str) -> bool:
    with database.engine.connect() as connection:
        if database.engine.dialect.name == "postgresql":
            query = "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = :t"
        else:
            query = "SELECT count(*) > 0 FROM sqlite_master m, sqlite_stat1 s WHERE s.tbl = :t"
        return bool(connection.scalar(text(query), {"t": table}))


def test_a_bulk_load_of_strangers_leaves_the_planner_counting_them(database: Database) -> None:
    add_background(database, identities=12)
    assert _counted(database, "fingerprints")
    assert _counted(database, "criminal_subjects")
    assert _counted(database, "immigration_subjects")


def test_postgresql_connections_never_compile_statements(database: Database) -> None:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's JIT: SQLite has none")
    with database.engine.connect() as connection:
        assert connection.scalar(text("SHOW jit")) == "off"


def test_a_worker_is_told_when_the_server_will_not_clear_dead_rows(database: Database) -> None:
    warnings = maintenance_warnings(database)
    if database.engine.dialect.name != "postgresql":
        assert warnings == []  # SQLite keeps no dead row versions to clear
        return
    with database.engine.connect() as connection:
        autovacuum = connection.scalar(text("SHOW autovacuum"))
    assert bool(warnings) == (autovacuum != "on")
    assert all("autovacuum is off" in warning for warning in warnings)
