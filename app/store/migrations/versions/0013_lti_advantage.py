"""lti_grade_links, lti_scores_outbox, lti_members, lti_course_services: LTI Advantage (issue
26): what a launch said about the LMS's grade service, the scores waiting to be sent (stored
before they are sent, retried with back-off), the course's members, and its roster's address.

New tables only: every stored row of the other tables stays as it is.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def _learner() -> sa.Column:
    return sa.Column(
        "learner_id",
        sa.Integer,
        sa.ForeignKey("learners.id", ondelete="CASCADE"),
        primary_key=True,
    )


def upgrade() -> None:
    op.create_table(
        "lti_grade_links",
        _learner(),
        sa.Column("link_id", sa.String(255), primary_key=True),
        sa.Column("platform", sa.String(255), nullable=False),
        sa.Column("client_id", sa.String(255), nullable=False),
        sa.Column("sub", sa.String(255), nullable=False),
        sa.Column("target", sa.String(32), nullable=False),
        sa.Column("lineitem", sa.String(2000), nullable=True),
        sa.Column("lineitems", sa.String(2000), nullable=True),
        sa.Column("scopes", sa.JSON, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_table(
        "lti_scores_outbox",
        _learner(),
        sa.Column("link_id", sa.String(255), primary_key=True),
        sa.Column("score_given", sa.Float, nullable=False),
        sa.Column("score_maximum", sa.Float, nullable=False),
        sa.Column("activity", sa.String(16), nullable=False),
        sa.Column("grading", sa.String(16), nullable=False),
        sa.Column("scored_at", sa.Float, nullable=False),
        sa.Column("sent", sa.Boolean, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_at", sa.Float, nullable=False, index=True),
        sa.Column("claimed_until", sa.Float, nullable=False),
        sa.Column("last_error", sa.String(200), nullable=True),
    )
    op.create_table(
        "lti_members",
        sa.Column("platform", sa.String(255), primary_key=True),
        sa.Column("context_id", sa.String(255), primary_key=True),
        sa.Column("sub", sa.String(255), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("email", sa.String(255), nullable=True),
        sa.Column("sourcedid", sa.String(255), nullable=True),
        sa.Column("learner", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_table(
        "lti_course_services",
        sa.Column("platform", sa.String(255), primary_key=True),
        sa.Column("context_id", sa.String(255), primary_key=True),
        sa.Column("client_id", sa.String(255), nullable=False),
        sa.Column("memberships_url", sa.String(2000), nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    for table in ("lti_course_services", "lti_members", "lti_scores_outbox", "lti_grade_links"):
        op.drop_table(table)
