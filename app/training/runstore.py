"""The run store: finished runs on disk, shared by every session and by several app processes.

::

    <root>/<key>/run.json        a complete run: spec, config, history, ... (no weights)
    <root>/<key>/weights.npz     its trained weights, in `model.weights` order
    <root>/<key>/partial/        the latest *stopped* run of that key (same two files)
    <root>/<key>/train.lock      held (flock) by the process that trains the key

A run's live progress and its Stop travel through the queue's database (`store/runqueue.py`),
never through this folder.

Every file is written to a temporary name and `os.replace`d into place, weights first and
`run.json` last, so a killed process never leaves a half-written run that looks finished.

Partial runs are keyed separately (`partial/`): a run the learner stopped is kept with its
weights and is what `get(key)` returns until a complete run exists, but only a complete run is
a cache hit (`has`). An identical request after a stop therefore trains the run in full.

With a database URL, complete runs are also mirrored in the learners' database
(`mirror.RunMirror`) and fetched from it into this folder when another process put them there.

This module never imports Streamlit or TensorFlow; everything public is thread-safe.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import shutil
import tempfile
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np

from dropout_lab.lesson.spec import ModelSpec, RunResult, TrainConfig
from dropout_lab.training.mirror import RunMirror

try:  # cross-process "one trainer per key"; absent on Windows (then each process trains alone)
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

FORMAT_VERSION = 1


def default_root() -> Path:
    """`$DROPOUT_LAB_DATA_DIR/runs`, or `~/.local/share/dropout-lab/runs`."""
    base = os.environ.get("DROPOUT_LAB_DATA_DIR")
    path = Path(base).expanduser() if base else Path.home() / ".local" / "share" / "dropout-lab"
    return path / "runs"


# --------------------------------------------------------------------------- files


def _atomic_write(path: Path, write: Callable[[IO[bytes]], None], *, durable: bool = True) -> None:
    """Write `path` through a temporary file in the same directory, then `os.replace` it."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
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


def _run_meta(run: RunResult, token: str) -> dict[str, Any]:
    """The `run.json` of `run`: every field but the weights, plus how to find them."""
    meta: dict[str, Any] = {"format": FORMAT_VERSION}
    for f in dataclasses.fields(run):
        if f.name not in ("spec", "config", "weights"):
            meta[f.name] = _jsonable(getattr(run, f.name))
    meta.update(
        spec=run.spec.to_dict(),
        config=dataclasses.asdict(run.config),
        finished_at=time.time(),
        n_weights=len(run.weights),
        weights_token=token,
    )
    return meta


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


class _TornRead(Exception):
    """run.json and weights.npz are from different writes (a rewrite is under way)."""


# --------------------------------------------------------------------------- the store


class RunStore:
    """Finished runs on disk, shared by all sessions and app processes. Thread-safe."""

    def __init__(self, root: Path | str | None = None, database_url: str | None = None) -> None:
        """Runs under `root`; with `database_url`, finished runs are also kept in that
        database (the learners' store), so app processes on other machines share them."""
        self.root = Path(root) if root is not None else default_root()
        # the data directory and the runs in it: the owner's only (the umask may be wider here)
        self.root.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.root.mkdir(mode=0o700, exist_ok=True)
        self.database_url = database_url
        # Workers build their own store (and so their own connection) from root and URL.
        self._mirror = RunMirror(database_url) if database_url is not None else None

    def _dir(self, key: str) -> Path:
        if not key or not all(c.isalnum() or c in "-_" for c in key):
            raise ValueError(f"not a run key: {key!r}")
        return self.root / key

    # ---- runs

    def has(self, key: str) -> bool:
        """True when a *complete* run of `key` is stored (a stopped run does not count)."""
        return (self._dir(key) / "run.json").is_file() or self._fetch_shared(key)

    def _fetch_shared(self, key: str) -> bool:
        """Copy a complete run that another process put in the database into this store's
        folder (weights first, run.json last, as `put` does). True when there now is one."""
        found = self._mirror.fetch(key) if self._mirror is not None else None
        if found is None:
            return False
        meta, weights = found
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
        meta = _run_meta(run, token)
        arrays = {f"w{i:03d}": np.asarray(w) for i, w in enumerate(run.weights)}
        arrays["token"] = np.array(token)
        _atomic_write(d / "weights.npz", lambda f: np.savez(f, **arrays))
        _write_json(d / "run.json", meta)
        if not run.stopped:
            shutil.rmtree(self._dir(run.key) / "partial", ignore_errors=True)
            if self._mirror is not None:
                self._mirror.put(run.key, meta, (d / "weights.npz").read_bytes())

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

    # ---- the training lock

    @contextlib.contextmanager
    def training_lock(self, key: str) -> Iterator[None]:
        """Held while `key` is trained: a second process waits, then finds the run stored."""
        if fcntl is None:  # pragma: no cover
            yield
            return
        d = self._dir(key)
        d.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(d / "train.lock", os.O_RDWR | os.O_CREAT, 0o600)  # private whatever the umask
        with os.fdopen(fd, "a+b") as f:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f.fileno(), fcntl.LOCK_UN)
