"""participation: pre-activation reviews a supervisor signs, and what jurisdictions said
about their participation

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import securecomm.database.base

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
WHEN = securecomm.database.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "activation_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("prepared_by", sa.String(64), nullable=False),
        sa.Column("prepared_at", WHEN, nullable=False),
        sa.Column("civil_rights", sa.String(2000), nullable=False),
        sa.Column("lawsuits", sa.String(2000), nullable=False),
        sa.Column("training", sa.String(2000), nullable=False),
        sa.Column("projection", JSON, nullable=False),
        sa.Column("decision", sa.String(8), nullable=True),
        sa.Column("signed_by", sa.String(64), nullable=True),
        sa.Column("signed_at", WHEN, nullable=True),
        sa.Column("note", sa.String(1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdictions.id"],
            name=op.f("fk_activation_reviews_jurisdiction_id_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activation_reviews")),
    )
    with op.batch_alter_table("activation_reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_activation_reviews_jurisdiction_id"), ["jurisdiction_id"]
        )
    op.create_table(
        "participation_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("note", sa.String(1000), nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdictions.id"],
            name=op.f("fk_participation_events_jurisdiction_id_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participation_events")),
    )
    with op.batch_alter_table("participation_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_participation_events_jurisdiction_id"), ["jurisdiction_id"]
        )


def downgrade() -> None:
    op.drop_table("participation_events")
    op.drop_table("activation_reviews")
