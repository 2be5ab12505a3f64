"""How long each queued run waits: the runs in their turn, laid on the workers as they free up.

Times are the runs' estimated costs scaled by the pace measured here (`pace`: how much longer
than its estimate a run really took, the slowest of the last few), plus a worker's start where
one still has to start. A lane other than a shared one trains one run at a time, so its next run
waits for its running one too. Pessimistic on purpose: a learner told "about 4 s" who waits 6 s
has been misled; one told 6 s who waits 4 s has not.

Pure: no Streamlit, no TensorFlow, no database.
"""

from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass, field

PACES_KEPT = 8  # the last runs whose pace is remembered


@dataclass
class Pace:
    """Measured seconds per estimated second of recent runs (1.0 until one is measured)."""

    recent: deque[float] = field(default_factory=lambda: deque(maxlen=PACES_KEPT))

    def observe(self, estimated: float, seconds: float) -> None:
        if estimated > 0 and seconds > 0:
            self.recent.append(seconds / estimated)

    def factor(self) -> float:
        return max(self.recent, default=1.0)


@dataclass(frozen=True)
class InTraining:
    lane: str
    left: float  # seconds until it ends


@dataclass(frozen=True)
class Queued:
    key: str
    lane: str
    seconds: float  # how long it trains, once started


def starts(running: list[InTraining], queued: list[Queued], workers: int, *,
           idle_start: float = 0.0, shared=lambda lane: False) -> dict[str, float]:  # fmt: skip
    """{key: seconds until it starts} for the queued runs, taken in order by the first worker
    free (an idle worker first has to start: `idle_start`), each lane one run at a time."""
    free = [r.left for r in running]
    free += [idle_start] * max(0, workers - len(free))
    heapq.heapify(free)
    lane_free: dict[str, float] = {}
    for r in running:
        if not shared(r.lane):
            lane_free[r.lane] = max(lane_free.get(r.lane, 0.0), r.left)
    out: dict[str, float] = {}
    for q in queued:
        start = max(heapq.heappop(free), lane_free.get(q.lane, 0.0))
        out[q.key] = start
        heapq.heappush(free, start + q.seconds)
        if not shared(q.lane):
            lane_free[q.lane] = start + q.seconds
    return out
