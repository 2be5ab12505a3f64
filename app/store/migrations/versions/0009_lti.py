"""lti_users, lti_contexts, lti_handoffs, lti_state: launches from an LMS (LTI 1.3, issue 26).

An LMS user of one course is one learner (`lti_users`: platform, course, user -> learner); a
course is one class (`lti_contexts`: platform, course -> class code). A launch hands the browser a
one-time code (`lti_handoffs`, kept as a hash) that the page exchanges for the session. The OIDC
login's state and nonce live here (`lti_state`), not in a cookie an LMS iframe may block.

New tables only: every stored row of the other tables stays as it is.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lti_contexts",
        sa.Column("platform", sa.String(255), primary_key=True),
        sa.Column("context_id", sa.String(255), primary_key=True),
        sa.Column("class_code", sa.String(40), nullable=False),
        sa.Column("title", sa.String(255), nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "lti_users",
        sa.Column("platform", sa.String(255), primary_key=True),
        sa.Column("context_id", sa.String(255), primary_key=True),
        sa.Column("sub", sa.String(255), primary_key=True),
        sa.Column(
            "learner_id",
            sa.Integer,
            sa.ForeignKey("learners.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "lti_handoffs",
        sa.Column("code_hash", sa.String(64), primary_key=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("class_code", sa.String(40), nullable=False),
        sa.Column(
            "learner_id",
            sa.Integer,
            sa.ForeignKey("learners.id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column("target", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
    )
    op.create_table(
        "lti_state",
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("value", sa.JSON, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False, index=True),
    )


def downgrade() -> None:
    for table in ("lti_state", "lti_handoffs", "lti_users", "lti_contexts"):
        op.drop_table(table)
