"""The embedded training service: the queue in the database, a small pool of worker processes.

`TrainingService` is the default for one class server (one process, SQLite, nothing else to
start). Requests go through `client.QueueClient`: stored in the queue database before `submit`
returns, at most one live run per learner (a new request replaces the learner's waiting one),
lanes taken in turn, identical requests trained once. The service claims the next run in turn
for each idle worker process (`pool`, "spawn" context, so the app process never imports
TensorFlow) and sends it there; the worker writes progress to the database and finds Stop
there, so any app process sharing the database shows any run live.

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

import logging
import os
import socket
import tempfile
import threading
import time
from collections.abc import Iterable

from dropout_lab.lesson.spec import ModelSpec, TrainConfig
from dropout_lab.store import Store
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
from dropout_lab.training.messages import (
    Finished,
    FromWorker,
    Ready,
    RunFailed,
    TrainRequest,
    Warmed,
    WarmUp,
    WorkerSetup,
)
from dropout_lab.training.pool import Worker, WorkerPool
from dropout_lab.training.runstore import RunStore
from dropout_lab.training.turns import STALE_AFTER, pid_is_dead, worker_id

__all__ = [
    "MSG_CRASHED",
    "MSG_SHUTDOWN",
    "MSG_UNKNOWN",
    "STATES",
    "OverBudget",
    "RunStatus",
    "TrainingService",
]

log = logging.getLogger(__name__)


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
        threads_per_worker: int | None = None,
        *,
        queue_url: str | None = None,
        budget_seconds: float | None = None,
        max_attempts: int = 3,
    ) -> None:
        store = store if store is not None else RunStore()
        self._tmp = None
        url = queue_url or store.database_url
        self.durable = url is not None
        if url is None:  # a private queue: it lives and dies with this service
            self._tmp = tempfile.TemporaryDirectory(prefix="dropout-lab-queue-")
            url = f"sqlite:///{self._tmp.name}/queue.sqlite3"
        super().__init__(store, Store(url), budget_seconds)
        self.queue_url = url
        self.max_attempts = max_attempts if self.durable else 1
        cores = os.cpu_count() or 1
        self.max_workers = max(1, max_workers or cores)
        self.threads_per_worker = threads_per_worker or max(1, cores // self.max_workers)
        self._lock = threading.RLock()
        self._closed = False
        self.start_seconds = starts.load(store.root)  # how long a trainer takes to start here
        self._sent: dict[str, tuple[float, bool]] = {}  # key -> (when sent, to a ready worker)
        setup = WorkerSetup(url, str(store.root), store.database_url, max(1, max_tasks_per_worker),
                            self.threads_per_worker, os.getpid())  # fmt: skip
        self._pool = WorkerPool(
            max_workers=self.max_workers, setup=setup, lock=self._lock,
            on_message=self._on_message, on_exit=self._on_exit, on_tick=self._tick,
        )  # fmt: skip
        with self._lock:
            self._recover()  # runs a killed server left behind: trained again, by themselves
            self._dispatch()

    def __enter__(self) -> TrainingService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    # ---- the QueueClient hooks

    def live_workers(self) -> int:
        return self.max_workers

    def starting(self, key: str) -> float | None:
        """While the worker given `key` is still starting (importing TensorFlow, the first run
        after the server started): about how long a start takes here, in seconds."""
        with self._lock:
            for w in self._pool.workers:
                if w.task is not None and w.task.key == key and not w.ready:
                    return self.start_seconds
        return None

    def idle_start(self) -> float:
        """A worker still to start (or starting) costs a start before its first run."""
        with self._lock:
            warm = self._pool.full and all(w.ready for w in self._pool.workers)
        return 0.0 if warm else self.start_seconds

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("the training service is shut down")

    def _after_submit(self, key: str, fresh: bool) -> None:
        if fresh:
            with self._lock:
                self._dispatch()

    # ---- public API beyond the client's

    def stats(self) -> dict[str, int]:
        """Counters: submitted, cache_hits, attached, dispatched (to a worker), trained, failed,
        workers (started), plus the current queued / running / live_workers."""
        counts = self.counts()
        with self._lock:
            counts.update(workers=self._pool.started, live_workers=len(self._pool.workers))
        return counts

    def worker_pids(self) -> list[int]:
        with self._lock:
            return [w.process.pid for w in self._pool.workers]

    def prewarm(
        self,
        runs: Iterable[tuple[ModelSpec, TrainConfig]] = (),
        *,
        wait: bool = False,
        timeout: float = 180.0,
    ) -> None:
        """Start every worker now (TensorFlow imported); each also trains `runs` once, unstored,
        to trace them. With `wait`, return once the idle workers are ready (or `timeout`)."""
        warm = WarmUp(tuple(runs))
        with self._lock:
            while not self._closed and not self._pool.full:
                self._spawn()
            if warm.runs or wait:
                for w in self._pool.workers:
                    if w.idle and w.send(warm):
                        w.warming = True
        deadline = time.monotonic() + timeout
        while wait and time.monotonic() < deadline:
            with self._lock:
                if not any(w.warming for w in self._pool.workers):
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
                self.queue.queue_withdraw_all(MSG_SHUTDOWN)
            self._pool.close(interrupt=self.durable)
        self._pool.join(timeout)

    # ---- internals (under self._lock)

    def _spawn(self) -> Worker:
        worker = self._pool.spawn()
        # Registered now, so its claims are not taken for a dead worker's before it beats.
        pid = worker.process.pid
        self.queue.worker_beat(worker_id(pid), socket.gethostname(), pid)
        return worker

    def _recover(self) -> list[str]:
        return self.queue.queue_recover(stale_seconds=STALE_AFTER, max_attempts=self.max_attempts,
                                        error=MSG_CRASHED, is_dead=pid_is_dead)  # fmt: skip

    def _tick(self) -> None:
        for w in self._pool.workers:  # alive by their sentinels: beat for those still starting
            if w.process.is_alive():
                self.queue.worker_beat(worker_id(w.process.pid), socket.gethostname(),
                                       w.process.pid)  # fmt: skip
        self._recover()
        self._dispatch()

    def _dispatch(self) -> None:
        while not self._closed:
            queued, _ = self.queue.queue_order()
            if not queued:
                return
            worker = self._pool.idle_worker("")
            if worker is None:
                if self._pool.full:
                    return
                worker = self._spawn()
            claim = self.queue.queue_claim(worker_id(worker.process.pid))
            if claim is None:
                return  # what waits belongs to busy lanes, or was taken by another process
            if not worker.send(TrainRequest(claim)):
                worker.retiring = True  # broken pipe: it is dying; its sentinel will tell us
                continue
            worker.task = claim
            self._sent[claim.key] = (time.monotonic(), worker.ready)
            self._count("dispatched")

    def _on_message(self, worker: Worker, message: FromWorker) -> None:
        if isinstance(message, Ready):
            worker.ready = True
            self.start_seconds = time.monotonic() - worker.started_at
            starts.save(self.store.root, self.start_seconds)
            return
        if isinstance(message, Warmed):
            worker.warming = False
        else:
            self._measure(worker.task, message)
            worker.task = None
            worker.retiring = worker.retiring or message.retiring
            if isinstance(message, Finished):
                self._count("trained", int(message.trained and not message.interrupted))
            elif isinstance(message, RunFailed):
                self._count("failed")
        self._dispatch()

    def _measure(self, claim, message: FromWorker) -> None:
        """A run trained to its end by a ready worker: how long it took against its estimate
        (the pace of the queue's waits)."""
        sent, ready = self._sent.pop(getattr(claim, "key", ""), (None, False))
        whole = isinstance(message, Finished) and message.trained and not (
            message.stopped or message.interrupted)  # fmt: skip
        if sent is not None and ready and whole:
            self.pace.observe(claim.cost, time.monotonic() - sent)

    def _on_exit(self, worker: Worker) -> None:
        wid = worker_id(worker.process.pid)
        if worker.task is not None:
            log.warning("worker %s died (exit %s)", worker.process.pid, worker.process.exitcode)
            error = MSG_SHUTDOWN if self._closed else MSG_CRASHED
            self._count("failed")
            self.queue.queue_recover(stale_seconds=0, max_attempts=self.max_attempts,
                                     error=error, worker=wid)  # fmt: skip
        self.queue.worker_leave(wid)
        if self._closed:
            return
        if worker.retiring and worker.task is None and not self._pool.full:
            self._spawn()  # recycled: keep the pool warm
        self._dispatch()
