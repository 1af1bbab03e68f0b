"""audit log that proves itself: who/role/agency/purpose/records, content hashes, the
hash chain and Merkle leaves (audit_chain), signed checkpoints

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import securecomm.database.base

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tree_size", sa.Integer(), nullable=False),
        sa.Column("root_hash", sa.String(length=64), nullable=False),
        sa.Column("chain_hash", sa.String(length=64), nullable=False),
        sa.Column("frontier", JSON, nullable=False),
        sa.Column("signed_at", securecomm.database.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoints")),
        sa.UniqueConstraint("tree_size", name=op.f("uq_audit_checkpoints_tree_size")),
    )
    op.create_table(
        "audit_chain",
        sa.Column("index", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("chain_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["audit_events.id"], name=op.f("fk_audit_chain_event_id_audit_events")
        ),
        sa.PrimaryKeyConstraint("index", name=op.f("pk_audit_chain")),
        sa.UniqueConstraint("event_id", name=op.f("uq_audit_chain_event_id")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("role", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("agency", sa.String(length=9), nullable=True))
        batch_op.add_column(sa.Column("purpose", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("records", JSON, nullable=False, server_default="[]"))
        batch_op.add_column(
            sa.Column("content_hash", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.alter_column(
            "actor",
            existing_type=sa.VARCHAR(length=32),
            type_=sa.String(length=64),
            existing_nullable=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.alter_column(
            "actor",
            existing_type=sa.String(length=64),
            type_=sa.VARCHAR(length=32),
            existing_nullable=False,
        )
        batch_op.drop_column("content_hash")
        batch_op.drop_column("records")
        batch_op.drop_column("purpose")
        batch_op.drop_column("agency")
        batch_op.drop_column("role")
    op.drop_table("audit_chain")
    op.drop_table("audit_checkpoints")
