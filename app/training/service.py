"""The training service: a queue in front of a small pool of worker processes.

`TrainingService` trains runs in worker processes (`worker` is their main loop, `pool` the
service's handles on them; "spawn" context, so the app process never imports TensorFlow), and
talks to them in the dataclasses of `messages`. At most `max_workers` runs train at once; later requests
wait in a FIFO queue and report their position. Identical requests attach to the queued or
running run; requests already in the store are never trained again. Workers stay warm between
runs (the training engine keeps traced functions per architecture, and a run is sent
preferably to an idle worker that has trained that architecture before) and are recycled after
`max_tasks_per_worker` runs, which keeps a long-running server's memory bounded. A worker that
dies marks only its own run failed; the pool replaces it.

Stop is a file flag in the run's directory, checked by the worker after each epoch: it works
across app processes and survives no attempt it was not meant for (a stop only counts for
attempts submitted before it was made). A stop withdraws one request: the run ends early
(keeping the epochs done) only when nobody else is attached to it; otherwise it goes on
training for the others.

This module never imports Streamlit or TensorFlow; everything public is thread-safe.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from dropout_lab.lesson.spec import ModelSpec, RunResult, TrainConfig, run_key
from dropout_lab.training.messages import Failed, Finished, FromWorker, TrainRequest, Warmed, WarmUp
from dropout_lab.training.pool import Worker, WorkerPool
from dropout_lab.training.runstore import RunStore

log = logging.getLogger(__name__)

STATES = ("queued", "running", "done", "stopped", "failed")

MSG_CRASHED = (
    "The training process stopped unexpectedly (the server may be short of memory). "
    "Press Train to try again."
)
MSG_SHUTDOWN = "The server stopped before this run finished. Press Train to run it again."
MSG_UNKNOWN = "This run is not known here (the server may have restarted). Press Train to run it."


@dataclass(frozen=True)
class RunStatus:
    """A snapshot of one run, for display."""

    key: str
    state: str  # one of STATES
    queue_position: int | None = None  # 1-based, while queued
    epochs_done: int = 0
    epochs_total: int = 0
    history: dict[str, list[float]] = field(default_factory=dict)  # so far
    error: str | None = None  # a sentence for a student, when failed
    stop_requested: bool = False
    worker_pid: int | None = None  # the process training it, while running here

    @property
    def finished(self) -> bool:
        return self.state in ("done", "stopped", "failed")


@dataclass(eq=False)
class _Task:
    key: str
    spec: ModelSpec
    config: TrainConfig
    submitted_at: float
    state: str = "queued"
    requests: int = 1
    error: str | None = None
    stop_requested: bool = False
    cancelled: bool = False  # stopped while still queued: nothing was trained
    worker: Worker | None = None
    history: dict[str, list[float]] = field(default_factory=dict)  # last known, when failed
    epochs_done: int = 0


def _architecture(spec: ModelSpec, config: TrainConfig) -> str:
    text = json.dumps([spec.identity(), config.batch_size, config.data_seed], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# --------------------------------------------------------------------------- status snapshots


def _task_status(task: _Task, queue: deque[str]) -> RunStatus | None:
    """What the service alone knows of `task`; None when the store or progress file says more."""
    total = task.config.epochs
    if task.state == "queued":
        position = queue.index(task.key) + 1
        return RunStatus(task.key, "queued", position, 0, total, stop_requested=task.stop_requested)
    if task.state == "failed":
        history = dict(task.history)
        return RunStatus(task.key, "failed", None, task.epochs_done, total, history, task.error)
    if task.state == "stopped" and task.cancelled:
        return RunStatus(task.key, "stopped", None, 0, total, stop_requested=True)
    return None


def _running_status(
    key: str, progress: dict[str, Any] | None, total: int, stop_req: bool, pid: int | None
) -> RunStatus:
    progress = progress or {}
    return RunStatus(
        key,
        "running",
        None,
        int(progress.get("epochs_done", 0)),
        int(progress.get("epochs_total", total)),
        progress.get("history", {}),
        stop_requested=stop_req,
        worker_pid=pid,
    )


def _stored_status(key: str, meta: dict[str, Any]) -> RunStatus:
    state = "stopped" if meta.get("stopped") else "done"
    epochs_done, epochs_total = int(meta["epochs_done"]), int(meta["config"]["epochs"])
    return RunStatus(key, state, None, epochs_done, epochs_total, meta["history"])


# --------------------------------------------------------------------------- the service


class TrainingService:
    """Trains runs in worker processes, at most `max_workers` at once; one per server process.

    `submit` returns at once with the run key; poll `status(key)`, then read `result(key)`.
    """

    FINISHED_KEPT = 2000  # finished tasks remembered in memory (the store keeps the rest)

    def __init__(
        self,
        store: RunStore | None = None,
        max_workers: int | None = None,
        max_tasks_per_worker: int = 25,
        threads_per_worker: int | None = None,
    ) -> None:
        self.store = store if store is not None else RunStore()
        cores = os.cpu_count() or 1
        self.max_workers = max(1, max_workers or cores)
        self.max_tasks_per_worker = max(1, max_tasks_per_worker)
        self.threads_per_worker = threads_per_worker or max(1, cores // self.max_workers)
        self._lock = threading.RLock()
        self._tasks: OrderedDict[str, _Task] = OrderedDict()
        self._queue: deque[str] = deque()
        self._closed = False
        self._counts = dict.fromkeys(
            ("submitted", "cache_hits", "attached", "dispatched", "trained", "failed"), 0
        )
        self._pool = WorkerPool(
            max_workers=self.max_workers,
            max_tasks=self.max_tasks_per_worker,
            threads=self.threads_per_worker,
            lock=self._lock,
            on_message=self._on_message,
            on_exit=self._on_exit,
        )

    def __enter__(self) -> TrainingService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    # ---- public API

    def submit(self, spec: ModelSpec, config: TrainConfig) -> str:
        """Ask for the run of `spec` and `config`; returns its key without waiting."""
        key = run_key(spec, config)
        with self._lock:
            if self._closed:
                raise RuntimeError("the training service is shut down")
            self._counts["submitted"] += 1
            task = self._tasks.get(key)
            if task is not None and task.state in ("queued", "running"):
                task.requests += 1
                self._counts["attached"] += 1
                return key
            self._tasks.pop(key, None)  # a finished task: the store (or a new attempt) answers
            if self.store.has(key):
                self._counts["cache_hits"] += 1
                return key
            self._tasks[key] = _Task(key, spec, config, submitted_at=time.time())
            self._queue.append(key)
            self._dispatch()
        return key

    def status(self, key: str) -> RunStatus:
        with self._lock:
            task = self._tasks.get(key)
            known = _task_status(task, self._queue) if task is not None else None
            if known is not None:
                return known
            live = None
            if task is not None and task.state == "running":
                pid = task.worker.process.pid if task.worker is not None else None
                live = (task.config.epochs, task.stop_requested, pid)
        if live is not None:  # the progress file is read outside the lock
            return _running_status(key, self.store.progress(key), *live)
        meta = self.store.meta(key)
        if meta is not None:
            return _stored_status(key, meta)
        if self.store.is_training(key):  # by another app process sharing the store
            return _running_status(key, self.store.progress(key), 0, False, None)
        return RunStatus(key, "failed", error=MSG_UNKNOWN)

    def result(self, key: str) -> RunResult | None:
        """The finished run (complete, or stopped with its epochs so far); None until then."""
        with self._lock:
            task = self._tasks.get(key)
            if task is not None and task.state in ("queued", "running", "failed"):
                return None
            if task is not None and task.cancelled:
                return None
        return self.store.get(key)

    def stop(self, key: str) -> bool:
        """Withdraw one request for the run. When nobody else asked for it, end it early,
        keeping the epochs done (a queued run is simply dropped), and return True; when other
        requests are attached to it (other learners, the Compare step's precompute), it goes on
        training for them and this returns False."""
        with self._lock:
            task = self._tasks.get(key)
            if task is not None and task.state in ("queued", "running") and task.requests > 1:
                task.requests -= 1
                return False
            if task is not None and task.state == "queued":
                self._queue.remove(key)
                task.state, task.cancelled, task.stop_requested = "stopped", True, True
                self._remember_finished(task)
                return True
            if task is not None and task.state == "running":
                task.stop_requested = True
            elif not self.store.is_training(key):
                return True
        self.store.request_stop(key)
        return True

    def stats(self) -> dict[str, int]:
        """Counters: submitted, cache_hits, attached, dispatched (to a worker), trained, failed,
        workers (started), plus the current queued / running / live_workers."""
        with self._lock:
            counts = dict(self._counts, workers=self._pool.started)
            counts["queued"] = len(self._queue)
            counts["running"] = sum(1 for w in self._pool.workers if w.task is not None)
            counts["live_workers"] = len(self._pool.workers)
        return counts

    def active(self) -> list[RunStatus]:
        """What is being computed now and what waits: running runs first, then the queue."""
        with self._lock:
            keys = [w.task.key for w in self._pool.workers if w.task is not None]
            keys += list(self._queue)
        return [self.status(key) for key in keys]

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
                self._pool.spawn()
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
        """Stop training: running runs stop at their next epoch (keeping it), queued ones fail."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            for key in self._queue:
                task = self._tasks[key]
                task.state, task.error = "failed", MSG_SHUTDOWN
            self._queue.clear()
            running = [w.task.key for w in self._pool.workers if w.task is not None]
            self._pool.close()  # a busy worker quits after the run it is stopping
        for key in running:
            with contextlib.suppress(OSError):
                self.store.request_stop(key)
        self._pool.join(timeout)

    # ---- internals (all under self._lock)

    def _dispatch(self) -> None:
        while self._queue and not self._closed:
            task = self._tasks[self._queue[0]]
            arch = _architecture(task.spec, task.config)
            worker = self._pool.idle_worker(arch)
            if worker is None:
                if self._pool.full:
                    return
                worker = self._pool.spawn()
            root, url = str(self.store.root), self.store.database_url
            request = TrainRequest(task.key, task.spec, task.config, root, url, task.submitted_at)
            if not worker.send(request):
                worker.retiring = True  # broken pipe: it is dying; its sentinel will tell us
                continue
            self._queue.popleft()
            worker.task, worker.seen = task, worker.seen | {arch}
            task.state, task.worker = "running", worker
            self._counts["dispatched"] += 1

    def _remember_finished(self, task: _Task) -> None:
        task.worker = None
        self._tasks.move_to_end(task.key)
        finished = [k for k, t in self._tasks.items() if t.state not in ("queued", "running")]
        for k in finished[: max(0, len(finished) - self.FINISHED_KEPT)]:
            del self._tasks[k]

    def _on_message(self, worker: Worker, message: FromWorker) -> None:
        if isinstance(message, Warmed):
            worker.warming = False
        else:
            task, worker.task = worker.task, None
            worker.retiring = worker.retiring or message.retiring
            if task is not None and task.key == message.key:
                if isinstance(message, Finished):
                    task.state = "stopped" if message.stopped else "done"
                    task.epochs_done = message.epochs_done
                    self._counts["trained"] += int(message.trained)
                elif isinstance(message, Failed):
                    task.state, task.error = "failed", message.error
                    self._counts["failed"] += 1
                self._remember_finished(task)
        self._dispatch()

    def _on_exit(self, worker: Worker) -> None:
        task = worker.task
        if task is not None:
            log.warning("worker %s died (exit %s)", worker.process.pid, worker.process.exitcode)
            progress = self.store.progress(task.key) or {}
            task.history = progress.get("history", {})
            task.epochs_done = int(progress.get("epochs_done", 0))
            with contextlib.suppress(OSError):
                self.store.clear_progress(task.key)  # stale: the next attempt starts afresh
            task.state, task.error = "failed", MSG_SHUTDOWN if self._closed else MSG_CRASHED
            self._counts["failed"] += 1
            self._remember_finished(task)
        if self._closed:
            return
        if worker.retiring and not task and not self._pool.full:
            self._pool.spawn()  # recycled: keep the pool warm
        self._dispatch()
