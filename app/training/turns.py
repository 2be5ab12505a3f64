"""One worker's turn at the queue: train a claimed run, epoch by epoch, through the database.

The same code runs in the embedded server's worker processes and in `dropout-lab worker`
processes on other machines (procrastinate jobs): `Turns.drain` is the worker loop's one step.
While it trains it writes the run's history to the queue (`run_progress`), so any app process
shows it live; after each epoch it asks whether anyone still wants the run (Stop withdraws one
request; with none left the run ends, keeping its epochs), and whether the process is being shut
down (then the attempt is *interrupted*: its requests wait again and another worker trains them).
A long run pauses at an epoch boundary, once it has had its quantum, to let short runs of other
lanes that waited since before that moment train in the same process: a class's lesson runs
never wait a minute behind one learner's big model.

This module never imports Streamlit; TensorFlow is imported when a run is trained.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from dropout_lab.lesson.spec import ModelSpec, TrainConfig
from dropout_lab.store.runqueue import Lease, RunQueue
from dropout_lab.training.runstore import RunStore

log = logging.getLogger(__name__)

QUANTUM = 2.0  # s a long run trains before it lets waiting short runs go first
SHORT_RUN = 10.0  # s (estimated): longer runs pause for waiting ones no longer than this
PROGRESS_EVERY = 0.25  # s between progress writes (and the last epoch always)
INTEREST_EVERY = 0.3  # s between "does anyone still want it?" checks
HEARTBEAT_EVERY = 2.0  # s between a worker's heartbeats
STALE_AFTER = 30.0  # s without a heartbeat: the worker is dead, its runs go back in the queue


def friendly_error(exc: BaseException) -> str:
    """A sentence for a student about a run that raised `exc` (never a traceback)."""
    if isinstance(exc, MemoryError):
        return "The server ran out of memory training this model. Try a smaller model."
    if isinstance(exc, ValueError):
        first = (str(exc).strip().splitlines() or [""])[0][:200]
        return f"This model could not be trained: {first}"
    return (
        f"Training failed unexpectedly ({type(exc).__name__}). Press Train to try again; "
        "if it keeps failing, tell your instructor."
    )


def worker_id(pid: int | None = None) -> str:
    return f"{socket.gethostname()}:{pid if pid is not None else os.getpid()}"


def pid_is_dead(host: str, pid: int) -> bool:
    """True when `pid` is known not to run on this machine (other machines: unknown)."""
    if host != socket.gethostname():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:  # a zombie (killed, not yet reaped by its parent) answers kill -0 but is dead
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except (OSError, IndexError):
        return False


class Heartbeat:
    """Beats `worker`'s heart in the queue every HEARTBEAT_EVERY seconds, in a thread, while
    `alive()` (an orphaned worker stops beating: if it cannot hand its run back, the run goes
    stale and another worker takes it)."""

    def __init__(self, queue: RunQueue, worker: str, alive: Callable[[], bool] = lambda: True):
        self.queue, self.worker, self.alive = queue, worker, alive
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="dropout-lab-heartbeat", daemon=True)

    def start(self) -> Heartbeat:
        self.queue.worker_beat(self.worker, socket.gethostname(), os.getpid())
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
        try:
            self.queue.worker_leave(self.worker)
        except Exception:  # the database may be gone at exit
            log.debug("could not unregister worker %s", self.worker, exc_info=True)

    def _run(self) -> None:
        while not self._stop.wait(HEARTBEAT_EVERY) and self.alive():
            try:
                self.queue.worker_beat(self.worker, socket.gethostname(), os.getpid())
            except Exception:  # a database hiccup: the next beat tries again
                log.warning("heartbeat failed", exc_info=True)


@dataclass(frozen=True)
class RunEnd:
    """How a worker's turn at a leased run ended (`state`), and whether it trained it."""

    key: str
    state: str  # done | stopped | failed | interrupted
    trained: bool = False  # False: the run was found stored already
    epochs_done: int = 0
    error: str | None = None


