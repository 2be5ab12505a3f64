"""The runs cache and the training service: where runs are trained, kept and shared.

`RunStore` keeps finished runs on disk, shared by every session and by several app processes::

    <root>/<key>/run.json        a complete run: spec, config, history, ... (no weights)
    <root>/<key>/weights.npz     its trained weights, in `model.weights` order
    <root>/<key>/partial/        the latest *stopped* run of that key (same two files)
    <root>/<key>/progress.json   the live progress of the attempt being trained
    <root>/<key>/stop            a stop request (its text: the time it was made)
    <root>/<key>/train.lock      held (flock) by the process that trains the key

Every file is written to a temporary name and `os.replace`d into place, weights first and
`run.json` last, so a killed process never leaves a half-written run that looks finished.

Partial runs are keyed separately (`partial/`): a run the learner stopped is kept with its
weights and is what `get(key)` returns until a complete run exists, but only a complete run is
a cache hit (`has`). An identical request after a stop therefore trains the run in full.

`TrainingService` trains runs in a small pool of worker processes ("spawn" context; the worker
imports TensorFlow, the app process never has to). At most `max_workers` runs train at once;
later requests wait in a FIFO queue and report their position. Identical requests attach to
the queued or running run; requests already in the store are never trained again. Workers stay
warm between runs (the training engine keeps traced functions per architecture, and a run is
sent preferably to an idle worker that has trained that architecture before) and are recycled
after `max_tasks_per_worker` runs, which keeps a long-running server's memory bounded. A worker
that dies marks only its own run failed; the pool replaces it.

Stop is a file flag in the run's directory, checked by the worker after each epoch: it works
across app processes and survives no attempt it was not meant for (a stop only counts for
attempts submitted before it was made). A stop ends the run for every learner attached to it.

This module never imports Streamlit or TensorFlow; everything public is thread-safe.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
import time
import uuid
import zipfile
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import wait as _wait
from pathlib import Path
from typing import IO, Any

import numpy as np

from dropout_lab.lesson.spec import ModelSpec, RunResult, TrainConfig, run_key

try:  # cross-process "one trainer per key"; absent on Windows (then each process trains alone)
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
STATES = ("queued", "running", "done", "stopped", "failed")

MSG_CRASHED = (
    "The training process stopped unexpectedly (the server may be short of memory). "
    "Press Train to try again."
)
MSG_SHUTDOWN = "The server stopped before this run finished. Press Train to run it again."
MSG_UNKNOWN = "This run is not known here (the server may have restarted). Press Train to run it."


def default_root() -> Path:
    """`$DROPOUT_LAB_DATA_DIR/runs`, or `~/.local/share/dropout-lab/runs`."""
    base = os.environ.get("DROPOUT_LAB_DATA_DIR")
    path = Path(base).expanduser() if base else Path.home() / ".local" / "share" / "dropout-lab"
    return path / "runs"


# --------------------------------------------------------------------------- the store


def _atomic_write(path: Path, write: Callable[[IO[bytes]], None], *, durable: bool = True) -> None:
    """Write `path` through a temporary file in the same directory, then `os.replace` it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _write_json(path: Path, obj: Any, *, durable: bool = True) -> None:
    data = json.dumps(obj, sort_keys=True).encode()
    _atomic_write(path, lambda f: f.write(data), durable=durable)


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, ValueError):
        log.warning("unreadable run file %s", path)
        return None


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


class _TornRead(Exception):
    """run.json and weights.npz are from different writes (a rewrite is under way)."""


