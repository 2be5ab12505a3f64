"""The app server's process-wide objects: the training service and its workers, the database
store, the lesson config, the Compare precomputer, the NumPy net runs. Each is made once per
process (under a lock, so two sessions' first pages never make two), shut down with the process
(at exit, newest first), and kept here rather than in `st.cache_resource`.

Why not Streamlit's cache: any visitor can empty it. One 2-byte `clear_cache` message on the
WebSocket clears `st.cache_resource` and `st.cache_data` for every session, whatever the toolbar
mode; the next page then made a second training service with a second worker pool, and the first
was never shut down (two workers, about 650 MiB, became five, about 2.5 GiB, after three clears
and a run between each). `dropout_lab.boot` stops that message clearing anything shared; this
module makes sure that, even if a cache is emptied, nothing that runs lives in one.

A failed `make` keeps nothing (the next call tries again), as `st.cache_resource` did."""

from __future__ import annotations

import atexit
import logging
import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

_lock = threading.Lock()  # guards the tables below; never held while an object is made
_made: dict[Hashable, Any] = {}
_making: dict[Hashable, threading.Lock] = {}  # one lock per name: its maker runs under it
_closers: list[tuple[Hashable, Callable[[], None]]] = []  # in the order made
_at_exit = False


def once(name: Hashable, make: Callable[[], T], close: Callable[[T], None] | None = None) -> T:
    """The process's one object `name`, made by `make()` on first use. `close(obj)` runs when
    the process exits (or on `shutdown()`). A maker may ask for other names (the precomputer
    asks for the training service), never for its own."""
    try:
        return _made[name]
    except KeyError:
        pass
    with _lock:
        making = _making.setdefault(name, threading.Lock())
    with making:
        if name in _made:  # made by another thread while this one waited
            return _made[name]
        obj = make()
        with _lock:
            _made[name] = obj
            if close is not None:
                _closers.append((name, lambda: close(obj)))
            _register_at_exit()
        log.info("made the process-wide %s", name)
        return obj


def made(name: Hashable) -> bool:
    return name in _made


def shutdown() -> None:
    """Close every object, the newest first (the precomputer before the service it feeds), and
    forget them all: the next `once` makes a new one. Runs at process exit; tests call it too."""
    with _lock:
        closers = list(reversed(_closers))
        _closers.clear()
        _made.clear()
        _making.clear()
    for name, close in closers:
        try:
            close()
        except Exception:  # one failing close must not keep the others open
            log.warning("closing the process-wide %s failed", name, exc_info=True)


def _register_at_exit() -> None:
    """Under `_lock`. Registered after multiprocessing's own exit handler (imported before any
    service exists), so ours runs first: workers are shut down properly, not just terminated."""
    global _at_exit
    if not _at_exit:
        atexit.register(shutdown)
        _at_exit = True
