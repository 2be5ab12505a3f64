"""submissions.run_key: the run a submission trained, indexed (filled in from each summary).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("run_key", sa.String(64), nullable=True))
        batch.create_index("ix_submissions_run_key", ["run_key"])

    subs = sa.table(
        "submissions",
        sa.column("id", sa.Integer),
        sa.column("summary", sa.Text),
        sa.column("run_key", sa.String),
    )
    conn = op.get_bind()
    # The summary is read as text (cast on PostgreSQL, where it is json) and parsed here.
    summary = (
        sa.cast(subs.c.summary, sa.Text) if conn.dialect.name == "postgresql" else subs.c.summary
    )
    rows = conn.execute(sa.select(subs.c.id, summary).where(subs.c.summary.is_not(None))).all()
    for sub_id, text in rows:
        try:
            key = json.loads(text).get("run_key") if text else None
        except (ValueError, AttributeError):
            key = None
        if isinstance(key, str) and 0 < len(key) <= 64:
            conn.execute(sa.update(subs).where(subs.c.id == sub_id).values(run_key=key))


def downgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.drop_index("ix_submissions_run_key")
        batch.drop_column("run_key")
