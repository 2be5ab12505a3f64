"""The worker processes as the service sees them: start, message, listen, reap.

`WorkerPool` starts workers (`worker.worker_main`, "spawn" context, so the app process never
imports TensorFlow), keeps one `Worker` handle per live process, and runs the thread that
waits on their pipes and exit sentinels. Every message and every exit is handed to its
owner's callbacks under the owner's lock; what a message *means* (a task done, a run failed,
a worker to replace) is the owner's business (`service.TrainingService`).

This module never imports Streamlit or TensorFlow.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import sys
import threading
import time
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import wait as _wait
from typing import Any

from dropout_lab.training.messages import FromWorker, Quit, ToWorker, WorkerSetup
from dropout_lab.training.worker import worker_main

log = logging.getLogger(__name__)
_MAIN_SWAP = threading.Lock()


@contextlib.contextmanager
def _no_main_script() -> Iterator[None]:
    """While a worker starts, hide the `__main__` module's file. Under `streamlit run`, the
    page script is `__main__`, and a "spawn" child re-runs `__main__`'s file before its target:
    every worker would run the whole app page once, bare (no session, a page of warnings)."""
    with _MAIN_SWAP:
        real = sys.modules.get("__main__")
        if real is None or getattr(real, "__spec__", None) is not None:
            yield  # a module run by name (python -m): spawn imports it by name, harmlessly
            return
        bare = types.ModuleType("__main__")
        sys.modules["__main__"] = bare
        try:
            yield
        finally:
            if sys.modules.get("__main__") is bare:  # a script run since keeps its own
                sys.modules["__main__"] = real


@dataclass(eq=False)
class Worker:
    """The service's side of one worker process."""

    process: Any
    conn: Any
    task: Any = None  # the owner's task while this worker trains it
    warming: bool = False
    retiring: bool = False
    started_at: float = field(default_factory=time.monotonic)  # when its process was started
    ready: bool = False  # TensorFlow imported (it sent `Ready`)
    seen: set[str] = field(default_factory=set)  # architectures trained (warm traced functions)

    @property
    def idle(self) -> bool:
        return self.task is None and not self.warming and not self.retiring

    def send(self, message: ToWorker) -> bool:
        """Send `message`; False when the pipe is broken (the process is dying)."""
        try:
            self.conn.send(message)
            return True
        except (OSError, ValueError):
            return False


class WorkerPool:
    """Up to `max_workers` worker processes; callers hold `lock` around every method."""

    def __init__(
        self,
        *,
        max_workers: int,
        setup: WorkerSetup,
        lock: threading.RLock,
        on_message: Callable[[Worker, FromWorker], None],
        on_exit: Callable[[Worker], None],
        on_tick: Callable[[], None] = lambda: None,
        tick: float = 1.0,
    ) -> None:
        self.max_workers, self.setup, self.tick = max_workers, setup, tick
        self._on_tick = on_tick
        self.workers: list[Worker] = []
        self.started = 0  # workers started so far, recycled ones included
        self.closed = False
        self._lock, self._on_message, self._on_exit = lock, on_message, on_exit
        self._ctx = multiprocessing.get_context("spawn")
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(target=self._loop, name="dropout-lab-runs", daemon=True)
        self._thread.start()

    @property
    def full(self) -> bool:
        return len(self.workers) >= self.max_workers

    def spawn(self) -> Worker:
        """Start one more worker process."""
        parent_conn, child_conn = self._ctx.Pipe(duplex=True)
        process = self._ctx.Process(
            target=worker_main,
            args=(child_conn, self.setup),
            name="dropout-lab-worker",
            daemon=True,
        )
        with _no_main_script():
            process.start()
        child_conn.close()
        worker = Worker(process, parent_conn)
        self.workers.append(worker)
        self.started += 1
        self._wake()  # the listening thread waits on the new pipe from now on
        return worker

    def idle_worker(self, architecture: str) -> Worker | None:
        """An idle live worker, preferably one that has trained `architecture` before."""
        idle = [w for w in self.workers if w.idle and w.process.is_alive()]
        return next((w for w in idle if architecture in w.seen), idle[0] if idle else None)

    def close(self, *, interrupt: bool = False) -> None:
        """Let busy workers quit after their run (with `interrupt`: after their current epoch,
        handing the run back to the queue); end idle ones now (TF exits slowly)."""
        self.closed = True
        for w in self.workers:
            if w.task is not None and not interrupt:
                w.send(Quit())
            else:
                w.process.terminate()  # SIGTERM: a busy worker interrupts its run

    def join(self, timeout: float) -> None:
        """After `close`, without the lock: wait for the processes, then reap what is left."""
        deadline = time.monotonic() + timeout
        for w in list(self.workers):
            w.process.join(max(0.0, deadline - time.monotonic()))
            if w.process.is_alive():
                w.process.terminate()
                w.process.join(2)
        self._wake()
        self._thread.join(5)
        with self._lock:  # whatever the loop did not see: last messages, then the exits
            for w in list(self.workers):
                self.reap(w)
        with contextlib.suppress(OSError):
            os.close(self._wake_r)
            os.close(self._wake_w)

    def reap(self, worker: Worker) -> None:
        """A worker exited: deliver its last messages, forget it, tell the owner."""
        if worker not in self.workers:
            return
        with contextlib.suppress(EOFError, OSError, ValueError):
            while worker.conn.poll():  # messages sent just before it exited
                self._on_message(worker, worker.conn.recv())
        self.workers.remove(worker)
        worker.conn.close()
        worker.process.join(1)
        self._on_exit(worker)

    def _wake(self) -> None:
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"x")

    def _loop(self) -> None:
        """The listening thread: each worker message or exit goes to the owner's callbacks;
        `on_tick` every `tick` seconds (the owner's recovery and dispatch)."""
        last = time.monotonic()
        while True:
            if time.monotonic() - last >= self.tick:
                last = time.monotonic()
                with self._lock:
                    if not self.closed:
                        try:
                            self._on_tick()
                        except Exception:  # a database hiccup: the next tick tries again
                            log.warning("training service tick failed", exc_info=True)
            with self._lock:
                if self.closed and not any(w.process.is_alive() for w in self.workers):
                    return
                conns = {w.conn: w for w in self.workers}
                sentinels = {w.process.sentinel: w for w in self.workers}
            try:
                ready = _wait([*conns, *sentinels, self._wake_r], timeout=self.tick)
            except OSError:
                ready = []
            for obj in ready:
                if obj == self._wake_r:
                    with contextlib.suppress(OSError):
                        os.read(self._wake_r, 4096)
                    continue
                with self._lock:
                    if obj in sentinels:
                        self.reap(sentinels[obj])
                    elif conns[obj] in self.workers:
                        self._receive(conns[obj])

    def _receive(self, worker: Worker) -> None:
        try:
            message = worker.conn.recv()
        except (EOFError, OSError):
            self.reap(worker)
            return
        self._on_message(worker, message)
