"""An embedded training worker process (SQLite): the worker loop, with the database as its one
channel. On PostgreSQL a server's workers are procrastinate's (`local_workers`).

The embedded service (`service.TrainingService`) starts these processes, forked from a fork server
that has TensorFlow loaded (`spawn.py`: the app process never imports TensorFlow). Each runs the
loop every worker runs, `dropout-lab worker` included (`turns.Turns.drain`): take the next run in
the lanes' turn from the queue database, train it there (progress, Stop and the result all go
through the database), take the next. When nothing waits it looks again every POLL seconds
(SQLite has no notifications).

It imports TensorFlow and the trainer *before* it beats its heart, so a worker in the queue's
`train_workers` table is a warm one: the service reads its readiness there. It exits after
`max_tasks` runs (the service starts a fresh one, which keeps a long-running server's memory
bounded).

SIGTERM (the service shutting down) or the server process dying (it was killed; `spawn.py` says
how a worker tells)
interrupts the run at its next epoch: its requests wait in the queue again and the next server
trains them without the learner pressing anything; a run nobody wants any more is stopped there,
keeping its epochs.

This module never imports Streamlit; it imports TensorFlow only inside the worker process.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dropout_lab.lesson.spec import ModelSpec, TrainConfig
from dropout_lab.training import starts
from dropout_lab.training.runstore import RunStore
from dropout_lab.training.spawn import server_gone_test
from dropout_lab.training.turns import Heartbeat, Turns, friendly_error, worker_id

__all__ = ["POLL", "WorkerSetup", "friendly_error", "quiet_single_op_tensorflow", "worker_main"]

log = logging.getLogger(__name__)

# s between looks at an empty SQLite queue. A look is one indexed read: an idle worker, looks and
# heartbeats together, costs 0.7 % of a core (measured 2026-12-07, 30 s of two prewarmed idle
# workers' /proc CPU), and a run waits on average 0.1 s more before it starts.
POLL = 0.2

_INTERRUPT = threading.Event()


@dataclass(frozen=True)
class WorkerSetup:
    """Where a worker process finds the queue and the run store (its start arguments)."""

    queue_url: str
    root: str
    database_url: str | None
    max_tasks: int
    parent: int  # the service's process: once it is gone, the worker hands its run back
    spawned_at: float = 0.0  # time.time() when the service started it (its start is measured)
    warm_runs: tuple[tuple[ModelSpec, TrainConfig], ...] = ()  # trained once, unstored


def quiet_single_op_tensorflow() -> None:
    """A worker process's TensorFlow, set before it is imported: quiet, and one op at a time
    (inter-op), each op on one thread (intra-op: `training/models.py`'s rule, left to it).

    Measured on the lesson model, 30 epochs, warm, 2-core AMD EPYC (2026-12-08): one thread
    each 1.35 s and 1.35 CPU-s; TensorFlow's inter-op default 1.11 s but 1.66 CPU-s; two
    intra-op threads (what a lone worker on two cores had before) 2.2 s and 3.0 CPU-s. Several
    workers and pages share the cores, so CPU-s is what counts; the histories are identical."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")


def _on_term(signum: int, frame: Any) -> None:
    _INTERRUPT.set()  # a run under way stops at its next epoch; an idle loop ends at once


def _warm_up(runs: tuple[tuple[ModelSpec, TrainConfig], ...]) -> None:
    """Train each warm-up run once, unstored: its traced functions are then ready."""
    from dropout_lab.training import trainer

    for spec, config in runs:
        try:
            trainer.train(spec, config)
        except Exception:
            log.exception("warm-up run failed")


def worker_main(setup: WorkerSetup) -> None:
    """A worker process: train queued runs until interrupted, orphaned or recycled."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the server's to handle
    signal.signal(signal.SIGTERM, _on_term)
    quiet_single_op_tensorflow()
    from dropout_lab.store.runqueue import RunQueue

    server_gone = server_gone_test(setup.parent)
    if server_gone():  # the server died while this started
        return

    def interrupted() -> bool:
        return _INTERRUPT.is_set() or server_gone()

    with contextlib.suppress(Exception):  # import now, so the first run starts warm
        from dropout_lab.training import trainer  # noqa: F401
    _warm_up(setup.warm_runs)
    if setup.spawned_at:
        starts.save(setup.root, time.time() - setup.spawned_at)
    queue = RunQueue(setup.queue_url)
    turns = Turns(queue, RunStore(setup.root, setup.database_url), worker_id(),
                  interrupted=interrupted)  # fmt: skip
    heart = Heartbeat(queue, turns.worker, alive=lambda: not server_gone()).start()
    try:
        serve(turns, setup.max_tasks, lambda: _INTERRUPT.wait(POLL))
    finally:
        heart.stop()


def serve(turns: Turns, max_tasks: int, wait: Callable[[], None]) -> int:
    """The loop: drain the queue, `wait()` while it is empty; returns after `max_tasks` runs
    (recycled) or once interrupted. Returns how many runs ended here."""
    done = 0
    while not turns.interrupted() and done < max_tasks:
        ended = turns.drain(limit=max_tasks - done) if turns.queue.queue_waiting() else []
        done += len(ended)
        if not ended:
            wait()
    return done
