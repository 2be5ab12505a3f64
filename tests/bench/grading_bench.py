"""`dropout-lab bench --only grading`: how fast a correct NumPy submission is graded, and how
a forever-loop is stopped."""

from __future__ import annotations

import statistics
import time

from dropout_lab.grading.checks import LIMITS, _lab, grade


def run_grading_bench(repeats: int = 5) -> dict:
    """Figures: a correct submission's grading time (median), and how a forever-loop is stopped."""
    lab = _lab()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        v = grade(lab.solution)
        times.append(time.perf_counter() - t)
        if not v.passed:
            return {"error": f"the reference solution did not pass: {v.error}"}
    t = time.perf_counter()
    loop = grade("def dropout_forward(x, rate, training, rng):\n    while True:\n        pass\n")
    stopped = time.perf_counter() - t
    return {
        "mode": v.mode,
        "correct_median_s": statistics.median(times),
        "correct_max_s": max(times),
        "infinite_loop_stopped_s": stopped,
        "infinite_loop_verdict": loop.error or "passed?!",
        "wall_limit_s": LIMITS.wall_seconds,
    }
