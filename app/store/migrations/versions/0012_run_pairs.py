"""run_requests.paired: the second run of a pair a learner asked for together ("Train both"),
which may train beside the first when two workers are free (issue 23).

A nullable column (null is "not paired"): every stored request stays as it is.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy): see 0005 on why a copy of a table is avoided.
    op.add_column("run_requests", sa.Column("paired", sa.Boolean, nullable=True))


def downgrade() -> None:
    op.execute(sa.text("ALTER TABLE run_requests DROP COLUMN paired"))
