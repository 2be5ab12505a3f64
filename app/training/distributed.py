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
from typing import Any

import sqlalchemy as sa

from dropout_lab.store.runqueue import RunQueue
from dropout_lab.training.client import MSG_CRASHED, QueueClient
from dropout_lab.training.runstore import RunStore
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

    def __init__(self, store: RunStore, url: str, *, budget_seconds: float | None = None) -> None:
        super().__init__(store, RunQueue(url), budget_seconds)
        ensure_schema(url)
        self.app = make_app(url, sync=True)
        self.app.open()

    @property
    def max_workers(self) -> int:
        return self.live_workers()

    def live_workers(self) -> int:
        return max(1, live_workers(self.app))

    def _after_submit(self, key: str, fresh: bool) -> None:
        defer_turns(self.app, [key])

    def stats(self) -> dict[str, int]:
        counts = self.counts()
        counts.update(workers=self.live_workers(), live_workers=self.live_workers())
        return counts

    def prewarm(self, *args: Any, **kwargs: Any) -> None:
        """Nothing to start here: the workers are other processes."""

    def shutdown(self, timeout: float = 10.0) -> None:
        with contextlib.suppress(Exception):
            self.app.close()

    def __enter__(self) -> DistributedService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()


def run_worker(url: str, root: str | None = None) -> None:
    """A `dropout-lab worker` process: train queued runs until SIGTERM or Ctrl+C (the run under
    way is interrupted at its next epoch and goes back in the queue for another worker)."""
    from dropout_lab.training import trainer  # noqa: F401  (before it registers: it starts warm)

    queue = RunQueue(url)
    ensure_schema(url)
    interrupt = threading.Event()
    turns = Turns(queue, RunStore(root, url), worker_id(), interrupted=interrupt.is_set)
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

            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, stop)
            with contextlib.suppress(asyncio.CancelledError):
                await worker

    try:
        asyncio.run(main())
    finally:
        defer_app.close()
