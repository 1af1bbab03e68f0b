"""the reference tables' revision, bumped by trigger

Revision ID: 0017
Revises: 0016
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in securecomm.database.reference (a migration keeps its own copy: it must not
# change when the code does).
TABLES = ("agencies", "jurisdictions", "jurisdiction_suspensions", "participation_events")
_BUMP = "UPDATE reference_revision SET revision = revision + 1"


def upgrade() -> None:
    op.create_table(
        "reference_revision",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("epoch", sa.String(32), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
    )
    # A fresh epoch per schema: caches filled from an earlier store of the same name
    # (a test's, a rebuilt one) never match this one.
    op.execute(
        sa.text(
            "INSERT INTO reference_revision (id, epoch, revision) VALUES (1, :epoch, 0)"
        ).bindparams(epoch=secrets.token_hex(16))
    )
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def _postgresql_triggers() -> None:
    op.execute(
        "CREATE FUNCTION securecomm_bump_reference() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN {_BUMP}; RETURN NULL; END $$"
    )
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_bump_reference "
            f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION securecomm_bump_reference()"
        )


def _sqlite_triggers() -> None:
    for table in TABLES:
        for change in ("INSERT", "UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_bump_reference_{change.lower()} "
                f"AFTER {change} ON {table} BEGIN {_BUMP}; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER {table}_bump_reference ON {table}")
        op.execute("DROP FUNCTION securecomm_bump_reference()")
    else:
        for table in TABLES:
            for change in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER {table}_bump_reference_{change}")
    op.drop_table("reference_revision")
