"""concept_answers: each joined learner's concept check before Explore and after Reflect (issue
25), one row per item of a form handed in (its choice, or none when left blank or the form was
skipped), the first one kept.

A new table only: every stored row of the other tables stays as it is.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "concept_answers",
        sa.Column(
            "learner_id",
            sa.Integer,
            sa.ForeignKey("learners.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("phase", sa.String(8), primary_key=True),
        sa.Column("item_id", sa.String(64), primary_key=True),
        sa.Column("choice", sa.Integer, nullable=True),
        sa.Column("answered_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("concept_answers")
