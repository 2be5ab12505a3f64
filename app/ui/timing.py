"""Server-side timings for benchmarks: printed to the server log only when asked for."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

ENV = "DROPOUT_LAB_TIMINGS"
PREFIX = "DROPOUT_LAB_TIMING"


@contextmanager
def timed(name: str) -> Iterator[None]:
    """Time the block; with DROPOUT_LAB_TIMINGS=1 print `DROPOUT_LAB_TIMING name ms` to stderr."""
    if not os.environ.get(ENV):
        yield
        return
    start = time.perf_counter()
    try:
        yield
    finally:
        ms = (time.perf_counter() - start) * 1000
        print(f"{PREFIX} {name} {ms:.3f}", file=sys.stderr, flush=True)


def parse_timings(log: str, name: str) -> list[float]:
    """The milliseconds of every `timed(name)` block found in a server log."""
    values = []
    for line in log.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == PREFIX and parts[1] == name:
            values.append(float(parts[2]))
    return values
