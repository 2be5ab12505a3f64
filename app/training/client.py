"""What an app process does with the training queue, whoever trains: ask for runs (stored in the
database before the answer), withdraw them, and read their status: position and estimated wait
while queued, the epoch-by-epoch history while a worker trains them (in any process, on any
machine), the stored run once done.

`QueueClient` is the common half of the embedded `service.TrainingService` (its own worker
processes) and `distributed.DistributedService` (procrastinate workers on PostgreSQL).

No Streamlit, no TensorFlow.
"""

from __future__ import annotations

import dataclasses
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from dropout_lab.lesson.budget import estimate_seconds, over_budget, refusal
from dropout_lab.lesson.spec import ModelSpec, RunResult, TrainConfig, run_key
from dropout_lab.store.queue_tables import LIVE
from dropout_lab.store.runqueue import RunQueue
from dropout_lab.training import waits
from dropout_lab.training.runstore import RunStore
from dropout_lab.training.turns import STALE_AFTER

STATES = ("queued", "running", "done", "stopped", "failed")
SHARED = "shared"  # the lane of the app's own runs (Compare's precompute, reference runs)

MSG_CRASHED = (
    "The training process stopped unexpectedly (the server may be short of memory). "
    "Press Train to try again."
)
MSG_SHUTDOWN = "The server stopped before this run finished. Press Train to run it again."
MSG_UNKNOWN = "This run is not known here (the server may have restarted). Press Train to run it."


class OverBudget(ValueError):
    """The run would take longer than the lesson's compute budget allows."""


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
    worker_pid: int | None = None  # the process training it, while running
    wait_seconds: float | None = None  # estimated, while queued
    paused: bool = False  # running, paused while short runs of others train
    restarts: int = 0  # attempts cut by a crash or a restart (it was trained again)
    worker: str | None = None  # host:pid of the worker training it
    starting: float | None = None  # queued, no worker warm yet: about how long a start takes

    @property
    def finished(self) -> bool:
        return self.state in ("done", "stopped", "failed")


def _pid(worker: str | None) -> int | None:
    try:
        return int(str(worker).rsplit(":", 1)[1])
    except (IndexError, ValueError):
        return None


def _stored(key: str, meta: dict[str, Any], restarts: int = 0) -> RunStatus:
    state = "stopped" if meta.get("stopped") else "done"
    done, total = int(meta["epochs_done"]), int(meta["config"]["epochs"])
    return RunStatus(key, state, None, done, total, meta["history"], restarts=restarts)