class RunStore:
    """Finished runs on disk, shared by all sessions and app processes. Thread-safe."""

    def __init__(self, root: Path | str | None = None, database_url: str | None = None) -> None:
        """Runs under `root`; with `database_url`, finished runs are also kept in that
        database (the learners' store), so app processes on other machines share them."""
        self.root = Path(root) if root is not None else default_root()
        self.root.mkdir(parents=True, exist_ok=True)
        self.database_url = database_url
        self._db = None  # the Store, opened on first use (workers open their own)

    def _dir(self, key: str) -> Path:
        if not key or not all(c.isalnum() or c in "-_" for c in key):
            raise ValueError(f"not a run key: {key!r}")
        return self.root / key

    # ---- runs

    def has(self, key: str) -> bool:
        """True when a *complete* run of `key` is stored (a stopped run does not count)."""
        return (self._dir(key) / "run.json").is_file() or self._fetch_shared(key)

    def _shared(self):  # -> dropout_lab.store.db.Store | None
        if self.database_url is None:
            return None
        if self._db is None:
            from dropout_lab.store.db import Store

            self._db = Store(self.database_url)
        return self._db

    def _fetch_shared(self, key: str) -> bool:
        """Copy a complete run that another process put in the database into this store's
        folder (weights first, run.json last, as `put` does). True when there now is one."""
        db = self._shared()
        if db is None or not db.has_run(key):
            return False
        meta, weights = db.run_meta(key), db.run_weights(key)
        if meta is None or weights is None:
            return False
        d = self._dir(key)
        _atomic_write(d / "weights.npz", lambda f: f.write(weights))
        _write_json(d / "run.json", meta)
        return True

    def keys(self) -> list[str]:
        """The keys of the complete runs stored."""
        return sorted(p.parent.name for p in self.root.glob("*/run.json"))

    def put(self, run: RunResult) -> None:
        """Store `run`: a complete run under its key, a stopped one under `<key>/partial`."""
        d = self._dir(run.key)
        if run.stopped:
            if self.has(run.key):
                return  # a complete run supersedes any partial one
            d = d / "partial"
        token = uuid.uuid4().hex
        meta: dict[str, Any] = {"format": FORMAT_VERSION}
        for f in dataclasses.fields(run):
            if f.name not in ("spec", "config", "weights"):
                meta[f.name] = _jsonable(getattr(run, f.name))
        meta.update(
            spec=run.spec.to_dict(),
            config=asdict(run.config),
            finished_at=time.time(),
            n_weights=len(run.weights),
            weights_token=token,
        )
        arrays = {f"w{i:03d}": np.asarray(w) for i, w in enumerate(run.weights)}
        arrays["token"] = np.array(token)
        _atomic_write(d / "weights.npz", lambda f: np.savez(f, **arrays))
        _write_json(d / "run.json", meta)
        if not run.stopped:
            shutil.rmtree(self._dir(run.key) / "partial", ignore_errors=True)
            db = self._shared()
            if db is not None:  # one transaction: the run is shared whole or not at all
                db.put_run(run.key, meta, (d / "weights.npz").read_bytes())

    def meta(self, key: str, *, partial: bool = True) -> dict[str, Any] | None:
        """The stored `run.json` of `key` (complete first, else the stopped one), no weights."""
        d = self._dir(key)
        found = _read_json(d / "run.json")
        if found is None and self._fetch_shared(key):
            found = _read_json(d / "run.json")
        if found is None and partial:
            found = _read_json(d / "partial" / "run.json")
        return found

    def get(self, key: str, *, partial: bool = True) -> RunResult | None:
        """The stored run of `key`: the complete one, else (if `partial`) the stopped one."""
        d = self._dir(key)
        if not (d / "run.json").is_file():
            self._fetch_shared(key)
        for where in (d, d / "partial") if partial else (d,):
            run = self._load(where)
            if run is not None:
                return run
        return None

    def _load(self, d: Path) -> RunResult | None:
        for _ in range(20):  # a torn read means a rewrite is in progress: read again
            meta = _read_json(d / "run.json")
            if meta is None:
                return None
            try:
                with np.load(d / "weights.npz", allow_pickle=False) as z:
                    if str(z["token"]) != meta["weights_token"]:
                        raise _TornRead
                    weights = [z[f"w{i:03d}"] for i in range(meta["n_weights"])]
            except (_TornRead, FileNotFoundError, KeyError, ValueError, zipfile.BadZipFile):
                time.sleep(0.01)
                continue
            return _run_from_meta(meta, weights)
        log.warning("could not read a consistent run from %s", d)
        return None

    # ---- progress, stop requests, the training lock

    def write_progress(self, key: str, progress: dict[str, Any]) -> None:
        _write_json(self._dir(key) / "progress.json", progress, durable=False)

    def progress(self, key: str) -> dict[str, Any] | None:
        """The live progress of `key`: epochs_done, epochs_total, history so far (or None)."""
        return _read_json(self._dir(key) / "progress.json")

    def clear_progress(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            (self._dir(key) / "progress.json").unlink()

    def request_stop(self, key: str) -> None:
        """Ask whoever trains `key` (in any process) to stop after the current epoch."""
        stamp = repr(time.time()).encode()
        _atomic_write(self._dir(key) / "stop", lambda f: f.write(stamp), durable=False)

    def stop_requested_since(self, key: str, since: float) -> bool:
        """True when a stop of `key` was requested at or after time `since`."""
        try:
            return float((self._dir(key) / "stop").read_text()) >= since
        except (FileNotFoundError, ValueError):
            return False

    @contextlib.contextmanager
    def training_lock(self, key: str) -> Iterator[None]:
        """Held while `key` is trained: a second process waits, then finds the run stored."""
        if fcntl is None:  # pragma: no cover
            yield
            return
        d = self._dir(key)
        d.mkdir(parents=True, exist_ok=True)
        with open(d / "train.lock", "a+b") as f:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f.fileno(), fcntl.LOCK_UN)

    def is_training(self, key: str) -> bool:
        """True when some process holds the training lock of `key`."""
        path = self._dir(key) / "train.lock"
        if fcntl is None or not path.exists():
            return False
        with open(path, "a+b") as f:
            try:
                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)
            return False


