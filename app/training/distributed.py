"""Training on procrastinate, for a class that outgrows one server (PostgreSQL only).

App processes (any number, on any machines) store requests in the queue tables, as the embedded
service does, and defer one procrastinate job per queued run key; `dropout-lab worker` processes
(any number, on any machines) run those jobs. A job is *a turn at the queue*: the worker claims
the next run in the lanes' turn (not necessarily the job's own key: fairness is decided when a
worker is free, not when a job was deferred) and trains it (`turns.Turns`), writing its history
to the database, so any app process shows it live and sends Stop through it.

One mechanism for the workers' lives, procrastinate's: its jobs, its LISTEN/NOTIFY wake-ups, its
queueing locks (one waiting job per run key across the deployment), its worker heartbeats, and
its stalled-job recovery and retries. A run's lease names the job that holds it
(`job:<id>@<host>:<pid>`), so when procrastinate finds a job stalled (its worker's heartbeat
stopped), the runs that job held go back in the queue and the job is retried. That recovery is a
procrastinate periodic task the workers run when they are free (`recover_stalled`); nothing
else beats or recovers on PostgreSQL, and app processes run no timer.

What the queue tables give: lanes taken in turn, one live run per learner, identical requests
trained once (a key is claimed by one job at a time), the budget, and the count of a run's
crashes (three fail it with a sentence).

No Streamlit here; TensorFlow only in the worker (when it trains).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from dropout_lab.store.runqueue import RunQueue
from dropout_lab.training import starts
from dropout_lab.training.client import MSG_CRASHED, QueueClient
from dropout_lab.training.runstore import RunStore
from dropout_lab.training.spawn import server_gone_test
from dropout_lab.training.turns import Turns, worker_id

log = logging.getLogger(__name__)

QUEUE = "dropout_lab_training"
TASK = "dropout_lab.train_turn"
RECOVER_TASK = "dropout_lab.recover_stalled"
MAX_ATTEMPTS = 3
HEARTBEAT_EVERY = 2.0  # s between a procrastinate worker's heartbeats
# s without a heartbeat before a worker's jobs are stalled: seven missed beats. A worker whose
# training thread holds the GIL still beats from its event loop's thread.
STALLED_AFTER = 15.0
RECOVER_CRON = "* * * * * */2"  # every 2 s (the sixth column is seconds), by a free worker
_PG_SCHEMA_LOCK = 0x44_52_50_52  # pg_advisory_lock key for applying procrastinate's schema
_LIVE_WORKERS = """SELECT count(*) AS n FROM procrastinate_workers
                    WHERE last_heartbeat > now() - %(seconds)s * interval '1 second'"""


def conninfo(url: str) -> str:
    """The libpq address of an SQLAlchemy PostgreSQL URL (procrastinate speaks psycopg)."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise ValueError(f"procrastinate needs PostgreSQL, got a {parsed.get_backend_name()} URL")
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def holder(job_id: int, worker: str) -> str:
    """The name a run's lease is held under: the job, on the worker (`host:pid`) running it."""
    return f"job:{job_id}@{worker}"


def make_app(url: str, *, sync: bool) -> Any:
    """The procrastinate app on `url`, with its two tasks (`sync`: for app processes, which
    only defer)."""
    import procrastinate

    cls = procrastinate.SyncPsycopgConnector if sync else procrastinate.PsycopgConnector
    app = procrastinate.App(connector=cls(conninfo=conninfo(url)))

    @app.task(name=TASK, queue=QUEUE, pass_context=True)
    def train_turn(context: Any, key: str) -> None:
        """The worker loop's step (`turns.Turns.drain`), the leases held in this job's name."""
        found = context.additional_context
        turns = dataclasses.replace(
            found["turns"], worker=holder(context.job.id, found["turns"].worker)
        )
        turns.drain()
        if turns.interrupted():  # shutting down: what it handed back needs a job to wait in
            defer_waiting(turns.queue, found["defer_app"])

    @app.periodic(cron=RECOVER_CRON)
    @app.task(name=RECOVER_TASK, queue=QUEUE, queueing_lock=RECOVER_TASK, priority=1,
              pass_context=True)  # fmt: skip
    async def recover_stalled(context: Any, timestamp: int) -> None:
        found = context.additional_context
        await recover(context.app.job_manager, found["turns"].queue, found["defer_app"])

    return app


