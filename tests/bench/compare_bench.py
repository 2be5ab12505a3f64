"""The Compare page's server-side render time with its results precomputed (goal: < 1 s).

`run_compare_bench()` makes sure the precomputed runs are in the store (`$DROPOUT_LAB_DATA_DIR`,
or the default; training what is missing, which it reports), then runs the app's real page
script under Streamlit's AppTest in this process, as a server does for a learner: the first
visit of a session, then reruns (e.g. a widget change). AppTest adds its own overhead (it
serialises every element), so these are upper bounds of the server's script time; the browser's
drawing of the charts comes on top.
"""

from __future__ import annotations

import os
import statistics
import time

from dropout_lab.charts import run_colours
from dropout_lab.lesson import catalogue


def run_compare_bench(reruns: int = 10) -> dict:
    os.environ.setdefault("DROPOUT_LAB_PRECOMPUTE", "0")  # nothing else trains while we time
    os.environ.setdefault("DROPOUT_LAB_PREDICTIONS", "off")  # the sweep drawn, not its question
    from streamlit.testing.v1 import AppTest

    from dropout_lab.charts.curves import Curve, curves_figure
    from dropout_lab.charts.sweep import rate_figure, sweep_figure
    from dropout_lab.findings.sweep import summary_rows, sweep_histories
    from dropout_lab.training import precompute
    from dropout_lab.training.runstore import RunStore
    from dropout_lab.training.service import TrainingService
    from tests.support.harness import MAIN

    figures: dict = {}
    store = RunStore()
    t0 = time.perf_counter()
    with TrainingService(store) as service:
        counts = precompute.warm(service)
    figures["store"] = str(store.root)
    figures["runs_trained_first"] = counts["computed"]
    figures["warm_seconds"] = round(time.perf_counter() - t0, 2)

    t0 = time.perf_counter()
    loaded = precompute.load(store)
    figures["load_ms"] = round((time.perf_counter() - t0) * 1000, 1)
    t0 = time.perf_counter()
    sweep = sweep_histories(loaded)
    pair = [Curve(n, loaded[n], run_colours.COLOURS[n])
            for n in (catalogue.NO_DROPOUT, catalogue.DROPOUT)]  # fmt: skip
    curves_figure(pair).to_plotly_json()
    sweep_figure(sweep).to_plotly_json()
    rate_figure(summary_rows(sweep)).to_plotly_json()
    figures["figures_ms"] = round((time.perf_counter() - t0) * 1000, 1)

    def visit() -> tuple[AppTest, float]:
        at = AppTest.from_file(str(MAIN), default_timeout=60).run()
        start = time.perf_counter()
        at.switch_page("steps/compare.py").run()
        if at.exception:
            raise RuntimeError(f"the Compare page failed: {at.exception}")
        return at, (time.perf_counter() - start) * 1000

    _, figures["first_visit_cold_process_ms"] = visit()  # imports, caches
    at, first = visit()
    figures["first_visit_ms"] = round(first, 1)
    times = []
    for _ in range(reruns):
        start = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - start) * 1000)
    figures["first_visit_cold_process_ms"] = round(figures["first_visit_cold_process_ms"], 1)
    figures["rerun_ms_median"] = round(statistics.median(times), 1)
    figures["rerun_ms_max"] = round(max(times), 1)
    figures["goal_ms"] = 1000
    return figures


if __name__ == "__main__":
    import json

    print(json.dumps(run_compare_bench(), indent=2))
