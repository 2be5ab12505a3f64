"""`dropout-lab bench --only grading`: how fast the NumPy labs' references are graded in the
sandbox (the forward lab and the backprop lab, medians), how a forever-loop is stopped, and how
long the backprop lab's NumPy network trains (both variants, in the sandbox)."""

from __future__ import annotations

import statistics
import time

from dropout_lab.grading import net_run
from dropout_lab.grading.checks import LIMITS, _lab, grade

LOOP = "def dropout_forward(x, rate, training, rng):\n    while True:\n        pass\n"


def _graded_seconds(code: str, lab: str, repeats: int) -> list[float] | str:
    """Seconds of each of `repeats` gradings of `code`; a message if it did not pass."""
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        v = grade(code, lab=lab)
        times.append(time.perf_counter() - t)
        if not v.passed:
            return f"the reference solution of {lab} did not pass: {v.error}"
    return times


def run_grading_bench(repeats: int = 5) -> dict:
    """Figures: the references' grading times (median, max), how a forever-loop is stopped, the
    NumPy network's training time. Figures only: what is fast enough is for a reader to judge."""
    forward = _graded_seconds(_lab().solution, "numpy_dropout", repeats)
    backprop = _graded_seconds(_lab("numpy_backprop").solution, "numpy_backprop", repeats)
    for times in (forward, backprop):
        if isinstance(times, str):
            return {"error": times}
    t = time.perf_counter()
    loop = grade(LOOP)
    stopped = time.perf_counter() - t
    config = net_run.lab_config()
    net = net_run.NetRun(_lab("numpy_backprop").solution, config).run()
    return {
        "mode": loop.mode,
        "correct_median_s": statistics.median(forward),
        "correct_max_s": max(forward),
        "backprop_correct_median_s": statistics.median(backprop),
        "backprop_correct_max_s": max(backprop),
        "infinite_loop_stopped_s": stopped,
        "infinite_loop_verdict": loop.error or "passed?!",
        "wall_limit_s": LIMITS.wall_seconds,
        "numpy_net_state": net.state if not net.error else f"{net.state}: {net.error}",
        "numpy_net_epochs": config.epochs,
        "numpy_net_train_s": net.seconds,  # both variants, in the sandbox's own clock
        "numpy_net_budget_s": config.budget_seconds,
    }
