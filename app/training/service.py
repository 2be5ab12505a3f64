"""The embedded training service: the queue in the database, and worker processes that serve it.

`TrainingService` is the default for one class server (one process, SQLite, nothing else to
start). Requests go through `client.QueueClient`: stored in the queue database before `submit`
returns, at most one live run per learner (a new request replaces the learner's waiting one),
lanes taken in turn, identical requests trained once.

One road for a run: the database. The service starts up to `max_workers` worker processes
(`worker.worker_main`, forked from a fork server with TensorFlow loaded, `spawn.py`) when work
waits; each runs the same loop as `dropout-lab worker` (take the next run in turn, train it,
write progress and the result to the database, find Stop there). Nothing travels between the
service and its workers but the processes' lives: the service watches their exits, starts fresh
ones, and hands a crashed worker's run back to the queue.

Durable (the queue is the store's database, as in the app): a worker that dies has its run
trained again by another (up to `max_attempts` crashes); runs interrupted by a shutdown or a
killed server wait in the database and the next service trains them, by itself. Without a
database the queue is a private SQLite file: nothing outlives the service, a crash fails the
run, and a shutdown stops running runs (keeping their epochs) and fails queued ones.

Workers stay warm between runs and are recycled after `max_tasks_per_worker` runs, which keeps
a long-running server's memory bounded. This module never imports Streamlit or TensorFlow;
everything public is thread-safe.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import tempfile
import threading
import time
from collections.abc import Iterable
from multiprocessing.connection import wait as wait_for_exits

import sqlalchemy as sa

from dropout_lab.lesson.spec import ModelSpec, TrainConfig
from dropout_lab.store.runqueue import RunQueue
from dropout_lab.training import starts
from dropout_lab.training.client import (
    MSG_CRASHED,
    MSG_SHUTDOWN,
    MSG_UNKNOWN,
    STATES,
    OverBudget,
    QueueClient,
    RunStatus,
)
from dropout_lab.training.runstore import RunStore
from dropout_lab.training.spawn import start_process
from dropout_lab.training.turns import STALE_AFTER, pid_is_dead, worker_id
from dropout_lab.training.worker import WorkerSetup, worker_main

__all__ = [
    "MSG_CRASHED",
    "MSG_SHUTDOWN",
    "MSG_UNKNOWN",
    "STATES",
    "OverBudget",
    "RunStatus",
    "TrainingService",
    "training_service",
]

log = logging.getLogger(__name__)

TICK = 1.0  # s between the watcher's looks for dead workers' runs and for work without workers


def training_service(
    store: RunStore, *, max_workers: int | None = None, budget_seconds: float | None = None
) -> QueueClient:
    """A server's own training, one mechanism per backend: `TrainingService` on SQLite (or
    with no database); on PostgreSQL, procrastinate workers started by this server
    (`distributed.DistributedService` with `local_workers`), the same workers as on other
    machines."""
    url = store.database_url
    if url is not None and _postgresql(url):
        from dropout_lab.training.distributed import DistributedService

        count = max(1, max_workers or os.cpu_count() or 1)
        return DistributedService(store, url, budget_seconds=budget_seconds, local_workers=count)
    return TrainingService(store, max_workers=max_workers, budget_seconds=budget_seconds)


def _postgresql(url: str) -> bool:
    return sa.make_url(url).get_backend_name() == "postgresql"


class TrainingService(QueueClient):
    """Trains runs in worker processes, at most `max_workers` at once; one per server process.

    `submit` returns the run key once the request is stored; poll `status(key)`, then read
    `result(key)`.
    """

    def __init__(
        self,
        store: RunStore | None = None,
        max_workers: int | None = None,
        max_tasks_per_worker: int = 25,
        *,
        queue_url: str | None = None,
        budget_seconds: float | None = None,
        max_attempts: int = 3,
    ) -> None:
        store = store if store is not None else RunStore()
        self._tmp = None
        url = queue_url or store.database_url
        if url is not None and _postgresql(url):
            raise ValueError("on PostgreSQL a server trains with procrastinate workers: "
                             "use training_service()")  # fmt: skip
        self.durable = url is not None
        if url is None:  # a private queue: it lives and dies with this service
            self._tmp = tempfile.TemporaryDirectory(prefix="dropout-lab-queue-")
            url = f"sqlite:///{self._tmp.name}/queue.sqlite3"
        super().__init__(store, RunQueue(url), budget_seconds)
        self.queue_url = url
        self.max_attempts = max_attempts if self.durable else 1
        cores = os.cpu_count() or 1
        self.max_workers = max(1, max_workers or cores)
        self.max_tasks = max(1, max_tasks_per_worker)
        self._lock = threading.RLock()
        self._closed = False
        self._workers: list[multiprocessing.process.BaseProcess] = []
        self.started = 0  # worker processes started so far, recycled ones included
        self._start_seconds = starts.load(store.root)
        self._warm_seen = 0  # warm workers at the last look: one more means a start was kept
        self._wake_r, self._wake_w = os.pipe()  # a new worker: the watcher waits on it too
        with self._lock:
            self._recover()  # runs a killed server left behind: trained again, by themselves
            self._fill()
        self._watcher = threading.Thread(target=self._watch, name="dropout-lab-runs", daemon=True)
        self._watcher.start()

    def __enter__(self) -> TrainingService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    # ---- the QueueClient hooks

    def live_workers(self) -> int:
        return self.max_workers

    @property
    def start_seconds(self) -> float:
        """How long a worker took to start here, as the last one measured it (`starts`)."""
        self._ready()
        return self._start_seconds

    def _ready(self) -> int:
        """How many of this service's workers are warm (they beat only once TensorFlow is in).
        A worker keeps its start before its first beat: the file is read again only when one
        more is warm, not on every status read."""
        ids = self.snapshot().worker_ids
        with self._lock:
            warm = sum(worker_id(p.pid) in ids for p in self._workers)
            if warm > self._warm_seen:
                self._start_seconds = starts.load(self.store.root)
            self._warm_seen = warm
        return warm

    def starting(self, key: str) -> float | None:
        """While no worker of this service is warm yet (the first run after the server started
        waits for TensorFlow to load): about how long a start takes here, in seconds."""
        with self._lock:
            spawned = bool(self._workers)
        return self._start_seconds if spawned and not self._ready() else None

    def idle_start(self) -> float:
        """A worker still to start (or starting) costs a start before its first run."""
        return 0.0 if self._ready() >= self.max_workers else self._start_seconds

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("the training service is shut down")

    def _after_submit(self, key: str, fresh: bool) -> None:
        if fresh:
            with self._lock:
                self._fill()

    # ---- public API beyond the client's

    def stats(self) -> dict[str, int]:
        """Counters: submitted, cache_hits, attached, workers (started), plus the current queued /
        running / live_workers."""
        counts = self.counts()
        with self._lock:
            counts.update(workers=self.started, live_workers=len(self._workers))
        return counts

    def worker_pids(self) -> list[int]:
        with self._lock:
            return [p.pid for p in self._workers]

    def prewarm(
        self,
        runs: Iterable[tuple[ModelSpec, TrainConfig]] = (),
        *,
        wait: bool = False,
        timeout: float = 180.0,
    ) -> None:
        """Start every worker now (TensorFlow imported); the ones started here also train `runs`
        once, unstored, to trace them. With `wait`, return once they are warm (or `timeout`)."""
        with self._lock:
            while not self._closed and len(self._workers) < self.max_workers:
                self._spawn(tuple(runs))
        deadline = time.monotonic() + timeout
        while wait and time.monotonic() < deadline and not self._closed:
            self.forget_snapshot()
            with self._lock:
                alive = len(self._workers)
            if self._ready() >= alive:
                return
            time.sleep(0.05)

    def shutdown(self, timeout: float = 10.0) -> None:
        """Stop training. Durable: running runs are interrupted at their next epoch and wait,
        with the queued ones, for the next service. Private: running runs stop at their next
        epoch (keeping it), queued ones fail."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if not self.durable:
                self.queue.queue_withdraw_all(MSG_SHUTDOWN)  # nobody wants them: they stop
            workers = list(self._workers)
        for p in workers:
            p.terminate()  # SIGTERM: a busy worker ends its run at its next epoch
        deadline = time.monotonic() + timeout
        for p in workers:
            p.join(max(0.0, deadline - time.monotonic()))
            if p.is_alive():
                p.kill()
                p.join(2)
        self._wake()
        self._watcher.join(5)
        with self._lock:
            for p in list(self._workers):
                self._reap(p)
        with contextlib.suppress(OSError):
            os.close(self._wake_r)
            os.close(self._wake_w)

    # ---- internals

    def _spawn(self, warm_runs: tuple = ()) -> None:
        setup = WorkerSetup(self.queue_url, str(self.store.root), self.store.database_url,
                            self.max_tasks, os.getpid(), time.time(),
                            warm_runs)  # fmt: skip
        self._workers.append(start_process(worker_main, setup, name="dropout-lab-worker"))
        self.started += 1
        self._wake()

    def _fill(self) -> None:
        """Start workers while runs wait and fewer than `max_workers` are alive (under lock)."""
        if self._closed or len(self._workers) >= self.max_workers:
            return
        if self.queue.queue_waiting():
            while len(self._workers) < self.max_workers:
                self._spawn()

    def _recover(self) -> list[str]:
        return self.queue.queue_recover(stale_seconds=STALE_AFTER, max_attempts=self.max_attempts,
                                        error=MSG_CRASHED, is_dead=pid_is_dead)  # fmt: skip

    def _reap(self, process) -> None:
        """A worker exited: a run it held goes back to the queue (or fails, after too many
        crashes); a recycled worker is replaced at once, to keep the service warm."""
        if process not in self._workers:
            return
        self._workers.remove(process)
        process.join(1)
        wid = worker_id(process.pid)
        error = MSG_SHUTDOWN if self._closed else MSG_CRASHED
        if self.queue.queue_recover(stale_seconds=0, max_attempts=self.max_attempts, error=error,
                                    worker=wid) or process.exitcode:  # fmt: skip
            log.warning("worker %s died (exit %s)", process.pid, process.exitcode)
        self.queue.worker_leave(wid)
        self.forget_snapshot()
        if not self._closed and process.exitcode == 0:
            self._spawn()  # recycled after its runs: its successor starts warming now
        self._fill()

    def _wake(self) -> None:
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"x")

    def _watch(self) -> None:
        """The watcher thread: reap workers as they exit; every TICK, put stale workers' runs
        back and start workers for work that waits."""
        last = time.monotonic()
        while True:
            with self._lock:
                if self._closed:
                    return
                sentinels = {p.sentinel: p for p in self._workers}
            try:
                exited = wait_for_exits([*sentinels, self._wake_r], timeout=TICK)
            except OSError:
                exited = []
            with self._lock:
                if self._closed:
                    return
                for obj in exited:
                    if obj == self._wake_r:
                        with contextlib.suppress(OSError):
                            os.read(self._wake_r, 4096)
                    else:
                        self._reap(sentinels[obj])
                if time.monotonic() - last >= TICK:
                    last = time.monotonic()
                    try:
                        self._recover()
                        self._fill()
                    except Exception:  # a database hiccup: the next tick tries again
                        log.warning("training service tick failed", exc_info=True)
