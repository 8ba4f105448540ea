"""Residents hear back: a durable outbox of messages to residents, committed with the
change that causes them, and on submissions when the resident stopped the messages and
when they asked to reopen the item.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from feedback_api.models import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("submissions", sa.Column("messages_stopped_at", UTCDateTime(), nullable=True))
    op.add_column("submissions", sa.Column("reopen_requested_at", UTCDateTime(), nullable=True))
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=120), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("cancelled", sa.String(length=60), nullable=True),
        sa.ForeignKeyConstraint(["submission_id"], ["submissions.id"], ondelete="CASCADE",
                                name=op.f("fk_outbox_submission_id_submissions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    op.create_index("uq_outbox_submission_event", "outbox", ["submission_id", "event"],
                    unique=True)
    op.create_index("ix_outbox_due", "outbox", ["sent_at", "cancelled"])


def downgrade() -> None:
    op.drop_index("ix_outbox_due", table_name="outbox")
    op.drop_index("uq_outbox_submission_event", table_name="outbox")
    op.drop_table("outbox")
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("reopen_requested_at")
        batch.drop_column("messages_stopped_at")
