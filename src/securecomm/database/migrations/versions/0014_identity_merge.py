"""criminal identities merged by redress: the identity each became

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("criminal_subjects") as batch:
        batch.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_criminal_subjects_merged_into_id_criminal_subjects",
            "criminal_subjects",
            ["merged_into_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("criminal_subjects") as batch:
        batch.drop_constraint(
            "fk_criminal_subjects_merged_into_id_criminal_subjects", type_="foreignkey"
        )
        batch.drop_column("merged_into_id")
