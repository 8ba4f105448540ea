"""Submissions: feedback on policies and reports of possible violations.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from feedback_api.models import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tracking_code", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=32), server_default="new", nullable=False),
        sa.Column("public_note", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("is_spam", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("spam_reason", sa.String(length=64), nullable=True),
        sa.Column("client_hash", sa.String(length=64), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("policy_id", sa.String(length=80), nullable=True),
        sa.Column("section", sa.String(length=80), nullable=True),
        sa.Column("category", sa.String(length=40), nullable=True),
        sa.Column("account_id", sa.String(length=80), nullable=True),
        sa.Column("account_url", sa.String(length=2000), nullable=True),
        sa.Column("post_url", sa.String(length=2000), nullable=True),
        sa.Column("seen_at", sa.String(length=32), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("wants_reply", sa.Boolean(), server_default="0", nullable=False),
        sa.CheckConstraint("kind in ('feedback', 'report')", name=op.f("ck_submissions_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submissions")),
        sa.UniqueConstraint("tracking_code", name=op.f("uq_submissions_tracking_code")),
    )
    op.create_index("ix_submissions_created_at", "submissions", ["created_at"])
    op.create_index("ix_submissions_state", "submissions", ["state"])
    op.create_index(
        "ix_submissions_duplicates",
        "submissions",
        ["client_hash", "content_hash", "created_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_submissions_duplicates", table_name="submissions")
    op.drop_index("ix_submissions_state", table_name="submissions")
    op.drop_index("ix_submissions_created_at", table_name="submissions")
    op.drop_table("submissions")