async def recover(jobs: Any, queue: RunQueue, defer_app: Any) -> list[str]:
    """procrastinate's stalled jobs (their worker stopped beating): the runs they held go back
    in the queue (or fail, after MAX_ATTEMPTS crashes), and the jobs are retried. A job that
    cannot be retried because another one waits for its key already is ended, as failed (the
    waiting one takes the turn). Returns the keys queued again."""
    from procrastinate import exceptions
    from procrastinate.jobs import Status

    stalled = list(await jobs.get_stalled_jobs(queue=QUEUE, seconds_since_heartbeat=STALLED_AFTER))
    if not stalled:
        return []
    prefixes = tuple(holder(job.id, "") for job in stalled)
    keys = await asyncio.to_thread(queue.queue_release, lambda h: h.startswith(prefixes),
                                   max_attempts=MAX_ATTEMPTS, error=MSG_CRASHED)  # fmt: skip
    for job in stalled:
        try:
            await jobs.retry_job(job)
        except exceptions.UniqueViolation:  # its key's queueing lock is taken: a job waits
            await jobs.finish_job(job, Status.FAILED, delete_job=False)
    await asyncio.to_thread(defer_waiting, queue, defer_app)
    log.warning("stalled training jobs %s retried; runs queued again: %s",
                [job.id for job in stalled], keys)  # fmt: skip
    return keys


def ensure_schema(url: str) -> None:
    """Apply procrastinate's schema once (several processes may start at once)."""
    import psycopg
    from procrastinate import schema

    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        conn.execute(f"SELECT pg_advisory_lock({_PG_SCHEMA_LOCK})")
        try:
            found = conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
            if found is None or found[0] is None:
                conn.execute(schema.SchemaManager.get_schema())
        finally:
            conn.execute(f"SELECT pg_advisory_unlock({_PG_SCHEMA_LOCK})")


def defer_turns(app: Any, keys: list[str]) -> int:
    """One waiting job per run key (a queueing lock): how many were deferred now."""
    from procrastinate import exceptions

    deferred = 0
    for key in keys:
        with contextlib.suppress(exceptions.AlreadyEnqueued):
            app.configure_task(name=TASK, queueing_lock=f"turn:{key}").defer(key=key)
            deferred += 1
    return deferred


def defer_waiting(queue: RunQueue, app: Any) -> int:
    """A waiting job for every queued run key (after runs were handed back)."""
    queued, _ = queue.queue_order()
    return defer_turns(app, [q["key"] for q in queued])


def live_workers(app: Any) -> int:
    """How many procrastinate workers beat lately (an opened sync app)."""
    return int(app.connector.execute_query_one(_LIVE_WORKERS, seconds=STALLED_AFTER)["n"])


