"""Training on procrastinate, for a class that outgrows one server (PostgreSQL only).

App processes (any number, on any machines) store requests in the queue tables, as the embedded
service does, and defer one procrastinate job per queued run key; `dropout-lab worker` processes
(any number, on any machines) run those jobs. A job is *a turn at the queue*: the worker claims
the next run in the lanes' turn (not necessarily the job's own key: fairness is decided when a
worker is free, not when a job was deferred) and trains it (`turns.Turns`), writing its history
to the database, so any app process shows it live and sends Stop through it.

What procrastinate gives: jobs in PostgreSQL, workers woken by LISTEN/NOTIFY, queueing locks
(one waiting job per run key across the deployment), worker heartbeats, graceful shutdown.
What the queue tables give on top: lanes taken in turn, one live run per learner, identical
requests trained once (a key is claimed by one worker at a time), the budget, and recovery: a
worker whose heartbeat stops has its run put back in the queue and a new job deferred, by the
other workers and by every app process.

No Streamlit here; TensorFlow only in the worker (when it trains).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from typing import Any

import sqlalchemy as sa

from dropout_lab.store.runqueue import RunQueue
from dropout_lab.training.client import MSG_CRASHED, QueueClient
from dropout_lab.training.runstore import RunStore
from dropout_lab.training.turns import STALE_AFTER, Heartbeat, Turns, pid_is_dead, worker_id

log = logging.getLogger(__name__)

QUEUE = "dropout_lab_training"
TASK = "dropout_lab.train_turn"
MAX_ATTEMPTS = 3
RECOVER_EVERY = 2.0  # s between looks for dead workers' runs
_PG_SCHEMA_LOCK = 0x44_52_50_52  # pg_advisory_lock key for applying procrastinate's schema


def conninfo(url: str) -> str:
    """The libpq address of an SQLAlchemy PostgreSQL URL (procrastinate speaks psycopg)."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise ValueError(f"procrastinate needs PostgreSQL, got a {parsed.get_backend_name()} URL")
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def make_app(url: str, *, sync: bool) -> Any:
    """The procrastinate app on `url`, with the one task (`sync`: for app processes)."""
    import procrastinate

    cls = procrastinate.SyncPsycopgConnector if sync else procrastinate.PsycopgConnector
    app = procrastinate.App(connector=cls(conninfo=conninfo(url)))

    @app.task(name=TASK, queue=QUEUE, pass_context=True)
    def train_turn(context: Any, key: str) -> None:
        context.additional_context["turns"].drain()  # the worker loop's step (turns.Turns)

    return app


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


def recover(queue: RunQueue, app: Any) -> list[str]:
    """Put dead workers' runs back in the queue, and make sure every queued key has a job."""
    keys = queue.queue_recover(stale_seconds=STALE_AFTER, max_attempts=MAX_ATTEMPTS,
                               error=MSG_CRASHED, is_dead=pid_is_dead)  # fmt: skip
    queued, _ = queue.queue_order()
    defer_turns(app, [q["key"] for q in queued])
    return keys


class _Ticker:
    """Calls `fn` every `every` seconds in a daemon thread until stopped."""

    def __init__(self, fn: Any, every: float, name: str) -> None:
        self.fn, self.every = fn, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.fn()
            except Exception:
                log.warning("periodic training task failed", exc_info=True)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)


class DistributedService(QueueClient):
    """The app side: enqueue, read progress, Stop; workers are `dropout-lab worker` processes."""

    def __init__(self, store: RunStore, url: str, *, budget_seconds: float | None = None) -> None:
        super().__init__(store, RunQueue(url), budget_seconds)
        ensure_schema(url)
        self.app = make_app(url, sync=True)
        self.app.open()
        self._ticker = _Ticker(lambda: recover(self.queue, self.app), RECOVER_EVERY,
                               "dropout-lab-recover")  # fmt: skip

    @property
    def max_workers(self) -> int:
        return self.live_workers()

    def live_workers(self) -> int:
        return max(1, self.snapshot().workers)

    def _after_submit(self, key: str, fresh: bool) -> None:
        defer_turns(self.app, [key])

    def stats(self) -> dict[str, int]:
        counts = self.counts()
        counts.update(workers=self.live_workers(), live_workers=self.live_workers())
        return counts

    def prewarm(self, *args: Any, **kwargs: Any) -> None:
        """Nothing to start here: the workers are other processes."""

    def shutdown(self, timeout: float = 10.0) -> None:
        self._ticker.stop()
        with contextlib.suppress(Exception):
            self.app.close()

    def __enter__(self) -> DistributedService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()


def run_worker(url: str, root: str | None = None) -> None:
    """A `dropout-lab worker` process: train queued runs until SIGTERM or Ctrl+C (the run under
    way is interrupted at its next epoch and goes back in the queue for another worker)."""
    queue = RunQueue(url)
    ensure_schema(url)
    interrupt = threading.Event()
    turns = Turns(queue, RunStore(root, url), worker_id(), interrupted=interrupt.is_set)
    heart = Heartbeat(queue, turns.worker).start()
    app = make_app(url, sync=False)
    sync_app = make_app(url, sync=True).open()
    ticker = _Ticker(lambda: recover(queue, sync_app), RECOVER_EVERY, "dropout-lab-recover")
    from dropout_lab.training import trainer  # noqa: F401  (imported now: the first run is warm)

    async def main() -> None:
        async with app.open_async():
            worker = asyncio.create_task(app.run_worker_async(
                queues=[QUEUE], concurrency=1, name=turns.worker, install_signal_handlers=False,
                additional_context={"turns": turns}, delete_jobs="successful",
                update_heartbeat_interval=2.0, stalled_worker_timeout=STALE_AFTER,
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
        ticker.stop()
        heart.stop()
        sync_app.close()
