"""access_limits counted per (scope, target, client); run_requests.client: limits that protect
the class (issue 22).

`access_limits` holds counters only (wrong tries of the last hour or so, nobody's work): it is
made again with its new key, and its old rows are dropped. `run_requests` gains a nullable
`client` (the network address a request came from); every stored request stays as it is.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

COUNTS = (
    sa.Column("window_start", sa.Float, nullable=False),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("level", sa.Integer, nullable=False),
    sa.Column("blocked_until", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)


def _limits(*key: sa.Column) -> None:
    op.create_table("access_limits", *key, *(c.copy() for c in COUNTS))


def upgrade() -> None:
    op.drop_table("access_limits")
    _limits(
        sa.Column("scope", sa.String(16), primary_key=True),
        sa.Column("target", sa.String(64), primary_key=True),
        sa.Column("client", sa.String(120), primary_key=True),
    )
    # Plain ADD COLUMN (no batch copy): see 0005 on why a copy of a table is avoided.
    op.add_column("run_requests", sa.Column("client", sa.String(120), nullable=True))
    op.create_index("ix_run_requests_client", "run_requests", ["client"])


def downgrade() -> None:
    op.drop_index("ix_run_requests_client", table_name="run_requests")
    op.execute(sa.text("ALTER TABLE run_requests DROP COLUMN client"))
    op.drop_table("access_limits")
    _limits(
        sa.Column("scope", sa.String(16), primary_key=True),
        sa.Column("client", sa.String(120), primary_key=True),
    )
