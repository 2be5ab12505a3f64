"""The instructor dashboard's figure: every submitted run of a class, validation accuracy against
its (mean) dropout rate. Pure: the store's sweep rows in, `go.Figure` out."""

from __future__ import annotations

import plotly.graph_objects as go

from dropout_lab.charts import panels as pn

ACCURACY_PAD = 0.05  # around the runs' accuracies, inside [0, 1]
ACCURACY_SPAN = 0.2  # the least span of the accuracy axis (one run alone is not a range)


def accuracy_range(values: list[float]) -> list[float]:
    """An accuracy axis's range: the values with a margin, never outside [0, 1]."""
    if not values:
        return [0.0, 1.0]
    lo, hi = min(values) - ACCURACY_PAD, max(values) + ACCURACY_PAD
    if hi - lo < ACCURACY_SPAN:
        mid = (lo + hi) / 2
        lo, hi = mid - ACCURACY_SPAN / 2, mid + ACCURACY_SPAN / 2
    lo, hi = max(0.0, lo), min(1.0, hi)
    if hi - lo < ACCURACY_SPAN - 1e-9:  # pushed against 0 or 1: keep the span inside
        lo, hi = (0.0, ACCURACY_SPAN) if lo == 0.0 else (1.0 - ACCURACY_SPAN, 1.0)
    return [lo, hi]


def class_sweep_figure(
    sweep: list[dict], *, named: bool = True, height: int = 420, theme: str = "light"
) -> go.Figure:
    """One marker per submitted run that has a validation accuracy, named by its learner
    (`named=False`, the projector's: no name anywhere, hover included)."""
    points = [r for r in sweep if r.get("val_accuracy") is not None]
    who = "%{text}<br>" if named else ""
    trace = {
        "type": "scatter", "mode": "markers", "name": "runs",
        "x": [r["mean_rate"] for r in points], "y": [r["val_accuracy"] for r in points],
        "marker": {"size": 11, "opacity": 0.85, "color": pn.foreground(pn.GREEN, theme),
                   "line": {"width": 1, "color": pn.foreground(pn.INK, theme)}},
        "customdata": [[r.get("val_loss"), " ".join(f"{x:g}" for x in r.get("rates", []))]
                       for r in points],
        "hovertemplate": who + "rate %{x:.2f} (%{customdata[1]})<br>"
        "val accuracy %{y:.3f}<br>val loss %{customdata[0]:.3f}<extra></extra>",
    }  # fmt: skip
    if named:
        trace["text"] = [r["name"] for r in points]
    layout = pn.base_layout(
        height,
        theme,
        margin={"l": 60, "r": 20, "t": 30, "b": 50},
        xaxis=pn.axis("mean dropout rate of the model", theme,
                      range=[-0.05, 0.95]),
        yaxis=pn.axis("validation accuracy (final epoch)", theme,
                      range=accuracy_range([r["val_accuracy"] for r in points])),
        showlegend=False,
    )  # fmt: skip
    return pn.make_figure([trace], layout)
