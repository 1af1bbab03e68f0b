"""examiner reviews: possible identifications queued for a fingerprint examiner

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import securecomm.database.base

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # "awaiting_immigration_examiner" needs more than the 24 characters 0001 gave states.
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.alter_column(
            "state",
            existing_type=sa.String(length=24),
            type_=sa.String(length=32),
            existing_nullable=False,
        )
    # A sibling migration written from the same models may already have made the table.
    if sa.inspect(op.get_bind()).has_table("examiner_reviews"):
        return
    op.create_table(
        "examiner_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=False),
        sa.Column("repository", sa.String(length=16), nullable=False),
        sa.Column("candidate_subject_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column(
            "finger_scores",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("queued_at", securecomm.database.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("examiner", sa.String(length=64), nullable=True),
        sa.Column("decided_at", securecomm.database.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["transactions.id"],
            name=op.f("fk_examiner_reviews_transaction_id_transactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_examiner_reviews")),
        sa.UniqueConstraint(
            "transaction_id",
            "repository",
            name=op.f("uq_examiner_reviews_transaction_id_repository"),
        ),
    )
    with op.batch_alter_table("examiner_reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_examiner_reviews_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_examiner_reviews_transaction_id"), ["transaction_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("examiner_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_examiner_reviews_transaction_id"))
        batch_op.drop_index(batch_op.f("ix_examiner_reviews_status"))
    op.drop_table("examiner_reviews")
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.alter_column(
            "state",
            existing_type=sa.String(length=32),
            type_=sa.String(length=24),
            existing_nullable=False,
        )
