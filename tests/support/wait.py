"""The one polling helper of the tests: wait for a condition, never for a fixed time.

A test that sleeps and then looks passes or fails with the machine's speed; a test that waits for
the condition it needs, under a generous ceiling, gives the same verdict on a fast machine and on
two busy cores. `tests/unit/test_no_sleeps.py` holds every other test module to this.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

CEILING = 120.0  # seconds: generous, so a loaded machine never changes a verdict


def until(
    condition: Callable[[], T],
    *,
    timeout: float = CEILING,
    poll: float = 0.05,
    what: str = "the condition",
) -> T:
    """Call `condition` until it returns something truthy; return that. Raise TimeoutError
    naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not hold within {timeout:.0f} s")
        time.sleep(poll)


def pause(seconds: float) -> None:
    """Let wall-clock time pass when time itself is the thing under test (a lease that must
    expire, a rate-limit window, a file's mtime that must differ). Never synchronisation."""
    time.sleep(seconds)
