"""`dropout-lab bench --only reflect`: Monte Carlo dropout timings on the lesson model."""

from __future__ import annotations

import statistics
import time
from typing import Any

from dropout_lab.charts.mc import uncertainty_figure
from dropout_lab.findings.mc_stats import set_stats
from dropout_lab.training.mc import deterministic_predict, mc_predict


def _median_seconds(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(statistics.median(times))


def run_reflect_bench(passes: int = 100, repeats: int = 7, whole_set_repeats: int = 3) -> dict:
    """Median warm seconds of MC dropout on the lesson's Dropout(0.3) model (initial weights:
    the arithmetic is the same as a trained model's): `passes` passes of one packet (goal under
    0.2 s), of the whole validation set, and the statistics and figures on top."""
    from dropout_lab.lesson.spec import lesson_spec
    from dropout_lab.lesson.traffic import load_lesson_data
    from dropout_lab.training.models import build_model

    data = load_lesson_data(0)
    model = build_model(lesson_spec(0.3), 0)
    packet = data.x_val[:1]
    mc_predict(model, packet, passes, 0)  # warm: first calls build the layers' kernels
    mc_predict(model, data.x_val, passes, 0)

    one = _median_seconds(lambda: mc_predict(model, packet, passes, 1), repeats)
    whole = _median_seconds(lambda: mc_predict(model, data.x_val, passes, 1), whole_set_repeats)
    probs = mc_predict(model, data.x_val, passes, 1)
    det = deterministic_predict(model, data.x_val)
    stats_s = _median_seconds(lambda: set_stats(probs, det, data.y_val), repeats)
    stats = set_stats(probs, det, data.y_val)
    fig_s = _median_seconds(lambda: uncertainty_figure(stats).to_plotly_json(), repeats)
    return {
        "passes": passes,
        "packet_seconds": one,
        "packet_goal_seconds": 0.2,
        "packet_goal_met": one < 0.2,
        "whole_set_connections": int(data.x_val.shape[0]),
        "whole_set_seconds": whole,
        "whole_set_stats_seconds": stats_s,
        "whole_set_figure_seconds": fig_s,
        "repeats": repeats,
    }


def bench_summary(result: dict[str, Any]) -> str:
    """One line per figure, for `dropout-lab bench`."""
    return (
        f"MC dropout, T={result['passes']}: one packet {result['packet_seconds'] * 1000:.1f} ms "
        f"(goal < {result['packet_goal_seconds'] * 1000:.0f} ms), whole validation set "
        f"({result['whole_set_connections']:,}) {result['whole_set_seconds']:.3f} s"
    )
