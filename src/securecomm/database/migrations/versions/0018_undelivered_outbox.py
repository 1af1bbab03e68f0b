"""undelivered outbox messages in the order they are sent

Revision ID: 0018
Revises: 0017
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNDELIVERED = sa.text("delivered_at IS NULL")


def upgrade() -> None:
    # Delivery reads the oldest undelivered messages. An index of every delivered_at,
    # NULL included, kept the entries of messages long delivered (until a vacuum), and
    # each round walked them all: its cost grew with the outbox's history.
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_index("ix_outbox_delivered_at")
    op.create_index(
        "ix_outbox_undelivered",
        "outbox",
        ["id"],
        postgresql_where=UNDELIVERED,
        sqlite_where=UNDELIVERED,
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_undelivered", table_name="outbox")
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.create_index("ix_outbox_delivered_at", ["delivered_at"], unique=False)
