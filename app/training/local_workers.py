"""One server on PostgreSQL: its own training workers, procrastinate workers like those on other
machines (`distributed.run_worker`), started as children of the server process.

The embedded service for SQLite (`service.TrainingService`) starts its workers the same way
(forked from the fork server, `spawn.py`: the app process never imports TensorFlow); on
PostgreSQL everything about a worker's life after its start (heartbeats, stalled jobs, retries,
wake-ups) is procrastinate's.

No Streamlit; TensorFlow only in the children.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from multiprocessing.connection import wait as wait_for_exits
from typing import Any

from dropout_lab.training.spawn import server_gone_test, start_process
from dropout_lab.training.worker import WorkerSetup, quiet_single_op_tensorflow

log = logging.getLogger(__name__)


def local_worker_main(setup: WorkerSetup) -> None:
    """A server's own worker process on PostgreSQL (`LocalWorkers`): `run_worker`, as the
    embedded workers are started (Ctrl+C is the server's; TensorFlow as theirs)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    quiet_single_op_tensorflow()
    from dropout_lab.training.distributed import run_worker

    if not server_gone_test(setup.parent)():  # else the server died while this started
        run_worker(setup.queue_url, setup.root, parent=setup.parent, spawned_at=setup.spawned_at,
                   signals=(signal.SIGTERM,))  # fmt: skip


class LocalWorkers:
    """One server on PostgreSQL: `count` procrastinate workers (`run_worker`) as children of
    this process, started when work waits, started again when one exits while work waits,
    and sent SIGTERM at shutdown (their runs go back in the queue). They stop by themselves
    when this process dies. Everything else about them is procrastinate's, as for workers on
    other machines."""

    def __init__(self, service: Any, count: int) -> None:
        self.service, self.count = service, count
        self.started = 0
        self._lock = threading.Lock()
        self._closed = False
        self._procs: list[Any] = []
        self._watcher = threading.Thread(target=self._watch, name="dropout-lab-local-workers",
                                         daemon=True)  # fmt: skip
        self._watcher.start()

    def alive(self) -> int:
        with self._lock:
            return sum(p.is_alive() for p in self._procs)

    def pids(self) -> list[int]:
        with self._lock:
            return [p.pid for p in self._procs if p.is_alive()]

    def fill(self, *, always: bool = False) -> None:
        """Start workers up to `count` while runs wait or are held (a held run may be a dead
        worker's, which only a live worker's recovery hands back); `always`: now."""
        with self._lock:
            self._procs = [p for p in self._procs if p.is_alive()]
            if self._closed or len(self._procs) >= self.count:
                return
            if not always and not any(self.service.queue.queue_order()):
                return  # nothing waits, and no run is held (by a worker alive or dead)
            svc = self.service
            while len(self._procs) < self.count:
                setup = WorkerSetup(svc.url, str(svc.store.root), svc.store.database_url, 0,
                                    os.getpid(), time.time())  # fmt: skip
                self._procs.append(start_process(local_worker_main, setup,
                                                 name="dropout-lab-worker"))  # fmt: skip
                self.started += 1

    def _watch(self) -> None:
        """Start a worker again when one exits while runs wait (a crash, an out-of-memory
        kill); procrastinate's recovery hands its run back meanwhile."""
        while True:
            with self._lock:
                if self._closed:
                    return
                sentinels = [p.sentinel for p in self._procs]
            exited = wait_for_exits(sentinels, timeout=1.0) if sentinels else self._idle.wait(1.0)
            if not exited:
                continue
            try:
                self.fill()
            except Exception:  # a database hiccup: the next request starts them
                log.warning("starting local training workers failed", exc_info=True)

    _idle = threading.Event()  # never set: the watcher's one-second pause with no workers

    def shutdown(self, timeout: float) -> None:
        with self._lock:
            self._closed = True
            procs = list(self._procs)
        for p in procs:
            p.terminate()  # SIGTERM: a busy worker hands its run back at its next epoch
        deadline = time.monotonic() + timeout
        for p in procs:
            p.join(max(0.0, deadline - time.monotonic()))
            if p.is_alive():
                p.kill()
                p.join(2)
        self._watcher.join(5)
