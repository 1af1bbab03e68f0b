"""officers in the loop: detainer proposals, requester and approver, the agency user who
answered a detainer, the user who submitted a booking through the service

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("detainer_proposal", JSON, nullable=False, server_default="{}")
        )
        batch_op.add_column(sa.Column("detainer_requested_by", sa.String(64), nullable=True))
        batch_op.add_column(sa.Column("detainer_approved_by", sa.String(64), nullable=True))
    with op.batch_alter_table("detainers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answered_by", sa.String(64), nullable=True))
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("submitted_by", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_column("submitted_by")
    with op.batch_alter_table("detainers", schema=None) as batch_op:
        batch_op.drop_column("answered_by")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("detainer_approved_by")
        batch_op.drop_column("detainer_requested_by")
        batch_op.drop_column("detainer_proposal")
