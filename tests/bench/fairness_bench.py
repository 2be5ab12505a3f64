"""Fairness benchmark: 29 learners each ask for one lesson run, first alone, then while one more
learner floods the server from 10 browser sessions with runs at the compute budget.

The server is the embedded default: one `TrainingService` with its worker processes (one per
core), its queue in an SQLite database. Each learner is a lane of its own and polls its run as
the Build page does; its time to result runs from its submit to its stored result. Goal:
`p95_seconds` at most 1.5 × `baseline_p95_seconds`, no failure.

    python tests/bench/fairness_bench.py [--json]
    dropout-lab bench --only fairness [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from dropout_lab.lesson.budget import DEFAULT_BUDGET_SECONDS, estimate_seconds
from dropout_lab.lesson.spec import LayerSpec, ModelSpec, TrainConfig, lesson_spec
from dropout_lab.training.runstore import RunStore
from dropout_lab.training.service import TrainingService
from tests.support import wait

LEARNERS = 29
SESSIONS = 10  # the flooding learner's browser sessions
EPOCHS = 50
POLL = 0.2


def budget_run(seed: int, budget: float = DEFAULT_BUDGET_SECONDS) -> tuple[ModelSpec, TrainConfig]:
    """A run whose estimate is just under the budget: three Dense(1024), as many epochs as fit."""
    layers = (*[LayerSpec("Dense", units=1024, activation="relu")] * 3,
              LayerSpec("Dense", units=1, activation="sigmoid"))  # fmt: skip
    spec = ModelSpec(10, layers)
    epochs = 1
    while estimate_seconds(spec, TrainConfig(epochs=epochs + 1)) <= 0.98 * budget:
        epochs += 1
    return spec, TrainConfig(epochs=min(epochs, 300), seed=seed)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def _learners(svc: TrainingService, seed0: int) -> tuple[list[float], int]:
    """Every learner asks at the same moment and polls until done: (times, failures)."""
    barrier = threading.Barrier(LEARNERS)
    seconds: list[float | None] = [None] * LEARNERS

    def learner(i: int) -> None:
        barrier.wait()
        t0 = time.perf_counter()
        key = svc.submit(lesson_spec(0.3), TrainConfig(epochs=EPOCHS, seed=seed0 + i),
                         lane=f"learner:{i}")  # fmt: skip
        deadline = t0 + 900
        while time.perf_counter() < deadline:
            status = svc.status(key, f"learner:{i}")
            if status.finished:
                if status.state == "done" and svc.result(key) is not None:
                    seconds[i] = time.perf_counter() - t0
                return
            wait.pause(POLL)

    threads = [threading.Thread(target=learner, args=(i,)) for i in range(LEARNERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ok = [s for s in seconds if s is not None]
    return ok, LEARNERS - len(ok)


def _flood(svc: TrainingService, stop: threading.Event, counts: list[int]) -> None:
    """Ten sessions of one learner, each pressing Train on a budget-sized run every 1-4 s."""
    rng = random.Random(1)

    def session(s: int) -> None:
        n = 0
        while not stop.is_set():
            spec, config = budget_run(10_000 + s * 1000 + n)
            svc.submit(spec, config, lane="learner:flood")
            counts[s] += 1
            n += 1
            stop.wait(rng.uniform(1.0, 4.0))

    threads = [threading.Thread(target=session, args=(s,), daemon=True) for s in range(SESSIONS)]
    for t in threads:
        t.start()


def run_fairness_bench() -> dict:
    with tempfile.TemporaryDirectory() as root:
        url = f"sqlite:///{root}/queue.sqlite3"
        with TrainingService(RunStore(Path(root) / "runs"), queue_url=url,
                             budget_seconds=DEFAULT_BUDGET_SECONDS) as svc:  # fmt: skip
            svc.prewarm([(lesson_spec(0.3), TrainConfig(epochs=2))], wait=True)
            baseline, base_failed = _learners(svc, seed0=1000)
            stop, counts = threading.Event(), [0] * SESSIONS
            _flood(svc, stop, counts)
            wait.pause(3.0)  # the flood is under way (a budget run training) before they ask
            flooded, failed = _learners(svc, seed0=2000)
            stop.set()
            workers = svc.max_workers
    spec, config = budget_run(0)
    base, flood = p95(baseline), p95(flooded) if flooded else float("nan")
    return {
        "learners": LEARNERS,
        "workers": workers,
        "lesson_epochs": EPOCHS,
        "flood_sessions": SESSIONS,
        "flood_requests": sum(counts),
        "flood_run": f"{spec.describe()}, {config.epochs} epochs, est. "
        f"{estimate_seconds(spec, config):.0f} s",
        "baseline_p95_seconds": round(base, 2),
        "baseline_median_seconds": round(statistics.median(baseline), 2),
        "p95_seconds": round(flood, 2),
        "median_seconds": round(statistics.median(flooded), 2) if flooded else None,
        "p95_ratio": round(flood / base, 2),
        "goal_ratio": 1.5,
        "failures": base_failed + failed,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    report = run_fairness_bench()
    print(json.dumps(report, indent=2) if args.json else "\n".join(
        f"{k:24s} {v}" for k, v in report.items()))  # fmt: skip
    return 1 if report["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
