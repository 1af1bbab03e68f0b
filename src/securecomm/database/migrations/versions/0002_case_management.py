"""case management: transport runs, beds, hearings with counsel, detainer life-cycle

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import securecomm.database.base

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = securecomm.database.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "transport_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=False),
        sa.Column("departs_at", UTC_DATETIME, nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transport_runs")),
        sa.UniqueConstraint("state", "departs_at", name=op.f("uq_transport_runs_state_departs_at")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("transport_run_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("facility_code", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("bed_number", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("custody_ended_at", UTC_DATETIME, nullable=True))
        batch_op.add_column(sa.Column("hearing_mode", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("counsel", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("counsel_name", sa.String(length=100), nullable=True))
        batch_op.create_index(batch_op.f("ix_cases_facility_code"), ["facility_code"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_cases_transport_run_id_transport_runs"),
            "transport_runs",
            ["transport_run_id"],
            ["id"],
        )
    with op.batch_alter_table("detainers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("response_note", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("pickup_at", UTC_DATETIME, nullable=True))
        batch_op.add_column(sa.Column("cancelled_at", UTC_DATETIME, nullable=True))
        batch_op.add_column(sa.Column("cancel_reason", sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("detainers", schema=None) as batch_op:
        batch_op.drop_column("cancel_reason")
        batch_op.drop_column("cancelled_at")
        batch_op.drop_column("pickup_at")
        batch_op.drop_column("response_note")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_cases_transport_run_id_transport_runs"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_cases_facility_code"))
        batch_op.drop_column("counsel_name")
        batch_op.drop_column("counsel")
        batch_op.drop_column("hearing_mode")
        batch_op.drop_column("custody_ended_at")
        batch_op.drop_column("bed_number")
        batch_op.drop_column("facility_code")
        batch_op.drop_column("transport_run_id")
    op.drop_table("transport_runs")
