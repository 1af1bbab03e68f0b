"""transparency releases: the public report as published, its private counts drawn once

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import securecomm.database.base

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
WHEN = securecomm.database.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "transparency_releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("published_at", WHEN, nullable=False),
        sa.Column("published_by", sa.String(64), nullable=False),
        sa.Column("epsilon", sa.Float(), nullable=False),
        sa.Column("content", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transparency_releases")),
    )


def downgrade() -> None:
    op.drop_table("transparency_releases")