class DistributedService(QueueClient):
    """The app side: enqueue, read progress, Stop; workers are `dropout-lab worker` processes."""

    def __init__(
        self,
        store: RunStore,
        url: str,
        *,
        budget_seconds: float | None = None,
        local_workers: int = 0,
    ) -> None:
        super().__init__(store, RunQueue(url), budget_seconds)
        self.url = url
        ensure_schema(url)
        self.app = make_app(url, sync=True)
        self.app.open()
        self.local = None
        self._beating, self._beating_at = 0, -1e9
        if local_workers > 0:
            from dropout_lab.training.local_workers import LocalWorkers

            self.local = LocalWorkers(self, local_workers)
            defer_waiting(self.queue, self.app)  # what a killed server left waits for these
            self.local.fill()

    @property
    def max_workers(self) -> int:
        return self.live_workers()

    def live_workers(self) -> int:
        return max(1, self._beating_now(), self.local.count if self.local else 0)

    def _beating_now(self) -> int:
        """The workers that beat lately, read at most every SNAPSHOT_SECONDS (a class polling
        its queued runs asks this for each one)."""
        now = time.monotonic()
        if now - self._beating_at >= self.SNAPSHOT_SECONDS:
            self._beating, self._beating_at = live_workers(self.app), now
        return self._beating

    def _after_submit(self, key: str, fresh: bool) -> None:
        defer_turns(self.app, [key])
        if self.local is not None:
            self.local.fill()

    def starting(self, key: str) -> float | None:
        """A server's own workers started, none beating yet: about how long a start takes."""
        if self.local is None or not self.local.alive() or self._beating_now():
            return None
        return starts.load(self.store.root)

    def stats(self) -> dict[str, int]:
        counts = self.counts()
        counts.update(workers=self.local.started if self.local else self.live_workers(),
                      live_workers=self.live_workers())  # fmt: skip
        return counts

    def worker_pids(self) -> list[int]:
        return self.local.pids() if self.local is not None else []

    def prewarm(self, runs: Any = (), *, wait: bool = False, timeout: float = 180.0) -> None:
        """Start this server's own workers now; with `wait`, until they beat (or `timeout`)."""
        if self.local is None:
            return  # the workers are other processes
        self.local.fill(always=True)
        deadline = time.monotonic() + timeout
        while wait and time.monotonic() < deadline and live_workers(self.app) < self.local.count:
            time.sleep(0.05)

    def shutdown(self, timeout: float = 10.0) -> None:
        if self.local is not None:
            self.local.shutdown(timeout)
        with contextlib.suppress(Exception):
            self.app.close()

    def __enter__(self) -> DistributedService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()


def run_worker(
    url: str,
    root: str | None = None,
    *,
    parent: int | None = None,
    spawned_at: float = 0.0,
    signals: tuple[int, ...] = (signal.SIGTERM, signal.SIGINT),
) -> None:
    """A `dropout-lab worker` process: train queued runs until SIGTERM or Ctrl+C (the run under
    way is interrupted at its next epoch and goes back in the queue for another worker).

    `parent`: a server's own worker (`LocalWorkers`) also stops, the same way, once that
    process is gone, and its `signals` leave out Ctrl+C (that is the server's). `spawned_at`
    (time.time() when the server started it): its start is measured and kept (`starts`), for
    the next first run's "starting the trainer" message."""
    from dropout_lab.training import trainer  # noqa: F401  (before it registers: it starts warm)

    if spawned_at and root:
        starts.save(root, time.time() - spawned_at)
    queue = RunQueue(url)
    ensure_schema(url)
    interrupt = threading.Event()
    orphaned = server_gone_test(parent) if parent else (lambda: False)
    turns = Turns(queue, RunStore(root, url), worker_id(),
                  interrupted=lambda: interrupt.is_set() or orphaned())  # fmt: skip
    app = make_app(url, sync=False)
    defer_app = make_app(url, sync=True).open()

    async def main() -> None:
        async with app.open_async():
            worker = asyncio.create_task(app.run_worker_async(
                queues=[QUEUE], concurrency=1, name=turns.worker, install_signal_handlers=False,
                additional_context={"turns": turns, "defer_app": defer_app},
                delete_jobs="successful", update_heartbeat_interval=HEARTBEAT_EVERY,
                stalled_worker_timeout=STALLED_AFTER,
            ))  # fmt: skip
            loop = asyncio.get_running_loop()

            def stop() -> None:
                interrupt.set()
                worker.cancel()

            for sig in signals:
                loop.add_signal_handler(sig, stop)
            watch = loop.create_task(_stop_when(orphaned, stop)) if parent else None
            with contextlib.suppress(asyncio.CancelledError):
                await worker
            if watch is not None:
                watch.cancel()

    try:
        asyncio.run(main())
    finally:
        defer_app.close()


async def _stop_when(gone: Callable[[], bool], stop: Callable[[], None]) -> None:
    """Look once a second whether the server that started this worker is gone; then stop."""
    while not gone():
        await asyncio.sleep(1.0)
    stop()
