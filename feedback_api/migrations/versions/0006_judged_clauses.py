"""Decisions cite the rule as it stood: the incident date and the clauses judged against.

`submissions.incident_date` is the day of the incident as staff confirmed it when
deciding; `judged_clauses` holds each clause the decision rests on, with the version of its
policy in effect that day, its permanent address and its text as that version words it.
Rows go with their submission (ON DELETE CASCADE).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("submissions", sa.Column("incident_date", sa.String(length=10), nullable=True))
    op.create_table(
        "judged_clauses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.String(length=80), nullable=False),
        sa.Column("clause", sa.String(length=80), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("in_effect_from", sa.String(length=10), nullable=True),
        sa.Column("in_effect_until", sa.String(length=10), nullable=True),
        sa.Column("url", sa.String(length=400), nullable=True),
        sa.Column("clause_text", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["submission_id"], ["submissions.id"], ondelete="CASCADE",
                                name=op.f("fk_judged_clauses_submission_id_submissions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_judged_clauses")),
    )
    op.create_index("ix_judged_clauses_submission_id", "judged_clauses", ["submission_id"])
    op.create_index("ix_judged_clauses_policy_clause", "judged_clauses", ["policy_id", "clause"])


def downgrade() -> None:
    op.drop_index("ix_judged_clauses_policy_clause", table_name="judged_clauses")
    op.drop_index("ix_judged_clauses_submission_id", table_name="judged_clauses")
    op.drop_table("judged_clauses")
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("incident_date")