@dataclass
class Turns:
    """What a worker needs to train claimed runs: the queue, the run store, its own id, and
    `interrupted()`, True once the process is being shut down."""

    queue: RunQueue
    store: RunStore
    worker: str
    interrupted: Callable[[], bool] = lambda: False
    quantum: float = QUANTUM

    def take(self) -> RunEnd | None:
        """Claim the next run in the lanes' turn and train it; None when nothing waits."""
        claim = self.queue.queue_claim(self.worker)
        return self.train(claim) if claim is not None else None

    def drain(self, limit: int | None = None) -> list[RunEnd]:
        """The worker loop's one step, the same in every worker: take runs in the lanes' turn
        and train them until nothing waits that this worker may take, it is interrupted, or
        `limit` runs have ended. Returns how each ended."""
        ended: list[RunEnd] = []
        while not self.interrupted() and (limit is None or len(ended) < limit):
            end = self.take()
            if end is None:
                break
            ended.append(end)
        return ended

    def train(self, claim: Lease, *, nest: bool = True) -> RunEnd:
        """Train the claimed run to its end (done, stopped, failed or interrupted)."""
        try:
            with self.store.training_lock(claim.key):
                return self._train(claim, nest)
        except Exception as exc:
            log.exception("training run %s failed", claim.key)
            error = friendly_error(exc)
            self.queue.queue_finish(claim.key, self.worker, "failed", error)
            return RunEnd(claim.key, "failed", error=error)

    def _train(self, claim: Lease, nest: bool) -> RunEnd:
        from dropout_lab.training import trainer

        key = claim.key
        meta = self.store.meta(key, partial=False)
        if meta is not None:  # trained (here or on another machine) since it was asked for
            self.queue.queue_finish(key, self.worker, "done")
            return RunEnd(key, "done", False, int(meta["epochs_done"]))
        spec, config = ModelSpec.from_dict(claim.spec), TrainConfig(**claim.config)
        watch = _Watch(self, key, nest and claim.cost > SHORT_RUN)  # only long runs pause
        run = trainer.train(spec, config, on_epoch=watch.on_epoch, should_stop=watch.should_stop)
        # Its own time: the key it was asked for, and the seconds it was paused left out.
        run = dataclasses.replace(run, key=key, train_seconds=max(
            0.0, run.train_seconds - watch.paused_seconds))  # fmt: skip
        if watch.reason == "lost":  # given to another worker: nothing here is ours to write
            return RunEnd(key, "interrupted", True, run.epochs_done)
        if watch.reason == "interrupted":
            self.queue.queue_finish(key, self.worker, "interrupted")
            return RunEnd(key, "interrupted", True, run.epochs_done)
        self.store.put(run)
        outcome = "stopped" if run.stopped else "done"
        self.queue.queue_finish(key, self.worker, outcome)
        return RunEnd(key, outcome, True, run.epochs_done)

    def serve_waiting(self, since: float) -> int:
        """Train the short runs of other lanes that waited since before `since`; how many."""
        served = 0
        while not self.interrupted():
            claim = self.queue.queue_claim(self.worker, max_cost=SHORT_RUN, before=since)
            if claim is None:
                break
            self.train(claim, nest=False)
            served += 1
        return served


class _Watch:
    """The trainer's callbacks for one run: progress, stop, interruption, pauses."""

    def __init__(self, turns: Turns, key: str, nest: bool) -> None:
        self.turns, self.key, self.nest = turns, key, nest
        self.history: dict[str, list[float]] = {}
        self.epochs = 0
        self.reason: str | None = None
        self.paused_seconds = 0.0
        now = time.monotonic()
        self.resumed_at = now
        self._wrote = self._asked = self._nested = now

    def on_epoch(self, epoch: int, logs: dict[str, float]) -> None:
        for name, value in logs.items():
            self.history.setdefault(name, []).append(float(value))
        self.epochs = epoch
        now = time.monotonic()
        if epoch == 1:
            self.resumed_at = now  # the quantum counts epochs, not building and tracing
        if now - self._wrote >= PROGRESS_EVERY or epoch == 1:
            self._write()

    def _write(self, paused: bool = False) -> None:
        self._wrote = time.monotonic()
        t = self.turns
        if not t.queue.queue_progress(self.key, t.worker, self.epochs, self.history, paused=paused):
            self.reason = "lost"

    def should_stop(self) -> bool:
        t = self.turns
        if self.reason == "lost":
            return True
        if t.interrupted():  # a run nobody wants any more is stopped, keeping its epochs
            self.reason = "stopped" if t.queue.queue_interest(self.key) == 0 else "interrupted"
            return True
        now = time.monotonic()
        if now - self._asked >= INTEREST_EVERY:
            self._asked = now
            if t.queue.queue_interest(self.key) == 0:
                self.reason = "stopped"
                return True
        if self.nest and now - self.resumed_at >= t.quantum and now - self._nested >= 0.5:
            self._nested = now
            since = time.time()
            first = t.queue.queue_claim(t.worker, max_cost=SHORT_RUN, before=since)
            if first is not None:  # others waited since before now: their turn first
                self._write(paused=True)
                t.train(first, nest=False)
                t.serve_waiting(since)
                self._write()
                self.resumed_at = time.monotonic()
                self.paused_seconds += self.resumed_at - now
        return False
