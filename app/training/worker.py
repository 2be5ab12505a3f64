"""An embedded training worker process: it trains the runs the service claimed for it.

The worker is started with the "spawn" context, so it imports TensorFlow and the app process
never has to. It stays warm between runs (the trainer keeps traced functions per
architecture) and exits after `max_tasks` runs (the service then starts a fresh one, which
keeps a long-running server's memory bounded). It beats its heart in the queue database, writes
each run's progress there (`turns.Turns`), and talks to the service only in the dataclasses of
`messages`.

SIGTERM (the service shutting down a durable queue) or the parent process dying (the server was
killed) interrupts the run at its next epoch: its requests wait in the queue again, and the next
server trains them without the learner pressing anything.

This module never imports Streamlit; it imports TensorFlow only inside the worker process.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
from typing import Any

from dropout_lab.training.messages import (
    Finished,
    FromWorker,
    Quit,
    Ready,
    RunFailed,
    TrainRequest,
    Warmed,
    WarmUp,
    WorkerSetup,
)
from dropout_lab.training.runstore import RunStore
from dropout_lab.training.turns import Heartbeat, Turns, friendly_error, worker_id

__all__ = ["friendly_error", "worker_main"]

log = logging.getLogger(__name__)

_INTERRUPT = threading.Event()
_BUSY = threading.Event()


def _on_term(signum: int, frame: Any) -> None:
    _INTERRUPT.set()
    if not _BUSY.is_set():
        raise SystemExit(0)  # idle: nothing to hand back


def _warm_up(message: WarmUp) -> Warmed:
    """Train each warm-up run once, unstored: its traced functions are then ready."""
    for spec, config in message.runs:
        try:
            from dropout_lab.training import trainer as training

            training.train(spec, config)
        except Exception:
            log.exception("warm-up run failed")
    return Warmed()


def _answer(turns: Turns, request: TrainRequest, *, retiring: bool) -> Finished | RunFailed:
    _BUSY.set()
    try:
        out = turns.train(request.claim)
    finally:
        _BUSY.clear()
    if out.state == "failed":
        return RunFailed(out.key, out.error or "", retiring)
    stopped, interrupted = out.state == "stopped", out.state == "interrupted"
    return Finished(out.key, out.trained, stopped, out.epochs_done, retiring, interrupted)


def worker_main(conn: Any, setup: WorkerSetup) -> None:
    """A worker process: answer the service's messages until told to quit or recycled."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the server's to handle
    signal.signal(signal.SIGTERM, _on_term)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if setup.threads:
        os.environ.setdefault("TF_NUM_INTRAOP_THREADS", str(setup.threads))
        os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")
    from dropout_lab.store import Store

    parent = setup.parent  # not os.getppid() now: the server may have died while this started
    if os.getppid() != parent:
        return
    queue = Store(setup.queue_url)
    turns = Turns(queue, RunStore(setup.root, setup.database_url), worker_id(),
                  interrupted=lambda: _INTERRUPT.is_set() or os.getppid() != parent)  # fmt: skip
    heart = Heartbeat(queue, turns.worker, alive=lambda: os.getppid() == parent).start()
    with contextlib.suppress(Exception):  # import now, so the first run starts warm
        from dropout_lab.training import trainer  # noqa: F401
    with contextlib.suppress(OSError, ValueError):
        conn.send(Ready())  # the service measures how long a trainer takes to start
    try:
        _serve(conn, turns, setup.max_tasks)
    finally:
        heart.stop()


def _serve(conn: Any, turns: Turns, max_tasks: int) -> None:
    done = 0
    while not _INTERRUPT.is_set():
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
            reply = _answer(turns, message, retiring=done >= max_tasks or _INTERRUPT.is_set())
        else:
            log.warning("worker ignored an unknown message %r", message)
            continue
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return
        if not isinstance(reply, Warmed) and reply.retiring:
            return  # recycled: the service starts a fresh worker
