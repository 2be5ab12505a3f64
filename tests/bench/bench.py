"""`dropout-lab bench`: measured figures, printed. Needs the test extra (Playwright) and Chromium.

explore:  seconds from starting the server to the first page served and shown; the server-side
          time of an Explore fragment rerun after a slider move (goal: median ≤ 30 ms); the
          browser round trip of the same moves (the browser runs at the lowest CPU priority,
          standing in for a learner's own machine); whether TensorFlow is loaded in the server
          process after the overview, Explore and Read (read from /proc/<pid>/maps).
training: the training engine against plain `model.fit` (see tests/bench/training_bench.py).
compare:  server-side render time of the Compare page with its results stored (compare_bench).
grading:  the NumPy lab's sandboxed grader: a correct submission, and one that loops forever.
reflect:  Monte Carlo dropout, T passes on one packet and on the validation set (engine/mc.py).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from dropout_lab.cli import BENCH_SECTIONS as SECTIONS
from dropout_lab.ui.timing import ENV, parse_timings
from tests.support.harness import launch_chromium, running_server, wait_until_idle

SLIDER_MOVES = 30


def _tensorflow_loaded(pid: int) -> bool:
    maps = Path(f"/proc/{pid}/maps")
    if not maps.exists():  # not Linux: fall back to "unknown" as False is a claim we can't make
        raise RuntimeError("reading a process's loaded libraries needs Linux /proc")
    return "tensorflow" in maps.read_text()


def explore_bench() -> dict:
    from playwright.sync_api import expect, sync_playwright

    figures: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "server.log"
        env = {ENV: "1", "DROPOUT_LAB_DATA_DIR": tmp, "DROPOUT_LAB_PRECOMPUTE": "0"}
        with running_server(log, env=env) as server:
            figures["server_healthy_seconds"] = round(server.startup_seconds, 3)
            with sync_playwright() as p:
                browser = launch_chromium(p, niceness=19)
                page = browser.new_page(viewport={"width": 1366, "height": 900})
                start = time.perf_counter()
                page.goto(server.url)
                page.locator("h1").first.wait_for()
                figures["first_page_seconds"] = round(
                    server.startup_seconds + time.perf_counter() - start, 3
                )
                figures["tensorflow_loaded_after_overview"] = _tensorflow_loaded(server.process.pid)

                page.goto(f"{server.url}/explore?rate=0.3")
                wait_until_idle(page)
                scale = page.locator('[data-testid="stMetricValue"]').first
                slider = page.get_by_role("slider").first
                slider.focus()
                round_trips = []
                for i in range(SLIDER_MOVES):
                    before = scale.inner_text()
                    t0 = time.perf_counter()
                    page.keyboard.press("ArrowRight" if (i // 8) % 2 == 0 else "ArrowLeft")
                    expect(scale).not_to_have_text(before, timeout=30_000)
                    round_trips.append(time.perf_counter() - t0)
                page.wait_for_timeout(500)
                figures["tensorflow_loaded_after_explore"] = _tensorflow_loaded(server.process.pid)
                page.goto(f"{server.url}/read")
                wait_until_idle(page)
                figures["tensorflow_loaded_after_read"] = _tensorflow_loaded(server.process.pid)
                browser.close()
            reruns = parse_timings(server.log(), "explore.fragment")[1:]  # [0]: first render
            cpu = parse_timings(server.log(), "explore.fragment.cpu")[1:]
    figures["slider_moves"] = len(reruns)
    figures["explore_rerun_ms_median"] = round(statistics.median(reruns), 2)
    figures["explore_rerun_ms_p90"] = round(statistics.quantiles(reruns, n=10)[-1], 2)
    figures["explore_rerun_cpu_ms_median"] = round(statistics.median(cpu), 2)
    figures["load_average_1min"] = round(os.getloadavg()[0], 2)
    figures["browser_round_trip_ms_median"] = round(statistics.median(round_trips) * 1000, 1)
    return figures


def run_benchmarks(only: list[str] | None = None) -> dict:
    sections = only or list(SECTIONS)
    results = {}
    if "explore" in sections:
        results["explore"] = explore_bench()
    if "training" in sections:
        from tests.bench.training_bench import run_training_bench

        results["training"] = run_training_bench()
    if "compare" in sections:
        from tests.bench.compare_bench import run_compare_bench

        results["compare"] = run_compare_bench()
    if "reflect" in sections:
        from tests.bench.reflect_bench import run_reflect_bench

        results["reflect"] = run_reflect_bench()
    if "grading" in sections:
        from tests.bench.grading_bench import run_grading_bench

        results["grading"] = run_grading_bench()
    return results
