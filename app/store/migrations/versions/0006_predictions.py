"""predictions: each learner's predictions before a reveal (issue 13), a number, a choice or an
explicit skip, the first one kept.

A new table only: every stored row of the other tables stays as it is.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "predictions",
        sa.Column(
            "learner_id",
            sa.Integer,
            sa.ForeignKey("learners.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("prediction_id", sa.String(64), primary_key=True),
        sa.Column("number", sa.Float, nullable=True),
        sa.Column("choice", sa.String(64), nullable=True),
        sa.Column("skipped", sa.Boolean, nullable=False),
        sa.Column("made_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("predictions")
