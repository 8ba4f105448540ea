"""The public parts of an outcome: where an item was referred, and the address of a
public correction or apology made for a confirmed violation.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("submissions", sa.Column("referred_to", sa.String(length=200), nullable=True))
    op.add_column("submissions", sa.Column("action_link", sa.String(length=2000),
                                           nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("action_link")
        batch.drop_column("referred_to")
