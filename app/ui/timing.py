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
    """Time the block; with DROPOUT_LAB_TIMINGS=1 print wall and CPU milliseconds to stderr."""
    if not os.environ.get(ENV):
        yield
        return
    start, cpu_start = time.perf_counter(), time.thread_time()
    try:
        yield
    finally:
        ms = (time.perf_counter() - start) * 1000
        cpu_ms = (time.thread_time() - cpu_start) * 1000
        # Wall time is what a user waits for; thread CPU time does not grow when other
        # processes compete for the cores, so it stays comparable on a busy machine.
        print(f"{PREFIX} {name} {ms:.3f}", file=sys.stderr, flush=True)
        print(f"{PREFIX} {name}.cpu {cpu_ms:.3f}", file=sys.stderr, flush=True)


def parse_timings(log: str, name: str) -> list[float]:
    """The milliseconds of every `timed(name)` block found in a server log."""
    values = []
    for line in log.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == PREFIX and parts[1] == name:
            values.append(float(parts[2]))
    return values
