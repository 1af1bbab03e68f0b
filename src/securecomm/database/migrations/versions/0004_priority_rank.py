"""cases.priority_rank: the enforcement order within the scheme (queue and beds)

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("priority_rank", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_cases_priority_rank"), ["priority_rank"])


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_priority_rank"))
        batch_op.drop_column("priority_rank")
