"""court docket and demo runs in the store: a killed demo resumes, any worker finds the court

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import securecomm.database.base

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = securecomm.database.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "court_docket",
        sa.Column("fin", sa.String(length=12), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("fin", name=op.f("pk_court_docket")),
    )
    op.create_table(
        "demo_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "options",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("stage", sa.String(length=24), nullable=False),
        sa.Column("started_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_demo_runs")),
    )


def downgrade() -> None:
    op.drop_table("demo_runs")
    op.drop_table("court_docket")
