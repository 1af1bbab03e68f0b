"""redress: complaints, their steps, and matches found wrong so they cannot recur

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import securecomm.database.base

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
WHEN = securecomm.database.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("filed_at", WHEN, nullable=False),
        sa.Column("filed_by", sa.String(16), nullable=False),
        sa.Column("complainant", sa.String(120), nullable=False),
        sa.Column("contact", sa.String(200), nullable=False),
        sa.Column("booking_tcn", sa.String(40), nullable=True),
        sa.Column("statement", sa.String(4000), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("acknowledge_by", WHEN, nullable=False),
        sa.Column("decide_by", WHEN, nullable=False),
        sa.Column("assigned_to", sa.String(64), nullable=True),
        sa.Column("transaction_id", sa.Integer(), nullable=True),
        sa.Column("corrections", JSON, nullable=False),
        sa.Column("answer", sa.String(4000), nullable=True),
        sa.Column("answered_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["transactions.id"],
            name=op.f("fk_complaints_transaction_id_transactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
        sa.UniqueConstraint("reference", name=op.f("uq_complaints_reference")),
    )
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_complaints_booking_tcn"), ["booking_tcn"])
        batch_op.create_index(batch_op.f("ix_complaints_state"), ["state"])
        batch_op.create_index(batch_op.f("ix_complaints_transaction_id"), ["transaction_id"])
    op.create_table(
        "complaint_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("note", sa.String(1000), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_complaint_events_complaint_id_complaints"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_events")),
    )
    with op.batch_alter_table("complaint_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_complaint_events_complaint_id"), ["complaint_id"])
    op.create_table(
        "match_exclusions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("criminal_subject_id", sa.Integer(), nullable=False),
        sa.Column("immigration_subject_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(300), nullable=False),
        sa.Column("decided_by", sa.String(64), nullable=False),
        sa.Column("decided_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["criminal_subject_id"],
            ["criminal_subjects.id"],
            name=op.f("fk_match_exclusions_criminal_subject_id_criminal_subjects"),
        ),
        sa.ForeignKeyConstraint(
            ["immigration_subject_id"],
            ["immigration_subjects.id"],
            name=op.f("fk_match_exclusions_immigration_subject_id_immigration_subjects"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_exclusions")),
        sa.UniqueConstraint(
            "criminal_subject_id",
            "immigration_subject_id",
            name=op.f("uq_match_exclusions_criminal_subject_id_immigration_subject_id"),
        ),
    )
    with op.batch_alter_table("match_exclusions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_match_exclusions_criminal_subject_id"), ["criminal_subject_id"]
        )


def downgrade() -> None:
    op.drop_table("match_exclusions")
    op.drop_table("complaint_events")
    op.drop_table("complaints")