class QueueClient:
    """Asks for runs and reads their status through the queue database `queue`."""

    SNAPSHOT_SECONDS = 0.25  # status reads share one look at the queue for this long

    def __init__(self, store: RunStore, queue: RunQueue, budget_seconds: float | None) -> None:
        self.store, self.queue, self.budget_seconds = store, queue, budget_seconds
        self._snap_lock = threading.Lock()
        self._snap: _Snapshot | None = None
        self._snap_at = 0.0
        self.pace = waits.Pace()  # measured against the estimates, by whoever sees runs end
        self._counts_lock = threading.Lock()
        self._counts = dict.fromkeys(("submitted", "cache_hits", "attached"), 0)
        self._seen_training: dict[str, float] = {}  # key -> its estimate, seen in training

    def _count(self, name: str, n: int = 1) -> None:
        with self._counts_lock:
            self._counts[name] += n

    def live_workers(self) -> int:  # how many runs train at once (for the estimated wait)
        raise NotImplementedError

    def _after_submit(self, key: str, fresh: bool) -> None:  # hand the run to a worker
        raise NotImplementedError

    def starting(self, key: str) -> float | None:
        """While the queued run `key` waits for a worker to start (no worker is warm yet, as
        for the first run after the server started): about how long a start takes; None when
        one is warm (or this client cannot tell)."""
        return None

    # ---- asking

    def estimate(self, spec: ModelSpec, config: TrainConfig) -> float:
        return estimate_seconds(spec, config)

    def submit(
        self,
        spec: ModelSpec,
        config: TrainConfig,
        *,
        lane: str | None = None,
        replace: bool = True,
        client: str | None = None,
        client_cap: int | None = None,
        paired: bool = False,
    ) -> str:
        """Ask for the run of `spec` and `config` for `lane` (a learner or browser session;
        None: a request of its own); returns its key once the request is stored. A lane's new
        request replaces its live ones unless `replace` is False (a second run of one press).
        `client` and `client_cap` bound the places of one client's sessions that have not
        joined (RunQueue.queue_submit; QueueFull beyond). `paired`: the second run of one
        press, which may train beside the first (RunQueue.queue_submit)."""
        over = over_budget(spec, config, self.budget_seconds)
        if over is not None:  # the page said so already; a request from elsewhere learns it here
            raise OverBudget(refusal(over))
        key = run_key(spec, config)
        self._check_open()
        self._count("submitted")
        if self.store.has(key):
            self._count("cache_hits")
            return key
        lane = lane or f"anon:{uuid.uuid4().hex}"
        cost = estimate_seconds(spec, config)
        done = self.queue.queue_submit(key, lane, spec.to_dict(), dataclasses.asdict(config),
                                       cost, replace=replace, client=client,
                                       client_cap=client_cap, paired=paired)  # fmt: skip
        if done.attached:
            self._count("attached")
        self.forget_snapshot()
        self._after_submit(key, not done.attached)
        return key

    def _check_open(self) -> None:
        pass

    def stop(self, key: str, lane: str | None = None) -> bool:
        """Withdraw one request for the run (the lane's). When nobody else wants it, it ends
        early, keeping the epochs done (a queued run is simply dropped): returns True. When
        others asked for it too, it goes on for them and this returns False."""
        left = self.queue.queue_withdraw(key, lane)
        self.forget_snapshot()
        return left

    # ---- reading

    def forget_snapshot(self) -> None:
        with self._snap_lock:
            self._snap = None

    def snapshot(self) -> _Snapshot:
        """The queue's live state, read at most every SNAPSHOT_SECONDS (a class polling its
        runs costs a few queries a second, not a few per learner)."""
        with self._snap_lock:
            now = time.monotonic()
            if self._snap is None or now - self._snap_at >= self.SNAPSHOT_SECONDS:
                self._snap = _Snapshot(self.queue.queue_snapshot(STALE_AFTER))
                self._snap_at = now
            return self._snap

    def status(self, key: str, lane: str | None = None) -> RunStatus:
        view = self.snapshot().view(key, lane)
        if view is None:  # nothing live: the latest request says how it ended
            view = self.queue.queue_view(key, lane)
        request = (view or {}).get("request")
        progress = (view or {}).get("progress")
        state = request["state"] if request else None
        restarts = int(request["attempts"] + request["interrupted"]) if request else 0
        if progress is not None and (state in LIVE or state == "withdrawn" or state is None):
            self._seen_training[key] = float(progress["cost"])
            return RunStatus(
                key, "running", None, int(progress["epochs_done"]), int(progress["epochs_total"]),
                progress["history"] or {}, stop_requested=state not in LIVE,
                worker_pid=_pid(progress["worker"]), paused=bool(progress["paused"]),
                restarts=restarts, worker=progress["worker"],
            )  # fmt: skip
        total = int((request or {}).get("config", {}).get("epochs", 0))
        if state == "queued":
            position, wait = self.position(key)
            return RunStatus(key, "queued", position, 0, total, wait_seconds=wait,
                             restarts=restarts, starting=self.starting(key))  # fmt: skip
        meta = self.store.meta(key, partial=False)
        if meta is not None:
            self._measure(key, meta)
            return _stored(key, meta, restarts)
        if state == "failed":
            self._seen_training.pop(key, None)
            return RunStatus(key, "failed", None, 0, total, error=request["error"])
        partial = self.store.meta(key)
        if partial is not None:
            self._seen_training.pop(key, None)  # stopped: no measure of a whole run
            return _stored(key, partial, restarts)
        if state in ("withdrawn", "stopped"):
            return RunStatus(key, "stopped", None, 0, total, stop_requested=True)
        if state == "running":  # between a claim and the first progress row
            return RunStatus(key, "running", None, 0, total, restarts=restarts)
        return RunStatus(key, "failed", error=MSG_UNKNOWN)

    def _measure(self, key: str, meta: dict[str, Any]) -> None:
        """A run seen in training here, now stored whole: its own training time against its
        estimate is the pace of the queue's waits (`waits.Pace`), whoever trained it."""
        estimate = self._seen_training.pop(key, None)
        if estimate is not None and not meta.get("stopped"):
            self.pace.observe(estimate, float(meta.get("train_seconds") or 0.0))

    def position(self, key: str) -> tuple[int | None, float | None]:
        """(1-based place in the queue, estimated seconds until a worker takes it): the runs
        ahead at the pace measured here, a worker's start where one must start (`waits`)."""
        return self.snapshot().position(key, self.live_workers(), self.pace.factor(),
                                        self.idle_start())  # fmt: skip

    def idle_start(self) -> float:
        """How long a worker that is not training yet takes before it can (0: it is ready)."""
        return 0.0

    def result(self, key: str, lane: str | None = None) -> RunResult | None:
        """The finished run (complete, or stopped with its epochs so far); None until then."""
        status = self.status(key, lane)
        if status.state in ("queued", "running", "failed"):
            return None
        return self.store.get(key)

    def active(self) -> list[RunStatus]:
        """What is being trained now and what waits: running runs first, then the queue."""
        snap = self.snapshot()
        return [self.status(k) for k in [*snap.running, *snap.queued]]

    def counts(self) -> dict[str, int]:
        with self._counts_lock:
            counts = dict(self._counts)
        snap = self.snapshot()
        counts.update(queued=len(snap.queued), running=len(snap.running))
        return counts

    def lane_runs(self, lane: str) -> list[dict]:
        """The lane's latest requests (key, state, spec, config), newest first."""
        return self.queue.lane_requests(lane)


