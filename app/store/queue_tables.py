"""The training queue's tables (revision 0004): run requests, the runs being trained, the
workers' heartbeats. `runqueue` writes them, `queue_reads` reads them."""

from __future__ import annotations

import sqlalchemy as sa

from dropout_lab.store.schema import KEY_MAX, metadata

LANE_MAX = 120
LIVE = ("queued", "running")

run_requests = sa.Table(  # revision 0004
    "run_requests",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key", sa.String(KEY_MAX), nullable=False, index=True),
    sa.Column("lane", sa.String(LANE_MAX), nullable=False, index=True),
    sa.Column("spec", sa.JSON, nullable=False),
    sa.Column("config", sa.JSON, nullable=False),
    sa.Column("cost", sa.Float, nullable=False),
    sa.Column("state", sa.String(16), nullable=False, index=True),
    sa.Column("ring_at", sa.Float, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),  # attempts that crashed
    sa.Column("interrupted", sa.Integer, nullable=False),  # attempts cut by a restart
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("client", sa.String(LANE_MAX), nullable=True, index=True),  # revision 0008
    sa.Column("paired", sa.Boolean, nullable=True),  # revision 0012: asked for with the lane's
)

run_progress = sa.Table(  # revision 0004
    "run_progress",
    metadata,
    sa.Column("key", sa.String(KEY_MAX), primary_key=True),
    sa.Column("worker", sa.String(LANE_MAX), nullable=False, index=True),
    sa.Column("cost", sa.Float, nullable=False),
    sa.Column("claimed_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.Column("epochs_done", sa.Integer, nullable=False),
    sa.Column("epochs_total", sa.Integer, nullable=False),
    sa.Column("history", sa.JSON, nullable=False),
    sa.Column("paused", sa.Boolean, nullable=False),
)

train_workers = sa.Table(  # revision 0004
    "train_workers",
    metadata,
    sa.Column("id", sa.String(LANE_MAX), primary_key=True),
    sa.Column("host", sa.String(255), nullable=False),
    sa.Column("pid", sa.Integer, nullable=False),
    sa.Column("started_at", sa.Float, nullable=False),
    sa.Column("heartbeat_at", sa.Float, nullable=False),
)

R, P, W = run_requests.c, run_progress.c, train_workers.c
