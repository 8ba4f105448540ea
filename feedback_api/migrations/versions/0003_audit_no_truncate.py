"""The audit log refuses TRUNCATE too.

0002 made the audit log append-only with row triggers that refuse UPDATE and DELETE. On
PostgreSQL, TRUNCATE empties a table without firing row triggers, so a role allowed to
truncate could still wipe the log; a statement trigger now refuses it. SQLite has no
TRUNCATE: its `DELETE FROM audit_events` fires the row trigger of 0002 and is refused.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # The function of 0002 raises for any operation it is fired for.
        op.execute(
            "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
