"""Initial schema: learners, progress, quiz answers, submissions, reflections.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _learner_fk(**kw: object) -> sa.Column:
    return sa.Column(
        "learner_id", sa.Integer, sa.ForeignKey("learners.id", ondelete="CASCADE"), **kw
    )


def upgrade() -> None:
    op.create_table(
        "learners",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("class_code", sa.String(40), nullable=False),
        sa.Column("name_key", sa.String(40), nullable=False),
        sa.Column("class_key", sa.String(40), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.UniqueConstraint("class_key", "name_key", name="uq_learners_class_name"),
    )
    op.create_index("ix_learners_class_key", "learners", ["class_key"])
    op.create_table(
        "progress",
        _learner_fk(primary_key=True),
        sa.Column("step", sa.String(64), primary_key=True),
        sa.Column("criterion", sa.String(64), primary_key=True),
        sa.Column("done", sa.Boolean, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_table(
        "quiz_answers",
        _learner_fk(primary_key=True),
        sa.Column("item_id", sa.String(64), primary_key=True),
        sa.Column("choice", sa.Integer, nullable=False),
        sa.Column("correct", sa.Boolean, nullable=False),
        sa.Column("answered_at", sa.Float, nullable=False),
    )
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer, primary_key=True),
        _learner_fk(nullable=False),
        sa.Column("lab", sa.String(64), nullable=False),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("spec", sa.JSON, nullable=True),
        sa.Column("summary", sa.JSON, nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_index("ix_submissions_learner_id", "submissions", ["learner_id"])
    op.create_table(
        "reflections",
        _learner_fk(primary_key=True),
        sa.Column("question_id", sa.String(64), primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    for table in ("reflections", "submissions", "quiz_answers", "progress", "learners"):
        op.drop_table(table)
