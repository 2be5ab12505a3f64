"""What the training queue only reads, and the workers' heartbeats: a run's request and
progress, the queue's order, one snapshot of everything live, a lane's latest requests."""

from __future__ import annotations

import time

import sqlalchemy as sa

from dropout_lab.store.base import Database
from dropout_lab.store.queue_tables import LIVE, P, R, W, run_progress, train_workers


def _live_workers(conn: sa.Connection, stale_seconds: float) -> list[str]:
    """The workers that beat within the last `stale_seconds`."""
    fresh = W.heartbeat_at >= time.time() - stale_seconds
    return list(conn.execute(sa.select(W.id).where(fresh)).scalars())


class QueueReads(Database):
    """The queue's reads and the workers' heartbeats; every method is one transaction."""

    # ---- workers

    def worker_beat(self, worker: str, host: str, pid: int) -> None:
        now = time.time()
        with self._write() as conn:
            found = conn.execute(sa.update(train_workers).where(W.id == worker)
                                 .values(heartbeat_at=now)).rowcount  # fmt: skip
            if not found:
                conn.execute(train_workers.insert().values(
                    id=worker, host=host, pid=pid, started_at=now, heartbeat_at=now))  # fmt: skip

    def worker_leave(self, worker: str) -> None:
        with self._write() as conn:
            conn.execute(sa.delete(train_workers).where(W.id == worker))

    def workers_live(self, stale_seconds: float) -> int:
        with self._read() as conn:
            return len(_live_workers(conn, stale_seconds))

    def queue_waiting(self) -> bool:
        """Whether any request waits: an idle worker's cheap look before it claims (a claim
        is a write that takes the queue's lock)."""
        with self._read() as conn:
            first = sa.select(R.id).where(R.state == "queued").limit(1)
            return conn.execute(first).first() is not None

    # ---- reading

    def queue_view(self, key: str, lane: str | None = None) -> dict | None:
        """{"request": the latest live request of `key` (the lane's, if given), else the latest
        one; "progress": its run_progress row while a worker trains it}; None if unknown."""
        with self._read() as conn:
            prog = conn.execute(sa.select(run_progress).where(P.key == key)).mappings().first()
            where = [R.key == key] + ([R.lane == lane] if lane is not None else [])
            live = sa.case((R.state.in_(LIVE), 1), else_=0)
            req = (
                conn.execute(
                    sa.select(R.state, R.error, R.attempts, R.interrupted, R.config)
                    .where(*where)
                    .order_by(live.desc(), R.id.desc())
                    .limit(1)
                )
                .mappings()
                .first()
            )
        if prog is None and req is None:
            return None
        return {"request": dict(req) if req else None, "progress": dict(prog) if prog else None}

    def queue_order(self) -> tuple[list[dict], list[dict]]:
        """(the queued keys in the order they will be taken, with their cost; the runs being
        trained, with their cost and epochs)."""
        with self._read() as conn:
            running = [dict(r) for r in conn.execute(
                sa.select(P.key, P.cost, P.epochs_done, P.epochs_total, P.worker, P.claimed_at)
                .order_by(P.claimed_at)).mappings()]  # fmt: skip
            rows = conn.execute(
                sa.select(R.key, R.cost, R.ring_at)
                .where(R.state == "queued")
                .order_by(R.ring_at, R.id)
            ).all()
        seen: dict[str, dict] = {}
        for r in rows:
            seen.setdefault(r.key, {"key": r.key, "cost": float(r.cost)})
        return list(seen.values()), running

    def queue_snapshot(self, stale_seconds: float) -> dict:
        """Everything live, in one read: {"progress": key -> row, "live": the live requests in
        the lanes' turn, "workers": the workers that beat within `stale_seconds`}."""
        with self._read() as conn:
            progress = {r["key"]: dict(r) for r in conn.execute(
                sa.select(run_progress)).mappings()}  # fmt: skip
            live = [dict(r) for r in conn.execute(
                sa.select(R.id, R.key, R.lane, R.state, R.cost, R.config, R.attempts,
                          R.interrupted, R.error)
                .where(R.state.in_(LIVE)).order_by(R.ring_at, R.id)).mappings()]  # fmt: skip
            workers = _live_workers(conn, stale_seconds)
        return {"progress": progress, "live": live, "workers": workers}

    def lane_requests(self, lane: str, limit: int = 20) -> list[dict]:
        """The lane's latest requests, newest first (to show a learner their runs again)."""
        with self._read() as conn:
            return [dict(r) for r in conn.execute(
                sa.select(R.key, R.state, R.created_at, R.spec, R.config, R.interrupted)
                .where(R.lane == lane).order_by(R.id.desc()).limit(limit)).mappings()]  # fmt: skip
