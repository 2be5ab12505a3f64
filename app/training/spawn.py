"""Starting a worker process from a server: "spawn" context (the app process never imports
TensorFlow), without re-running the page script that `streamlit run` made `__main__`.

This module never imports Streamlit or TensorFlow.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import sys
import threading
import types
from collections.abc import Callable, Iterator
from typing import Any

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


def start_process(target: Callable[[Any], None], arg: Any, *, name: str):
    """Start `target(arg)` in a fresh "spawn" process (a daemon: it dies with the server);
    returns the `multiprocessing` process."""
    process = multiprocessing.get_context("spawn").Process(
        target=target, args=(arg,), name=name, daemon=True
    )
    with _no_main_script():
        process.start()
    return process
