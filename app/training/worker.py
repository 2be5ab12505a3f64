"""A training worker process: it trains what the service sends, one run at a time.

The worker is started with the "spawn" context, so it imports TensorFlow and the app process
never has to. It stays warm between runs (the trainer keeps traced functions per
architecture) and exits after `max_tasks` runs (the service then starts a fresh one, which
keeps a long-running server's memory bounded). It talks to the service only in the dataclasses
of `messages`; live progress goes to the run store, where every app process can read it.

A stop is a flag file in the store, checked after each epoch; it counts only when it was made
after the attempt was submitted. A worker whose parent died stops too (its run is kept).

This module never imports Streamlit; it imports TensorFlow only inside the worker process.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import signal
import time
from typing import Any

from dropout_lab.training.messages import (
    Failed,
    Finished,
    FromWorker,
    Quit,
    TrainRequest,
    Warmed,
    WarmUp,
)
from dropout_lab.training.runstore import RunStore

log = logging.getLogger(__name__)


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


def train_task(store: RunStore, request: TrainRequest, *, retiring: bool = False) -> Finished:
    """Train `request` into `store` unless another process has it already (one per key)."""
    from dropout_lab.training import trainer as training

    key, config = request.key, request.config
    parent = os.getppid()
    with store.training_lock(key):
        meta = store.meta(key, partial=False)
        if meta is not None:  # another process trained it while we waited for the lock
            return Finished(key, False, False, meta["epochs_done"], retiring)
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
            return os.getppid() != parent or store.stop_requested_since(key, request.submitted_at)

        run = training.train(request.spec, config, on_epoch=on_epoch, should_stop=should_stop)
        if run.key != key:
            run = dataclasses.replace(run, key=key)
        store.put(run)
        store.clear_progress(key)
    return Finished(key, True, bool(run.stopped), run.epochs_done, retiring)


def _warm_up(message: WarmUp) -> Warmed:
    """Train each warm-up run once, unstored: its traced functions are then ready."""
    for spec, config in message.runs:
        try:
            from dropout_lab.training import trainer as training

            training.train(spec, config)
        except Exception:
            log.exception("warm-up run failed")
    return Warmed()


def _answer(request: TrainRequest, *, retiring: bool) -> Finished | Failed:
    try:
        store = RunStore(request.root, request.database_url)
        return train_task(store, request, retiring=retiring)
    except Exception as exc:
        log.exception("training run %s failed", request.key)
        return Failed(request.key, friendly_error(exc), retiring)


def worker_main(conn: Any, max_tasks: int, threads: int | None) -> None:
    """A worker process: answer the service's messages until told to quit or recycled."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the server's to handle
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if threads:
        os.environ.setdefault("TF_NUM_INTRAOP_THREADS", str(threads))
        os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")
    with contextlib.suppress(Exception):  # import now, so the first run starts warm
        from dropout_lab.training import trainer  # noqa: F401
    done = 0
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        reply: FromWorker
        if isinstance(message, Quit):
            return
        if isinstance(message, WarmUp):
            reply = _warm_up(message)
        elif isinstance(message, TrainRequest):
            done += 1
            reply = _answer(message, retiring=done >= max_tasks)
        else:
            log.warning("worker ignored an unknown message %r", message)
            continue
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return
        if not isinstance(reply, Warmed) and reply.retiring:
            return  # recycled: the service starts a fresh worker
