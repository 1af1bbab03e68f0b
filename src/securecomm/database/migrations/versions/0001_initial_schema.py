"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 11:25:38.831772
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import securecomm.database.base

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "criminal_subjects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fbi_number", sa.String(length=12), nullable=False),
        sa.Column("state_id", sa.String(length=12), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("dob", sa.Date(), nullable=True),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("race", sa.String(length=1), nullable=False),
        sa.Column("place_of_birth", sa.String(length=2), nullable=False),
        sa.Column("enrolled_by_tcn", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_criminal_subjects")),
        sa.UniqueConstraint("enrolled_by_tcn", name=op.f("uq_criminal_subjects_enrolled_by_tcn")),
        sa.UniqueConstraint("fbi_number", name=op.f("uq_criminal_subjects_fbi_number")),
    )
    op.create_table(
        "fingerprints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repository", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("finger_position", sa.Integer(), nullable=False),
        sa.Column("quality", sa.Integer(), nullable=False),
        sa.Column("template", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fingerprints")),
        sa.UniqueConstraint(
            "repository",
            "subject_id",
            "finger_position",
            name=op.f("uq_fingerprints_repository_subject_id_finger_position"),
        ),
    )
    with op.batch_alter_table("fingerprints", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fingerprints_repository"), ["repository"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_fingerprints_subject_id"), ["subject_id"], unique=False
        )

    op.create_table(
        "immigration_subjects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fin", sa.String(length=12), nullable=False),
        sa.Column("a_number", sa.String(length=12), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("dob", sa.Date(), nullable=True),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("country_of_birth", sa.String(length=2), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_immigration_subjects")),
        sa.UniqueConstraint("a_number", name=op.f("uq_immigration_subjects_a_number")),
        sa.UniqueConstraint("fin", name=op.f("uq_immigration_subjects_fin")),
    )
    op.create_table(
        "jurisdictions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=False),
        sa.Column("county", sa.String(length=100), nullable=False),
        sa.Column("activation_date", sa.Date(), nullable=True),
        sa.Column("detainer_policy", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jurisdictions")),
        sa.UniqueConstraint("code", name=op.f("uq_jurisdictions_code")),
    )
    with op.batch_alter_table("jurisdictions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jurisdictions_state"), ["state"], unique=False)

    op.create_table(
        "mailbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_key", sa.String(length=120), nullable=False),
        sa.Column("recipient", sa.String(length=9), nullable=False),
        sa.Column("message_type", sa.String(length=16), nullable=False),
        sa.Column(
            "delivered_at", securecomm.database.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mailbox")),
        sa.UniqueConstraint("message_key", name=op.f("uq_mailbox_message_key")),
    )
    with op.batch_alter_table("mailbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mailbox_recipient"), ["recipient"], unique=False)

    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("external_key", sa.String(length=80), nullable=False),
        sa.Column("sender", sa.String(length=9), nullable=True),
        sa.Column(
            "received_at", securecomm.database.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("event_at", securecomm.database.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column(
            "errors",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submissions")),
        sa.UniqueConstraint("kind", "external_key", name=op.f("uq_submissions_kind_external_key")),
    )
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_submissions_event_at"), ["event_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_submissions_state"), ["state"], unique=False)

    op.create_table(
        "agencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ori", sa.String(length=9), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=True),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdictions.id"],
            name=op.f("fk_agencies_jurisdiction_id_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agencies")),
        sa.UniqueConstraint("ori", name=op.f("uq_agencies_ori")),
    )
    op.create_table(
        "arrests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.String(length=40), nullable=False),
        sa.Column("ori", sa.String(length=9), nullable=False),
        sa.Column("arrested_on", sa.Date(), nullable=False),
        sa.Column("released_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["criminal_subjects.id"],
            name=op.f("fk_arrests_subject_id_criminal_subjects"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_arrests")),
        sa.UniqueConstraint("incident_id", name=op.f("uq_arrests_incident_id")),
    )
    with op.batch_alter_table("arrests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_arrests_subject_id"), ["subject_id"], unique=False)

    op.create_table(
        "criminal_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["criminal_subjects.id"],
            name=op.f("fk_criminal_aliases_subject_id_criminal_subjects"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_criminal_aliases")),
        sa.UniqueConstraint("subject_id", "name", name=op.f("uq_criminal_aliases_subject_id_name")),
    )
    with op.batch_alter_table("criminal_aliases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_criminal_aliases_subject_id"), ["subject_id"], unique=False
        )

    op.create_table(
        "encounters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column(
            "detail",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["immigration_subjects.id"],
            name=op.f("fk_encounters_subject_id_immigration_subjects"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_encounters")),
    )
    with op.batch_alter_table("encounters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_encounters_subject_id"), ["subject_id"], unique=False)

    op.create_table(
        "jurisdiction_suspensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("stops_sharing", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdictions.id"],
            name=op.f("fk_jurisdiction_suspensions_jurisdiction_id_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jurisdiction_suspensions")),
    )
    with op.batch_alter_table("jurisdiction_suspensions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_jurisdiction_suspensions_jurisdiction_id"),
            ["jurisdiction_id"],
            unique=False,
        )

    op.create_table(
        "transactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tcn", sa.String(length=40), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("ori", sa.String(length=9), nullable=False),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("booked_at", securecomm.database.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("criminal_subject_id", sa.Integer(), nullable=True),
        sa.Column("criminal_identified", sa.Boolean(), nullable=True),
        sa.Column("immigration_searched", sa.Boolean(), nullable=True),
        sa.Column("immigration_subject_id", sa.Integer(), nullable=True),
        sa.Column("match_level", sa.String(length=16), nullable=True),
        sa.Column("status_category", sa.String(length=40), nullable=True),
        sa.Column(
            "updated_at", securecomm.database.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["criminal_subject_id"],
            ["criminal_subjects.id"],
            name=op.f("fk_transactions_criminal_subject_id_criminal_subjects"),
        ),
        sa.ForeignKeyConstraint(
            ["immigration_subject_id"],
            ["immigration_subjects.id"],
            name=op.f("fk_transactions_immigration_subject_id_immigration_subjects"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdictions.id"],
            name=op.f("fk_transactions_jurisdiction_id_jurisdictions"),
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_transactions_submission_id_submissions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transactions")),
        sa.UniqueConstraint("submission_id", name=op.f("uq_transactions_submission_id")),
        sa.UniqueConstraint("tcn", name=op.f("uq_transactions_tcn")),
    )
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_transactions_booked_at"), ["booked_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_transactions_jurisdiction_id"), ["jurisdiction_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_transactions_ori"), ["ori"], unique=False)
        batch_op.create_index(batch_op.f("ix_transactions_state"), ["state"], unique=False)

    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=False),
        sa.Column("immigration_subject_id", sa.Integer(), nullable=False),
        sa.Column("field_office", sa.String(length=9), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("opened_at", securecomm.database.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("scheme_id", sa.String(length=24), nullable=False),
        sa.Column("priority_category", sa.String(length=40), nullable=True),
        sa.Column("match_level", sa.String(length=16), nullable=True),
        sa.Column("custody_level", sa.String(length=16), nullable=True),
        sa.Column("custody_at", securecomm.database.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("hearing_on", sa.Date(), nullable=True),
        sa.Column("outcome_level", sa.String(length=16), nullable=True),
        sa.Column("closed_at", securecomm.database.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "discretion",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["immigration_subject_id"],
            ["immigration_subjects.id"],
            name=op.f("fk_cases_immigration_subject_id_immigration_subjects"),
        ),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["transactions.id"],
            name=op.f("fk_cases_transaction_id_transactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("transaction_id", name=op.f("uq_cases_transaction_id")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cases_immigration_subject_id"), ["immigration_subject_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_cases_state"), ["state"], unique=False)

    op.create_table(
        "charges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("arrest_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("ncic_code", sa.String(length=4), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("max_term_days", sa.Integer(), nullable=False),
        sa.Column("disposition", sa.String(length=16), nullable=False),
        sa.Column("disposition_date", sa.Date(), nullable=True),
        sa.Column("sentence_days", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["arrest_id"], ["arrests.id"], name=op.f("fk_charges_arrest_id_arrests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charges")),
        sa.UniqueConstraint("arrest_id", "position", name=op.f("uq_charges_arrest_id_position")),
    )
    with op.batch_alter_table("charges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_charges_arrest_id"), ["arrest_id"], unique=False)

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=True),
        sa.Column("submission_id", sa.Integer(), nullable=True),
        sa.Column("message_type", sa.String(length=16), nullable=False),
        sa.Column("sender", sa.String(length=9), nullable=False),
        sa.Column("recipient", sa.String(length=9), nullable=False),
        sa.Column(
            "created_at", securecomm.database.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "delivered_at", securecomm.database.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["submissions.id"], name=op.f("fk_outbox_submission_id_submissions")
        ),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["transactions.id"],
            name=op.f("fk_outbox_transaction_id_transactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("key", name=op.f("uq_outbox_key")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_delivered_at"), ["delivered_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_message_type"), ["message_type"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_recipient"), ["recipient"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_outbox_transaction_id"), ["transaction_id"], unique=False
        )

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "recorded_at", securecomm.database.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "occurred_at", securecomm.database.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("actor", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column(
            "details",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_audit_events_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["transactions.id"],
            name=op.f("fk_audit_events_transaction_id_transactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_kind"), ["kind"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_events_transaction_id"), ["transaction_id"], unique=False
        )

    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "occurred_at", securecomm.database.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("previous", sa.String(length=32), nullable=True),
        sa.Column("current", sa.String(length=32), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_events_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
    )
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_events_case_id"), ["case_id"], unique=False)

    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("outcome", sa.String(length=200), nullable=False),
        sa.Column(
            "decided_at", securecomm.database.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "traces",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_decisions_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["transactions.id"],
            name=op.f("fk_decisions_transaction_id_transactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
        sa.UniqueConstraint(
            "transaction_id",
            "case_id",
            "kind",
            name=op.f("uq_decisions_transaction_id_case_id_kind"),
        ),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decisions_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_decisions_transaction_id"), ["transaction_id"], unique=False
        )

    op.create_table(
        "detainers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("form", sa.String(length=8), nullable=False),
        sa.Column("requests_hold", sa.Boolean(), nullable=False),
        sa.Column("probable_cause", sa.String(length=60), nullable=True),
        sa.Column("warrant", sa.String(length=8), nullable=True),
        sa.Column("lodged_at", securecomm.database.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("release_at", securecomm.database.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "hold_deadline", securecomm.database.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("response", sa.String(length=16), nullable=True),
        sa.Column(
            "responded_at", securecomm.database.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_detainers_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_detainers")),
        sa.UniqueConstraint("case_id", name=op.f("uq_detainers_case_id")),
    )


def downgrade() -> None:

    op.drop_table("detainers")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decisions_transaction_id"))
        batch_op.drop_index(batch_op.f("ix_decisions_case_id"))

    op.drop_table("decisions")
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_events_case_id"))

    op.drop_table("case_events")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_transaction_id"))
        batch_op.drop_index(batch_op.f("ix_audit_events_kind"))
        batch_op.drop_index(batch_op.f("ix_audit_events_case_id"))

    op.drop_table("audit_events")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_transaction_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_recipient"))
        batch_op.drop_index(batch_op.f("ix_outbox_message_type"))
        batch_op.drop_index(batch_op.f("ix_outbox_delivered_at"))

    op.drop_table("outbox")
    with op.batch_alter_table("charges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_charges_arrest_id"))

    op.drop_table("charges")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_state"))
        batch_op.drop_index(batch_op.f("ix_cases_immigration_subject_id"))

    op.drop_table("cases")
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transactions_state"))
        batch_op.drop_index(batch_op.f("ix_transactions_ori"))
        batch_op.drop_index(batch_op.f("ix_transactions_jurisdiction_id"))
        batch_op.drop_index(batch_op.f("ix_transactions_booked_at"))

    op.drop_table("transactions")
    with op.batch_alter_table("jurisdiction_suspensions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jurisdiction_suspensions_jurisdiction_id"))

    op.drop_table("jurisdiction_suspensions")
    with op.batch_alter_table("encounters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_encounters_subject_id"))

    op.drop_table("encounters")
    with op.batch_alter_table("criminal_aliases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_criminal_aliases_subject_id"))

    op.drop_table("criminal_aliases")
    with op.batch_alter_table("arrests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_arrests_subject_id"))

    op.drop_table("arrests")
    op.drop_table("agencies")
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submissions_state"))
        batch_op.drop_index(batch_op.f("ix_submissions_event_at"))

    op.drop_table("submissions")
    with op.batch_alter_table("mailbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mailbox_recipient"))

    op.drop_table("mailbox")
    with op.batch_alter_table("jurisdictions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jurisdictions_state"))

    op.drop_table("jurisdictions")
    op.drop_table("immigration_subjects")
    with op.batch_alter_table("fingerprints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fingerprints_subject_id"))
        batch_op.drop_index(batch_op.f("ix_fingerprints_repository"))

    op.drop_table("fingerprints")
    op.drop_table("criminal_subjects")
