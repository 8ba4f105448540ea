"""The language a submission was written in, and the language of each message to its
resident: messages go out in the resident's language, and staff see which it is.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("submissions", sa.Column("language", sa.String(length=16), nullable=False,
                                           server_default="en"))
    op.add_column("outbox", sa.Column("language", sa.String(length=16), nullable=False,
                                      server_default="en"))
    op.create_index("ix_submissions_language", "submissions", ["language"])


def downgrade() -> None:
    op.drop_index("ix_submissions_language", table_name="submissions")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("language")
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("language")
