"""profiling monitor: the arresting officer, race and place of birth as booked, and the
reviews a profiling flag opens for a supervisor

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import securecomm.database.base

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
WHEN = securecomm.database.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("arresting_officer", sa.String(30), nullable=True))
        batch_op.add_column(sa.Column("subject_race", sa.String(1), nullable=True))
        batch_op.add_column(sa.Column("place_of_birth", sa.String(2), nullable=True))
        batch_op.create_index(
            "ix_transactions_arresting_officer", ["arresting_officer"], unique=False
        )
    op.create_table(
        "profiling_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_kind", sa.String(16), nullable=False),
        sa.Column("unit", sa.String(40), nullable=False),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", WHEN, nullable=False),
        sa.Column("evidence", JSON, nullable=False),
        sa.Column("state", sa.String(24), nullable=False),
        sa.Column("decided_by", sa.String(64), nullable=True),
        sa.Column("decided_at", WHEN, nullable=True),
        sa.Column("decision_note", sa.String(500), nullable=True),
        sa.Column("suspension_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdictions.id"],
            name=op.f("fk_profiling_reviews_jurisdiction_id_jurisdictions"),
        ),
        sa.ForeignKeyConstraint(
            ["suspension_id"],
            ["jurisdiction_suspensions.id"],
            name=op.f("fk_profiling_reviews_suspension_id_jurisdiction_suspensions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_profiling_reviews")),
    )
    with op.batch_alter_table("profiling_reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_profiling_reviews_unit"), ["unit"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_profiling_reviews_jurisdiction_id"), ["jurisdiction_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_profiling_reviews_state"), ["state"], unique=False)


def downgrade() -> None:
    op.drop_table("profiling_reviews")
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.drop_index("ix_transactions_arresting_officer")
        batch_op.drop_column("place_of_birth")
        batch_op.drop_column("subject_race")
        batch_op.drop_column("arresting_officer")
