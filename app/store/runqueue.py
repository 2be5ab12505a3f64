"""The training queue in the database: run requests, the runs being trained, the workers.

One row of `run_requests` is one requester's wish for one run (run key): stored before the
requester is told it is queued. Requests are grouped in *lanes* (a learner, an anonymous browser
session, the app's shared runs); a lane other than a shared one trains one run at a time (or the
two of a pair it asked for together, "Train both", when two workers are free), and workers take
lanes in turn: the oldest `ring_at` first, and a lane that was just served goes to
the back of the ring. Identical requests (same key) are trained once: the key is claimed by one
worker (`run_progress`, one row per key), every live request of it rides along.

States of a request: queued -> running -> done | stopped | failed, or withdrawn (its requester
stopped it or replaced it). A worker that stops beating (`train_workers`) has its runs put back
in the queue (`recover`); an interrupted attempt (server restart) goes back without counting.

No Streamlit, no TensorFlow. Claims are serialised (SQLite: BEGIN IMMEDIATE; PostgreSQL: an
advisory transaction lock), so two workers never claim the same key.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from dropout_lab.store.base import Database
from dropout_lab.store.queue_reads import QueueReads
from dropout_lab.store.queue_tables import LIVE, P, R, W, run_progress, run_requests, train_workers

_PG_QUEUE_LOCK = 0x44_52_51_55  # pg_advisory_xact_lock key ("DRQU")


def multi_lane(lane: str) -> bool:
    """Shared lanes (the app's own runs) may train several runs at once; others one."""
    return lane.startswith("shared")


ANONYMOUS_CAP = 4  # live requests of not-joined sessions from one client, together


def pair_fits(running: list[bool], paired: bool) -> bool:
    """May a lane whose running requests are `running` (each: paired or not) train one more,
    itself `paired` or not? Only the second of a pair asked for together, beside the first."""
    return len(running) == 1 and (paired or running[0])


def anonymous(lane: str) -> bool:
    """A browser session's lane (a learner who has not joined), not a learner's or shared."""
    return not (lane.startswith("learner:") or multi_lane(lane))


class QueueFull(Exception):
    """The client's sessions that have not joined hold `cap` queue places already."""

    def __init__(self, cap: int) -> None:
        super().__init__(f"this client's sessions have {cap} runs queued or training already")
        self.cap = cap


@dataclass(frozen=True)
class Lease:
    """A run a worker has claimed and now trains (its lease on it): its key, what to train, and
    what it should cost."""

    key: str
    spec: dict
    config: dict
    cost: float


@dataclass(frozen=True)
class Submitted:
    request_id: int
    attached: bool  # another request of the same key was already queued or running
    again: bool  # this lane had already asked for this key: nothing new was stored
    withdrawn: tuple[str, ...] = ()  # keys of the lane's requests this one replaced


class RunQueue(QueueReads):
    """The training queue; every method is one transaction. Thread- and process-safe.
    What it only reads (and the workers' heartbeats) is in `queue_reads`."""

    def _queue_write(self):
        return _Locked(self)

    # ---- requests

    def queue_submit(
        self,
        key: str,
        lane: str,
        spec: dict,
        config: dict,
        cost: float,
        *,
        replace: bool = True,
        client: str | None = None,
        client_cap: int | None = ANONYMOUS_CAP,
        paired: bool = False,
    ) -> Submitted:
        """Store a request (before anyone is told it is queued). With `replace`, the lane's
        live requests for other keys are withdrawn; it takes the place of their queued one.

        `client` is where the request came from (a network address). A learner's lane holds
        one place however many tabs they open; the sessions of one client that have not joined
        are many lanes, a new one each page load, so together they hold at most `client_cap`
        live requests: beyond that QueueFull, nothing stored.

        `paired` (with `replace` False): asked for together with the lane's live request, so
        it may train beside it when a worker is free (`pair_fits`)."""
        now = time.time()
        with self._queue_write() as conn:
            mine = conn.execute(
                sa.select(R.id, R.key, R.state, R.ring_at).where(R.lane == lane, R.state.in_(LIVE))
            ).all()
            same = [r for r in mine if r.key == key]
            if same:
                return Submitted(same[0].id, True, True)
            if client is not None and client_cap is not None and anonymous(lane):
                held = conn.execute(
                    sa.select(R.lane).where(R.client == client, R.state.in_(LIVE))
                ).scalars()
                freed = len(mine) if replace else 0  # this lane's own, replaced by this one
                if sum(anonymous(other) for other in held) - freed >= client_cap:
                    raise QueueFull(client_cap)
            ring_at, withdrawn = now, ()
            if replace and mine:
                ring_at = min([r.ring_at for r in mine if r.state == "queued"] or [now])
                withdrawn = tuple(r.key for r in mine)
                conn.execute(
                    sa.update(run_requests)
                    .where(R.id.in_([r.id for r in mine]))
                    .values(state="withdrawn", updated_at=now)
                )
            training = conn.execute(sa.select(P.key).where(P.key == key)).first() is not None
            others = conn.execute(
                sa.select(sa.func.count()).where(R.key == key, R.state.in_(LIVE))
            ).scalar()
            values = dict(key=key, lane=lane, spec=spec, config=config, cost=float(cost),
                          state="running" if training else "queued", ring_at=ring_at,
                          created_at=now, updated_at=now, attempts=0, interrupted=0,
                          client=client, paired=bool(paired and not replace))  # fmt: skip
            new_id = conn.execute(run_requests.insert().values(values)).inserted_primary_key[0]
        return Submitted(int(new_id), training or bool(others), False, withdrawn)

    def queue_withdraw(self, key: str, lane: str | None = None) -> bool:
        """Withdraw one live request of `key` (the lane's, if given). True when nobody else
        wants the run now (its worker stops it after the current epoch)."""
        now = time.time()
        with self._queue_write() as conn:
            where = [R.key == key, R.state.in_(LIVE)]
            if lane is not None:
                where.append(R.lane == lane)
            row = conn.execute(sa.select(R.id).where(*where).order_by(R.id.desc())).first()
            if row is not None:
                conn.execute(
                    sa.update(run_requests)
                    .where(R.id == row.id)
                    .values(state="withdrawn", updated_at=now)
                )
            left = conn.execute(
                sa.select(sa.func.count()).where(R.key == key, R.state.in_(LIVE))
            ).scalar()
        return not left

    def queue_withdraw_waiting(self, lane: str) -> int:
        """Withdraw the lane's queued requests (not a running one: it finishes, its result is
        shared); return how many. For a session that ended (ui/session_runs.py)."""
        now = time.time()
        with self._queue_write() as conn:
            done = conn.execute(
                sa.update(run_requests)
                .where(R.lane == lane, R.state == "queued")
                .values(state="withdrawn", updated_at=now)
            )
        return int(done.rowcount or 0)

    def queue_withdraw_all(self, error: str) -> None:
        """Shut an ephemeral queue: queued requests fail with `error`, running ones are
        withdrawn (their workers stop them, keeping the epochs done)."""
        now = time.time()
        with self._queue_write() as conn:
            conn.execute(sa.update(run_requests).where(R.state == "queued")
                         .values(state="failed", error=error, updated_at=now))  # fmt: skip
            conn.execute(sa.update(run_requests).where(R.state == "running")
                         .values(state="withdrawn", updated_at=now))  # fmt: skip

    def queue_interest(self, key: str) -> int:
        """How many live requests the run `key` serves (0: its worker should stop)."""
        with self._read() as conn:
            return int(
                conn.execute(
                    sa.select(sa.func.count()).where(R.key == key, R.state.in_(LIVE))
                ).scalar()
            )

    # ---- claiming, progress, finishing

    def queue_claim(
        self, worker: str, *, max_cost: float | None = None, before: float | None = None
    ) -> Lease | None:
        """Claim the next run in the lanes' turn for `worker`, or None when there is none.

        `max_cost` and `before` restrict it to short runs that have waited since before that
        time (what a worker may train while pausing a long run)."""
        now = time.time()
        with self._queue_write() as conn:
            busy_keys = set(conn.execute(sa.select(P.key)).scalars())
            busy = _busy_lanes(conn)
            query = sa.select(
                R.id, R.key, R.lane, R.spec, R.config, R.cost, R.ring_at, R.paired
            ).where(R.state == "queued")
            if max_cost is not None:
                query = query.where(R.cost <= max_cost)
            if before is not None:
                query = query.where(R.ring_at < before)
            for row in conn.execute(query.order_by(R.ring_at, R.id)).all():
                held = busy.get(row.lane)
                if row.key in busy_keys or (held and not multi_lane(row.lane)
                                            and not pair_fits(held, bool(row.paired))):  # fmt: skip
                    continue
                self._take(conn, row, worker, now)
                return Lease(row.key, row.spec, row.config, float(row.cost))
        return None

    @staticmethod
    def _take(conn: Connection, row: Any, worker: str, now: float) -> None:
        total = int((row.config or {}).get("epochs", 0))
        conn.execute(run_progress.insert().values(
            key=row.key, worker=worker, cost=float(row.cost), claimed_at=now, updated_at=now,
            epochs_done=0, epochs_total=total, history={}, paused=False))  # fmt: skip
        lanes = set(conn.execute(
            sa.select(R.lane).where(R.key == row.key, R.state == "queued")).scalars())  # fmt: skip
        conn.execute(sa.update(run_requests).where(R.key == row.key, R.state == "queued")
                     .values(state="running", updated_at=now))  # fmt: skip
        # Served: the lanes' other waiting runs go to the back of the ring.
        back = sa.update(run_requests).where(R.lane.in_(lanes), R.state == "queued")
        conn.execute(back.values(ring_at=now))

    def queue_progress(
        self, key: str, worker: str, epochs_done: int, history: dict, *, paused: bool = False
    ) -> bool:
        """Write the run's progress; False when `worker` no longer holds the run (it was
        given to another worker after this one was taken for dead): it should let go."""
        with self._write() as conn:
            return bool(conn.execute(sa.update(run_progress).where(
                P.key == key, P.worker == worker).values(
                epochs_done=int(epochs_done), history=history, paused=paused,
                updated_at=time.time())).rowcount)  # fmt: skip

    def queue_finish(self, key: str, worker: str, outcome: str, error: str | None = None) -> None:
        """The worker's attempt at `key` ended: done, stopped or failed (every live request of
        it takes that state), or interrupted (they wait again, where they were in the ring)."""
        now = time.time()
        with self._queue_write() as conn:
            held = conn.execute(sa.delete(run_progress).where(P.key == key, P.worker == worker))
            if not held.rowcount:
                return  # taken for dead meanwhile: the run is another attempt's now
            live = sa.update(run_requests).where(R.key == key, R.state.in_(LIVE))
            if outcome == "interrupted":
                conn.execute(live.values(state="queued", interrupted=R.interrupted + 1,
                                         updated_at=now))  # fmt: skip
            else:
                conn.execute(live.values(state=outcome, error=error, updated_at=now))

    def queue_recover(
        self,
        *,
        stale_seconds: float,
        max_attempts: int,
        error: str,
        is_dead: Callable[[str, int], bool] = lambda host, pid: False,
        worker: str | None = None,
    ) -> list[str]:
        """The embedded workers' recovery: put back in the queue the runs of workers that died
        (no heartbeat in `train_workers` for `stale_seconds`, or `is_dead(host, pid)`; only
        `worker`'s, if given). A run that has crashed `max_attempts` times fails with `error`.
        Returns the keys queued again. (On procrastinate, `queue_release` is told which.)"""
        now = time.time()
        with self._queue_write() as conn:
            rows = conn.execute(
                sa.select(P.key, P.worker, P.claimed_at, W.host, W.pid, W.heartbeat_at).select_from(
                    run_progress.outerjoin(train_workers, W.id == P.worker)
                )
            ).all()
            dead = []
            for r in rows:
                if worker is not None:
                    gone = r.worker == worker
                elif r.heartbeat_at is None:
                    gone = r.claimed_at < now - stale_seconds
                else:
                    gone = r.heartbeat_at < now - stale_seconds or is_dead(r.host, r.pid)
                if gone:
                    dead.append(r.key)
            return _hand_back(conn, dead, max_attempts, error, now)

    def queue_release(
        self, gone: Callable[[str], bool], *, max_attempts: int, error: str
    ) -> list[str]:
        """Put back in the queue the runs whose lease holder `gone(holder)` says is gone (its
        job stalled); as `queue_recover` for the rest. Returns the keys queued again."""
        now = time.time()
        with self._queue_write() as conn:
            rows = conn.execute(sa.select(P.key, P.worker)).all()
            return _hand_back(conn, [r.key for r in rows if gone(r.worker)], max_attempts,
                              error, now)  # fmt: skip


def _busy_lanes(conn: Connection) -> dict[str, list[bool]]:
    """Lane -> its runs in training, each paired or not: its running requests, and a run it
    withdrew that nobody wants but is still stopping (its worker ends it at its next epoch, so
    the lane's next run waits for that worker rather than training beside it)."""
    busy: dict[str, list[bool]] = {}
    running = sa.select(R.lane, R.paired).where(R.state == "running")
    for lane, paired in conn.execute(running).all():
        busy.setdefault(lane, []).append(bool(paired))
    wanted = sa.select(R.key).where(R.state.in_(LIVE))
    stopping = (
        sa.select(R.lane)
        .join(run_progress, P.key == R.key)
        .where(R.state == "withdrawn", P.key.not_in(wanted))
        .distinct()
    )
    for lane in conn.execute(stopping).scalars():
        busy.setdefault(lane, []).append(False)
    return busy


def _hand_back(conn: Connection, keys: list[str], max_attempts: int, error: str,
               now: float) -> list[str]:  # fmt: skip
    """Release the leases on `keys` (their holders died): their live requests wait again, one
    crash more, or fail with `error` after `max_attempts`. Returns the keys queued again."""
    requeued = []
    for key in keys:
        conn.execute(sa.delete(run_progress).where(P.key == key))
        live = sa.update(run_requests).where(R.key == key, R.state.in_(LIVE))
        attempts = conn.execute(
            sa.select(sa.func.max(R.attempts)).where(R.key == key, R.state.in_(LIVE))
        ).scalar()
        if attempts is None:
            continue
        if attempts + 1 >= max_attempts:
            conn.execute(live.values(state="failed", error=error, updated_at=now,
                                     attempts=R.attempts + 1))  # fmt: skip
        else:
            conn.execute(live.values(state="queued", updated_at=now,
                                     attempts=R.attempts + 1))  # fmt: skip
            requeued.append(key)
    return requeued


class _Locked:
    """A write transaction that holds the queue's lock (PostgreSQL: an advisory lock)."""

    def __init__(self, db: Database) -> None:
        self._cm = db._write()

    def __enter__(self) -> Connection:
        conn = self._cm.__enter__()
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_QUEUE_LOCK})")
        return conn

    def __exit__(self, *exc: Any) -> Any:
        return self._cm.__exit__(*exc)
