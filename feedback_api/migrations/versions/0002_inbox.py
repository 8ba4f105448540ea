"""The staff inbox: staff accounts, triage columns, internal notes and the audit log.

The audit log is append-only: on both SQLite and PostgreSQL a trigger refuses any UPDATE
or DELETE of its rows, so not even a mistaken query can rewrite history.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from feedback_api.models import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

LIST_INDEXES = {
    "ix_submissions_state_created": ["state", "created_at"],
    "ix_submissions_kind_created": ["kind", "created_at"],
    "ix_submissions_category_created": ["category", "created_at"],
    "ix_submissions_policy_created": ["policy_id", "created_at"],
    "ix_submissions_account_created": ["account_id", "created_at"],
    "ix_submissions_assignee_created": ["assignee_id", "created_at"],
    "ix_submissions_updated_at": ["updated_at"],
    "ix_submissions_spam_state": ["is_spam", "state"],
}

APPEND_ONLY_POSTGRES = """
CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % is not allowed', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
"""


def upgrade() -> None:
    op.create_table(
        "staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("session_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_sign_in_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("role in ('viewer', 'triager', 'admin')", name=op.f("ck_staff_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff")),
        sa.UniqueConstraint("email", name=op.f("uq_staff_email")),
    )
    # Before any table refers to submissions: on SQLite the batch copies the table.
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("assignee_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("state_reason", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("duplicate_of", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("outcomes", sa.String(length=400), nullable=True))
        batch.add_column(sa.Column("internal_note", sa.Text(), nullable=True))
        batch.add_column(sa.Column("closed_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("legal_hold", sa.Boolean(), server_default="0",
                                   nullable=False))
        batch.add_column(sa.Column("anonymised_at", UTCDateTime(), nullable=True))
        batch.create_foreign_key(op.f("fk_submissions_assignee_id_staff"), "staff",
                                 ["assignee_id"], ["id"])
    for name, columns in LIST_INDEXES.items():
        op.create_index(name, "submissions", columns)

    op.create_table(
        "item_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_email", sa.String(length=254), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["submission_id"], ["submissions.id"],
                                name=op.f("fk_item_notes_submission_id_submissions")),
        sa.ForeignKeyConstraint(["author_id"], ["staff.id"],
                                name=op.f("fk_item_notes_author_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_notes")),
    )
    op.create_index("ix_item_notes_submission_id", "item_notes", ["submission_id"])

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=True),
        sa.Column("tracking_code", sa.String(length=32), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index("ix_audit_events_tracking_code", "audit_events", ["tracking_code"])
    op.create_index("ix_audit_events_at", "audit_events", ["at"])

    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(APPEND_ONLY_POSTGRES)
    elif dialect == "sqlite":
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_events_no_{operation.lower()} BEFORE {operation} "
                "ON audit_events BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: "
                f"{operation} is not allowed'); END"
            )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS audit_events_append_only()")
    op.drop_index("ix_audit_events_at", table_name="audit_events")
    op.drop_index("ix_audit_events_tracking_code", table_name="audit_events")
    op.drop_table("audit_events")  # drops the SQLite triggers with it
    op.drop_index("ix_item_notes_submission_id", table_name="item_notes")
    op.drop_table("item_notes")
    for name in LIST_INDEXES:
        op.drop_index(name, table_name="submissions")
    with op.batch_alter_table("submissions") as batch:
        batch.drop_constraint(op.f("fk_submissions_assignee_id_staff"), type_="foreignkey")
        for column in ("anonymised_at", "legal_hold", "closed_at", "internal_note", "outcomes",
                       "duplicate_of", "state_reason", "assignee_id"):
            batch.drop_column(column)
    op.drop_table("staff")