def _run_from_meta(meta: dict[str, Any], weights: list[np.ndarray]) -> RunResult:

    values: dict[str, Any] = {}
    for f in dataclasses.fields(RunResult):
        if f.name == "spec":
            values["spec"] = ModelSpec.from_dict(meta["spec"])
        elif f.name == "config":
            values["config"] = TrainConfig(**meta["config"])
        elif f.name == "weights":
            values["weights"] = weights
        elif f.name in meta:
            values[f.name] = meta[f.name]
    return RunResult(**values)


# --------------------------------------------------------------------------- the worker


def _friendly_error(exc: BaseException) -> str:
    if isinstance(exc, MemoryError):
        return "The server ran out of memory training this model. Try a smaller model."
    if isinstance(exc, ValueError):
        first = (str(exc).strip().splitlines() or [""])[0][:200]
        return f"This model could not be trained: {first}"
    return (
        f"Training failed unexpectedly ({type(exc).__name__}). Press Train to try again; "
        "if it keeps failing, tell your instructor."
    )


def _train_task(
    store: RunStore, key: str, spec: ModelSpec, config: TrainConfig, submitted_at: float
) -> dict[str, Any]:
    from dropout_lab.training import trainer as training

    parent = os.getppid()
    with store.training_lock(key):
        meta = store.meta(key, partial=False)
        if meta is not None:  # another process trained it while we waited for the lock
            return {"trained": False, "stopped": False, "epochs_done": meta["epochs_done"]}
        history: dict[str, list[float]] = {}
        progress = {"epochs_done": 0, "epochs_total": config.epochs, "history": history}
        progress.update(pid=os.getpid(), started_at=time.time())
        store.write_progress(key, progress)

        def on_epoch(epoch: int, logs: dict[str, float]) -> None:
            for name, value in logs.items():
                history.setdefault(name, []).append(float(value))
            progress["epochs_done"] = epoch
            store.write_progress(key, progress)

        def should_stop() -> bool:
            return os.getppid() != parent or store.stop_requested_since(key, submitted_at)

        run = training.train(spec, config, on_epoch=on_epoch, should_stop=should_stop)
        if run.key != key:
            run = dataclasses.replace(run, key=key)
        store.put(run)
        store.clear_progress(key)
    return {"trained": True, "stopped": bool(run.stopped), "epochs_done": run.epochs_done}


