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


def rerun_until(at, condition: Callable[[], T], *, timeout: float = CEILING, poll: float = 0.2,
                what: str = "the page") -> T:  # fmt: skip
    """Streamlit's AppTest `at`: run the page again until `condition()` holds (a run finished
    in a worker, a model loaded); fail at once on an exception box."""

    def settled():
        assert not at.exception, at.exception
        if value := condition():
            return value
        at.run()
        assert not at.exception, at.exception
        return condition()

    return until(settled, timeout=timeout, poll=poll, what=what)


def pace(page, milliseconds: float) -> None:
    """Playwright: let `milliseconds` pass between two inputs, where the pace of the input is
    what is under test (a slider dragged at a hand's speed). Never synchronisation."""
    page.wait_for_timeout(milliseconds)


def next_frames(page, frames: int = 2) -> None:
    """Playwright: wait until the browser has drawn `frames` more frames (a focus ring or a
    class change shows on the next frame)."""
    page.evaluate(
        """(n) => new Promise(done => {
            const step = (left) => left ? requestAnimationFrame(() => step(left - 1)) : done();
            step(n);
        })""",
        frames,
    )
