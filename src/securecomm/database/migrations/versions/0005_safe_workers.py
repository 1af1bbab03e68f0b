"""safe workers: failed submissions, leases, compare-and-set versions, unique effects

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import securecomm.database.base

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("raw_size", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "failure",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=False,
                server_default="{}",
            )
        )
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column(
                "claimed_until", securecomm.database.base.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scope", sa.String(length=120), nullable=True))
    op.execute(
        "UPDATE decisions SET scope = COALESCE(CAST(transaction_id AS VARCHAR(20)), '-')"
        " || ':' || COALESCE(CAST(case_id AS VARCHAR(20)), '-') || ':' || kind"
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.alter_column("scope", existing_type=sa.String(length=120), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_decisions_scope"), ["scope"])
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key", sa.String(length=160), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_audit_events_key"), ["key"])


def downgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_events_key"), type_="unique")
        batch_op.drop_column("key")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_decisions_scope"), type_="unique")
        batch_op.drop_column("scope")
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.drop_column("version")
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        for column in ("version", "claimed_until", "claimed_by", "attempts", "failure", "raw_size"):
            batch_op.drop_column(column)
