"""live_sessions, live_rounds, live_votes: the live class (issue 27), a class's sessions, the
rounds of each question asked and one vote per learner and round (the primary key).

New tables only: every stored row of the other tables stays as it is.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "live_sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("class_key", sa.String(40), nullable=False),
        sa.Column("question_id", sa.String(64), nullable=True),
        sa.Column("stage", sa.String(16), nullable=True),
        sa.Column("started_at", sa.Float, nullable=False),
        sa.Column("ended_at", sa.Float, nullable=True),
    )
    op.create_index("ix_live_sessions_class_key", "live_sessions", ["class_key"])
    op.create_table(
        "live_rounds",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "session_id",
            sa.Integer,
            sa.ForeignKey("live_sessions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("question_id", sa.String(64), nullable=False),
        sa.Column("round", sa.Integer, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("opened_at", sa.Float, nullable=False),
        sa.Column("closed_at", sa.Float, nullable=True),
        sa.UniqueConstraint("session_id", "question_id", "round", name="uq_live_rounds_question"),
    )
    op.create_index("ix_live_rounds_session_id", "live_rounds", ["session_id"])
    op.create_table(
        "live_votes",
        sa.Column(
            "round_id",
            sa.Integer,
            sa.ForeignKey("live_rounds.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "learner_id",
            sa.Integer,
            sa.ForeignKey("learners.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("choice", sa.String(64), nullable=False),
        sa.Column("voted_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("live_votes")
    op.drop_index("ix_live_rounds_session_id", table_name="live_rounds")
    op.drop_table("live_rounds")
    op.drop_index("ix_live_sessions_class_key", table_name="live_sessions")
    op.drop_table("live_sessions")