class _Snapshot:
    """One read of the live queue: the runs being trained and the live requests, in turn."""

    def __init__(self, data: dict) -> None:
        self.progress: dict[str, dict] = data["progress"]
        self.live: list[dict] = data["live"]
        self.worker_ids: set[str] = set(data["workers"])  # those that beat lately
        order: dict[str, float] = {}
        for r in self.live:
            if r["state"] == "queued" and r["key"] not in self.progress:
                order.setdefault(r["key"], float(r["cost"]))
        self.queued = list(order)
        self.running = sorted(self.progress, key=lambda k: self.progress[k]["claimed_at"])
        self._cost = order
        self._starts: dict[str, float] | None = None

    @property
    def workers(self) -> int:
        return len(self.worker_ids)

    def position(self, key: str, workers: int, pace: float = 1.0,
                 idle_start: float = 0.0) -> tuple[int | None, float | None]:  # fmt: skip
        if key not in self._cost:
            return None, None
        if self._starts is None:  # once per snapshot: every queued run's start
            self._starts = self._plan(workers, pace, idle_start)
        return self.queued.index(key) + 1, self._starts[key]

    def _plan(self, workers: int, pace: float, idle_start: float) -> dict[str, float]:
        from dropout_lab.store.runqueue import multi_lane

        lanes = {}
        for r in self.live:
            lanes.setdefault(r["key"], r["lane"])
        running = []
        for k, p in self.progress.items():
            left = p["cost"] * pace * (1 - p["epochs_done"] / max(p["epochs_total"], 1))
            running.append(waits.InTraining(lanes.get(k, k), left))
        queued = [waits.Queued(k, lanes.get(k, k), self._cost[k] * pace) for k in self.queued]
        return waits.starts(running, queued, max(1, workers), idle_start=idle_start,
                            shared=multi_lane)  # fmt: skip

    def view(self, key: str, lane: str | None) -> dict | None:
        """As `RunQueue.queue_view`, for a key with a live request or a worker; else None."""
        requests = [r for r in self.live if r["key"] == key and lane in (None, r["lane"])]
        progress = self.progress.get(key)
        if not requests:
            return None  # the latest (finished) request is read from the database
        return {"request": requests[-1], "progress": progress}