def _worker_main(conn: Any, max_tasks: int, threads: int | None) -> None:
    """A worker process: train what the service sends, one run at a time, until told to quit."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the server's to handle
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if threads:
        os.environ.setdefault("TF_NUM_INTRAOP_THREADS", str(threads))
        os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")
    with contextlib.suppress(Exception):  # import now, so the first run starts warm
        from dropout_lab.training import trainer as training
    done = 0
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        kind = msg[0]
        if kind == "warm":
            for spec_d, config_d in msg[1]:
                try:
                    from dropout_lab.training import trainer as training

                    training.train(ModelSpec.from_dict(spec_d), TrainConfig(**config_d))
                except Exception:
                    log.exception("warm-up run failed")
            reply: tuple[Any, ...] = ("warmed",)
        else:
            _, key, spec_d, config_d, root, database_url, submitted_at = msg
            done += 1
            retiring = done >= max_tasks
            try:
                store = RunStore(root, database_url)
                spec, config = ModelSpec.from_dict(spec_d), TrainConfig(**config_d)
                outcome = _train_task(store, key, spec, config, submitted_at)
                reply = ("finished", key, outcome, retiring)
            except Exception as exc:
                log.exception("training run %s failed", key)
                reply = ("failed", key, _friendly_error(exc), retiring)
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return
        if kind == "train" and reply[-1]:
            return  # recycled: the service starts a fresh worker


# --------------------------------------------------------------------------- the service


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
    worker: _Worker | None = None
    history: dict[str, list[float]] = field(default_factory=dict)  # last known, when failed
    epochs_done: int = 0


@dataclass(eq=False)
class _Worker:
    process: Any
    conn: Any
    task: _Task | None = None
    warming: bool = False
    retiring: bool = False
    seen: set[str] = field(default_factory=set)  # architectures trained (warm traced functions)

    @property
    def idle(self) -> bool:
        return self.task is None and not self.warming and not self.retiring


def _architecture(spec: ModelSpec, config: TrainConfig) -> str:
    text = json.dumps([spec.identity(), config.batch_size, config.data_seed], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


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
        self._ctx = multiprocessing.get_context("spawn")
        self._lock = threading.RLock()
        self._tasks: OrderedDict[str, _Task] = OrderedDict()
        self._queue: deque[str] = deque()
        self._workers: list[_Worker] = []
        self._closed = False
        self._counts = dict.fromkeys(
            ("submitted", "cache_hits", "attached", "dispatched", "trained", "failed", "workers"), 0
        )
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(target=self._loop, name="dropout-lab-runs", daemon=True)
        self._thread.start()

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
            if self.store.has(key):
                self._counts["cache_hits"] += 1
                self._tasks.pop(key, None)  # the store answers from now on
                return key
            self._tasks.pop(key, None)
            self._tasks[key] = _Task(key, spec, config, submitted_at=time.time())
            self._queue.append(key)
            self._dispatch()
        return key

    def status(self, key: str) -> RunStatus:
        with self._lock:
            task = self._tasks.get(key)
            if task is not None:
                state, stop_req = task.state, task.stop_requested
                total = task.config.epochs
                if state == "queued":
                    position = self._queue.index(key) + 1
                    return RunStatus(key, "queued", position, 0, total, stop_requested=stop_req)
                if state == "failed":
                    return RunStatus(
                        key, "failed", None, task.epochs_done, total, dict(task.history), task.error
                    )
                if state == "stopped" and task.cancelled:
                    return RunStatus(key, "stopped", None, 0, total, stop_requested=True)
                pid = task.worker.process.pid if task.worker is not None else None
        if task is not None and state == "running":
            return self._running_status(key, total, stop_req, pid)
        meta = self.store.meta(key)
        if meta is not None:
            return RunStatus(
                key,
                "stopped" if meta.get("stopped") else "done",
                None,
                int(meta["epochs_done"]),
                int(meta["config"]["epochs"]),
                meta["history"],
            )
        if self.store.is_training(key):  # by another app process sharing the store
            return self._running_status(key, 0, False, None)
        return RunStatus(key, "failed", error=MSG_UNKNOWN)

    def _running_status(self, key: str, total: int, stop_req: bool, pid: int | None) -> RunStatus:
        progress = self.store.progress(key) or {}
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
            counts = dict(self._counts)
            counts["queued"] = len(self._queue)
            counts["running"] = sum(1 for w in self._workers if w.task is not None)
            counts["live_workers"] = len(self._workers)
        return counts

    def active(self) -> list[RunStatus]:
        """What is being computed now and what waits: running runs first, then the queue."""
        with self._lock:
            keys = [w.task.key for w in self._workers if w.task is not None]
            keys += list(self._queue)
        return [self.status(key) for key in keys]

    def worker_pids(self) -> list[int]:
        with self._lock:
            return [w.process.pid for w in self._workers]

    def prewarm(
        self,
        runs: Iterable[tuple[ModelSpec, TrainConfig]] = (),
        *,
        wait: bool = False,
        timeout: float = 180.0,
    ) -> None:
        """Start every worker now (TensorFlow imported); each also trains `runs` once, unstored,
        to trace them. With `wait`, return once the idle workers are ready (or `timeout`)."""
        warm = [(spec.to_dict(), asdict(config)) for spec, config in runs]
        with self._lock:
            while not self._closed and len(self._workers) < self.max_workers:
                self._spawn()
            if warm or wait:
                for w in self._workers:
                    if w.idle and self._send(w, ("warm", warm)):
                        w.warming = True
        deadline = time.monotonic() + timeout
        while wait and time.monotonic() < deadline:
            with self._lock:
                if not any(w.warming for w in self._workers):
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
            busy = [w for w in self._workers if w.task is not None]
            running = [w.task.key for w in busy if w.task is not None]
            for w in self._workers:
                if w in busy:
                    self._send(w, None)  # after the run it is stopping
                else:
                    w.process.terminate()  # idle: nothing to keep, and TF exits slowly
        for key in running:
            with contextlib.suppress(OSError):
                self.store.request_stop(key)
        deadline = time.monotonic() + timeout
        for w in list(self._workers):
            w.process.join(max(0.0, deadline - time.monotonic()))
            if w.process.is_alive():
                w.process.terminate()
                w.process.join(2)
        self._wake()
        self._thread.join(5)
        with self._lock:  # whatever the loop did not see: last messages, then the exits
            for w in list(self._workers):
                self._on_death(w)
        with contextlib.suppress(OSError):
            os.close(self._wake_r)
            os.close(self._wake_w)

    # ---- internals (all under self._lock)

    def _wake(self) -> None:
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"x")

    def _spawn(self) -> _Worker:
        parent_conn, child_conn = self._ctx.Pipe(duplex=True)
        process = self._ctx.Process(
            target=_worker_main,
            args=(child_conn, self.max_tasks_per_worker, self.threads_per_worker),
            name="dropout-lab-worker",
            daemon=True,
        )
        process.start()
        child_conn.close()
        worker = _Worker(process, parent_conn)
        self._workers.append(worker)
        self._counts["workers"] += 1
        self._wake()
        return worker

    def _send(self, worker: _Worker, msg: Any) -> bool:
        try:
            worker.conn.send(msg)
            return True
        except (OSError, ValueError):
            return False

    def _dispatch(self) -> None:
        while self._queue and not self._closed:
            task = self._tasks[self._queue[0]]
            arch = _architecture(task.spec, task.config)
            idle = [w for w in self._workers if w.idle and w.process.is_alive()]
            worker = next((w for w in idle if arch in w.seen), idle[0] if idle else None)
            if worker is None:
                if len(self._workers) >= self.max_workers:
                    return
                worker = self._spawn()
            msg = (
                "train",
                task.key,
                task.spec.to_dict(),
                asdict(task.config),
                str(self.store.root),
                self.store.database_url,
                task.submitted_at,
            )
            if not self._send(worker, msg):
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

    def _on_message(self, worker: _Worker, msg: tuple[Any, ...]) -> None:
        if msg[0] == "warmed":
            worker.warming = False
        else:
            task, worker.task = worker.task, None
            worker.retiring = worker.retiring or bool(msg[-1])
            if task is not None and task.key == msg[1]:
                if msg[0] == "finished":
                    outcome = msg[2]
                    task.state = "stopped" if outcome["stopped"] else "done"
                    task.epochs_done = outcome["epochs_done"]
                    self._counts["trained"] += int(outcome["trained"])
                else:
                    task.state, task.error = "failed", msg[2]
                    self._counts["failed"] += 1
                self._remember_finished(task)
        self._dispatch()

    def _on_death(self, worker: _Worker) -> None:
        if worker not in self._workers:
            return
        with contextlib.suppress(EOFError, OSError, ValueError):
            while worker.conn.poll():  # messages sent just before it exited
                self._on_message(worker, worker.conn.recv())
        self._workers.remove(worker)
        worker.conn.close()
        worker.process.join(1)
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
        if worker.retiring and not task and len(self._workers) < self.max_workers:
            self._spawn()  # recycled: keep the pool warm
        self._dispatch()

    def _loop(self) -> None:
        while True:
            with self._lock:
                if self._closed and not any(w.process.is_alive() for w in self._workers):
                    return
                conns = {w.conn: w for w in self._workers}
                sentinels = {w.process.sentinel: w for w in self._workers}
            try:
                ready = _wait([*conns, *sentinels, self._wake_r], timeout=1.0)
            except OSError:
                ready = []
            for obj in ready:
                if obj == self._wake_r:
                    with contextlib.suppress(OSError):
                        os.read(self._wake_r, 4096)
                    continue
                with self._lock:
                    if obj in sentinels:
                        self._on_death(sentinels[obj])
                        continue
                    worker = conns[obj]
                    if worker not in self._workers:
                        continue
                    try:
                        msg = worker.conn.recv()
                    except (EOFError, OSError):
                        self._on_death(worker)
                        continue
                    self._on_message(worker, msg)
