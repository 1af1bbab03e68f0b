"""open submissions in the order workers take them, and submissions by key

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("state IN ('received', 'processing')")


def upgrade() -> None:
    # Workers claim the oldest open submissions; done ones pile up in front of them.
    op.create_index(
        "ix_submissions_open_order",
        "submissions",
        ["event_at", "seq", "id"],
        postgresql_where=OPEN,
        sqlite_where=OPEN,
    )
    # A release or disposition waits for the earlier submissions of its booking's TCN.
    op.create_index("ix_submissions_external_key", "submissions", ["external_key"])


def downgrade() -> None:
    op.drop_index("ix_submissions_external_key", table_name="submissions")
    op.drop_index("ix_submissions_open_order", table_name="submissions")
