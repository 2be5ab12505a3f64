"""Classroom benchmark: 30 learners press Train at the same moment.

15 of them ask for the identical run (the lesson model, 50 epochs, seed 0), 15 for the same
model with their own seed (1..15). All go into one `TrainingService` with the default worker
count (the number of cores) and a fresh, empty store. Each simulated learner polls its run's
status like the app's progress fragment does, until its result is readable; the time from its
submit to that moment is its "time to result".

    python tests/bench/bench_classroom.py            # a report
    python tests/bench/bench_classroom.py --json     # the figures as JSON
    python tests/bench/bench_classroom.py --cold     # include starting the workers and
                                                     # importing TensorFlow in this process
    python tests/bench/bench_classroom.py --postgres # the multi-machine layout on this machine:
                                                     # PostgreSQL, two `dropout-lab worker`
                                                     # processes, procrastinate
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from dropout_lab.lesson.spec import TrainConfig, lesson_spec
from dropout_lab.training.runstore import RunStore
from dropout_lab.training.service import TrainingService
from tests.support import wait

LEARNERS = 30
EPOCHS = 50
POLL_SECONDS = 0.1


def _configs(learners: int, epochs: int) -> list[TrainConfig]:
    half = learners // 2
    configs = [TrainConfig(epochs=epochs, seed=0)] * half
    return configs + [TrainConfig(epochs=epochs, seed=s) for s in range(1, learners - half + 1)]


def _classroom(service, learners: int, epochs: int) -> tuple[list[float | None], list[str], float]:
    """Every learner (a lane of its own) asks at once and polls: (seconds, states, wall)."""
    spec, configs = lesson_spec(0.0), _configs(learners, epochs)
    barrier = threading.Barrier(learners)
    seconds: list[float | None] = [None] * learners
    states: list[str] = [""] * learners

    def learner(i: int) -> None:
        barrier.wait()
        t0 = time.perf_counter()
        key = service.submit(spec, configs[i], lane=f"learner:{i}")
        while True:
            status = service.status(key, f"learner:{i}")
            if status.finished:
                break
            wait.pause(POLL_SECONDS)
        states[i] = status.state
        run = service.result(key)
        if status.state == "done" and run is not None and run.epochs_done == epochs:
            seconds[i] = time.perf_counter() - t0

    t_start = time.perf_counter()
    threads = [threading.Thread(target=learner, args=(i,)) for i in range(learners)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return seconds, states, time.perf_counter() - t_start


def run_bench_postgres(learners: int = LEARNERS, epochs: int = EPOCHS, workers: int = 2) -> dict:
    """The same classroom on PostgreSQL with `workers` `dropout-lab worker` processes."""
    from dropout_lab.store import Store
    from dropout_lab.training.distributed import DistributedService
    from tests.queue.pg import postgres_server

    with postgres_server() as url, tempfile.TemporaryDirectory() as root:
        Store(url).close()
        procs = []
        for w in range(workers):
            env = dict(os.environ, DROPOUT_LAB_DATA_DIR=f"{root}/worker-{w}",
                       TF_CPP_MIN_LOG_LEVEL="2")  # fmt: skip
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "dropout_lab.cli", "worker", "--database", url],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))  # fmt: skip
        service = DistributedService(RunStore(Path(root) / "app", url), url)
        try:
            t_ready = time.perf_counter()
            while service.live_workers() < workers:  # procrastinate's heartbeats
                wait.pause(0.2)
            importlib.import_module("dropout_lab.training.trainer")
            warmup_seconds = time.perf_counter() - t_ready
            seconds, states, wall = _classroom(service, learners, epochs)
        finally:
            service.shutdown()
            for p in procs:
                p.send_signal(signal.SIGTERM)
            for p in procs:
                p.wait(60)
    return _report(learners, epochs, workers, False, warmup_seconds, seconds, states, wall,
                   {"backend": "procrastinate on PostgreSQL"})  # fmt: skip


def run_bench(learners: int = LEARNERS, epochs: int = EPOCHS, cold: bool = False) -> dict:
    with tempfile.TemporaryDirectory() as root:
        service = TrainingService(
            RunStore(Path(root) / "runs"), queue_url=f"sqlite:///{root}/queue.sqlite3"
        )
        try:
            t_ready = time.perf_counter()
            if not cold:
                # A server that is up: its workers started, and the app process has loaded the
                # training module (reading a RunResult imports TensorFlow: 3-10 s here, once).
                service.prewarm(wait=True)
                importlib.import_module("dropout_lab.training.trainer")
            warmup_seconds = time.perf_counter() - t_ready
            seconds, states, wall = _classroom(service, learners, epochs)
            stats = service.stats()
        finally:
            service.shutdown()
    extra = {
        "backend": "embedded",
        "trainings_run": stats["submitted"] - stats["attached"] - stats["cache_hits"],
        "requests_attached": stats["attached"],
        "cache_hits": stats["cache_hits"],
        "worker_processes_started": stats["workers"],
    }
    return _report(learners, epochs, service.max_workers, cold, warmup_seconds, seconds, states,
                   wall, extra)  # fmt: skip


def _report(learners, epochs, workers, cold, warmup_seconds, seconds, states, wall, extra) -> dict:
    ok = [s for s in seconds if s is not None]
    half = learners // 2
    return {
        "learners": learners,
        "identical": half,
        "distinct": learners - half,
        "epochs": epochs,
        "workers": workers,
        "cold_start": cold,
        "warmup_seconds": round(warmup_seconds, 2),
        "median_seconds": round(statistics.median(ok), 2) if ok else None,
        "worst_seconds": round(max(ok), 2) if ok else None,
        "best_seconds": round(min(ok), 2) if ok else None,
        "wall_seconds": round(wall, 2),
        "failures": learners - len(ok),
        "states": {s: states.count(s) for s in sorted(set(states))},
        **extra,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--cold", action="store_true", help="time the workers' start-up too")
    parser.add_argument("--learners", type=int, default=LEARNERS)
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="PostgreSQL with two dropout-lab worker processes (procrastinate)",
    )
    args = parser.parse_args(argv)
    if args.postgres:
        report = run_bench_postgres(args.learners, args.epochs)
    else:
        report = run_bench(args.learners, args.epochs, cold=args.cold)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(
            f"{report['learners']} simultaneous requests ({report['identical']} identical, "
            f"{report['distinct']} distinct seeds), lesson model, {report['epochs']} epochs, "
            f"{report['workers']} workers{' (cold start)' if report['cold_start'] else ''}:\n"
            f"  time to result: median {report['median_seconds']} s, "
            f"worst {report['worst_seconds']} s (best {report['best_seconds']} s)\n"
            f"  failures: {report['failures']}   states: {report['states']}\n"
            f"  backend: {report['backend']}"
        )
    return 1 if report["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
