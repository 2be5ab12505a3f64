"""learners.secret_hash, link_issued_at, last_seen_at; access_limits: resume codes and the
count of wrong tries per client.

Learners stored before this revision keep every row; they have no resume code yet (a NULL
hash), and get one when the instructor issues it or on a visit the lesson file allows.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

COLUMNS = ("secret_hash", "link_issued_at", "last_seen_at")


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy of the table): on SQLite, recreating `learners` would
    # drop it, and the foreign keys' ON DELETE CASCADE would empty every learner's work.
    op.add_column("learners", sa.Column("secret_hash", sa.String(64), nullable=True))
    op.add_column("learners", sa.Column("link_issued_at", sa.Float, nullable=True))
    op.add_column("learners", sa.Column("last_seen_at", sa.Float, nullable=True))
    op.create_table(
        "access_limits",
        sa.Column("scope", sa.String(16), primary_key=True),
        sa.Column("client", sa.String(120), primary_key=True),
        sa.Column("window_start", sa.Float, nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("blocked_until", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("access_limits")
    for column in COLUMNS:  # ALTER TABLE ... DROP COLUMN (SQLite 3.35+), for the same reason
        op.execute(sa.text(f"ALTER TABLE learners DROP COLUMN {column}"))
