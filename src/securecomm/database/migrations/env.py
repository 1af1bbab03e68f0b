"""Alembic environment: runs on the connection handed over by ``securecomm.database.migrate``."""

from __future__ import annotations

from alembic import context

from securecomm.models import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached by running alembic by hand
    raise RuntimeError("run migrations through securecomm.database.migrate(engine)")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
