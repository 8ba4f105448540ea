"""Reports remember when staff were emailed about them.

A report's email was sent from a background thread after the commit; if the mail server
was down, or the worker was killed in between, it was never sent. Now the time it went out
is kept in `notified_at`, and `flask --app feedback_api notify send` sends what is still
due. Reports received before this migration count as notified: their email went out then,
or will never be due.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from feedback_api.models import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("submissions", sa.Column("notified_at", UTCDateTime(), nullable=True))
    op.execute("UPDATE submissions SET notified_at = created_at WHERE kind = 'report'")


def downgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("notified_at")
