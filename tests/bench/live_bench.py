"""Live class benchmark (issue 27): 200 simulated learners answer one live question within ten
seconds; how long from a vote to its count on the projector, and what it costs.

The learners are threads of this process using the store directly (no browser, no WebSocket):
each waits a random moment in the ten seconds, asks `open_round` once a second as a learner's
page does (the fragment's query), and votes. The projector is a thread that reads `live_view`
every second, as the projector page's fragment does: a vote's latency runs from its commit to
the first projector read that counts it (the page's drawing, a few ms, is not included). The
database is DROPOUT_LAB_DATABASE_URL (e.g. PostgreSQL) or a fresh SQLite file; the projector
reads the database, not this process's memory, so the figures hold across app processes.
CPU: this process's (the store's work for 200 learners and the projector) while it lasts.

    python tests/bench/live_bench.py [--json]
    dropout-lab bench --only live [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from dropout_lab.store import Store
from dropout_lab.store.live import LiveQueries
from dropout_lab.store.schema import ENV_URL
from tests.support import wait

LEARNERS = 200
WINDOW = 10.0  # seconds in which every learner answers
POLL = 1.0  # the learner's page and the projector ask once a second


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def _learner(store: LiveQueries, learner_id: int, at: float, committed: list,
             stop: threading.Event):  # fmt: skip
    """Poll the open round once a second (as the page does) until `at`, then vote."""
    polls = 0
    while not stop.is_set():
        got = store.open_round(learner_id)
        polls += 1
        if got is not None and time.time() >= at:
            store.vote(learner_id, got.round_id, random.choice("012"))
            committed.append(time.time())
            return polls
        wait.pause(min(POLL, max(0.0, at - time.time())) or POLL)
    return polls


def _projector(store: LiveQueries, sid: int, seen: list, stop: threading.Event) -> None:
    while not stop.is_set():
        t0 = time.time()
        view = store.live_view(sid)
        seen.append((time.time(), view.rounds[0].answered if view and view.rounds else 0))
        wait.pause(max(0.0, POLL - (time.time() - t0)))


def run_live_bench(url: str | None = None) -> dict:
    url = url or os.environ.get(ENV_URL) or f"sqlite:///{tempfile.mkdtemp()}/live.sqlite3"
    store = Store(url)
    code = f"B{random.randrange(10**6)}"
    people = [store.join(f"learner {i}", code) for i in range(LEARNERS)]
    live = LiveQueries(url)  # the live class's repository, on the same engine
    sid = live.start_live(code)
    live.ask(sid, "prediction:explore-scale")
    live.advance(sid, "asked", "vote1")
    committed: list[float] = []
    seen: list[tuple[float, int]] = []
    stop = threading.Event()
    start = time.time()
    moments = [start + random.uniform(0, WINDOW) for _ in people]
    cpu0, wall0 = os.times(), time.perf_counter()
    screen = threading.Thread(target=_projector, args=(live, sid, seen, stop))
    screen.start()
    threads = [threading.Thread(target=_learner, args=(live, p.id, at, committed, stop))
               for p, at in zip(people, moments, strict=True)]  # fmt: skip
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done = time.time()
    while not seen or seen[-1][1] < len(committed):  # the projector's read that counts the last
        wait.pause(0.05)
    stop.set()
    screen.join()
    cpu1, wall = os.times(), time.perf_counter() - wall0
    committed.sort()
    latency = []
    for k, t in enumerate(committed, start=1):  # the k-th vote counted: a read showing >= k
        shown = next(ts for ts, n in seen if n >= k and ts >= t)
        latency.append(shown - t)
    cpu = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
    live.end_live(sid)
    store.close()
    return {
        "backend": url.split(":", 1)[0],
        "learners": LEARNERS,
        "votes_counted": store_count(url, sid),
        "answer_window_seconds": round(done - start, 2),
        "vote_to_projector_median_seconds": round(statistics.median(latency), 3),
        "vote_to_projector_p95_seconds": round(p95(latency), 3),
        "goal_p95_seconds": 2.0,
        "cpu_seconds": round(cpu, 2),
        "cpu_share_of_one_core": round(cpu / wall, 3),
        "cpu_ms_per_learner_second": round(1000 * cpu / (LEARNERS * wall), 3),
    }


def store_count(url: str, sid: int) -> int:
    s = LiveQueries(url)
    try:
        view = s.live_view(sid)
        return view.rounds[0].answered if view and view.rounds else 0
    finally:
        s.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true")
    figures = run_live_bench()
    if parser.parse_args().json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()
