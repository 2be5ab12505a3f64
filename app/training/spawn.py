"""Starting a worker process from a server: forked from a fork server that has TensorFlow
loaded, without re-running the page script that `streamlit run` made `__main__`, and how a
worker tells that the server that started it is gone.

Why a fork server: a worker started fresh ("spawn") imports TensorFlow before it trains, about
6 CPU-s and 7-11 s on two busy cores, at every start (a server's first workers, a worker recycled
after its tasks or started again after a crash, each service of the test suite). The fork server
is started once per server process, a fresh interpreter (the server itself never imports
TensorFlow) that loads `training.preload`; every worker is then a fork of it, TensorFlow already
imported but not yet run (no thread pool, no session), and starts in well under a second. A
worker is then the server's grandchild: `server_gone_test` is how it tells the server died.

Measured on a 2-core AMD EPYC (2026-12-08, /tmp scripts, a fresh `TrainingService` per 2-epoch
run in one process): the first run 7.0 s and 6.7 CPU-s (the fork server's start), each later one
1.7 s and 1.6 CPU-s. The cost is memory: the fork server stays, 255 MB proportional set size
beside a worker's 232 MB (one worker started fresh was about 360 MB). In the test suite, where
most servers start one worker, the training workers' CPU did not change (632 and 647 CPU-s in
two full runs); the gain is a server's second worker and every worker started again.

This module never imports Streamlit or TensorFlow.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import select
import sys
import threading
import types
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

PRELOAD = "dropout_lab.training.preload"
_MAIN_SWAP = threading.Lock()


@contextlib.contextmanager
def _no_main_script() -> Iterator[None]:
    """While a worker starts, hide the `__main__` module's file. Under `streamlit run`, the
    page script is `__main__`, and a child re-runs `__main__`'s file before its target (the
    fork server sends it the parent's preparation data): every worker would run the whole app
    page once, bare (no session, a page of warnings)."""
    with _MAIN_SWAP:
        real = sys.modules.get("__main__")
        if real is None or getattr(real, "__spec__", None) is not None:
            yield  # a module run by name (python -m): the child imports it by name, harmlessly
            return
        bare = types.ModuleType("__main__")
        sys.modules["__main__"] = bare
        try:
            yield
        finally:
            if sys.modules.get("__main__") is bare:  # a script run since keeps its own
                sys.modules["__main__"] = real


@cache
def _context() -> multiprocessing.context.BaseContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([PRELOAD])  # not `__main__`: the page script stays unrun
    return context


def start_process(target: Callable[[Any], None], arg: Any, *, name: str):
    """Start `target(arg)` in a process forked from this process's fork server (a daemon: it
    dies with the server); returns the `multiprocessing` process."""
    process = _context().Process(target=target, args=(arg,), name=name, daemon=True)
    with _no_main_script():
        process.start()
    return process


def _parent_of(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def server_gone_test(server: int) -> Callable[[], bool]:
    """In a worker: a test that says whether `server` (the process that started it) is gone.

    The worker's parent is the server's fork server, which lives on while any worker does (each
    holds its "alive" pipe), so the worker watches the server itself, through a pidfd: it turns
    readable when that process exits, and unlike a pid it never names another process. At the
    start the fork server's parent must still be `server`: if the server died while the worker
    started (its pid perhaps reused since), it is gone already."""
    try:
        pidfd = os.pidfd_open(server)
    except ProcessLookupError:
        return lambda: True
    if server not in (os.getppid(), _parent_of(os.getppid())):
        os.close(pidfd)
        return lambda: True
    return lambda: bool(select.select([pidfd], [], [], 0)[0])
