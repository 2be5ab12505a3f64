"""The one training-curves figure: the Build step's live runs, the Compare step's models, and the
exported script and notebook (which carry a copy of this code, see `charts/standalone.py`).

Names are imported one by one (not `panels as pn`) so that the copy can be made of the
definitions alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import plotly.graph_objects as go

from dropout_lab.charts.panels import (
    INK,
    MODEL_COLOURS,
    axis,
    base_layout,
    foreground,
    legend,
    make_figure,
    side_by_side,
    theme_of,
)
from dropout_lab.training.sweep import best_epoch, gap


class Curve(NamedTuple):
    """One run on the curves figure; `colour` None takes the next of MODEL_COLOURS."""

    label: str
    history: dict[str, list[float]]
    colour: str | None = None


def _run_traces(label: str, history: dict[str, list[float]], colour: str, ink: str) -> list[dict]:
    """One run's lines: loss and accuracy (training solid, validation dashed), the ★ of its
    lowest validation loss, and its generalisation gap."""
    n = len(history.get("loss", []))
    epochs = list(range(1, n + 1))
    traces = []
    for axis_id, metric in (("", "loss"), ("2", "accuracy")):
        for split, dash, width in (("", "solid", 1.8), ("val_", "dash", 2.4)):
            name = "validation" if split else "training"
            traces.append({
                "type": "scatter", "mode": "lines", "x": epochs,
                "y": history.get(split + metric, []), "name": f"{label}: {name}",
                "legendgroup": label, "showlegend": axis_id == "",
                "line": {"color": colour, "dash": dash, "width": width},
                "xaxis": f"x{axis_id}", "yaxis": f"y{axis_id}",
                "hovertemplate": f"{label}<br>epoch %{{x}}<br>{name} {metric} %{{y:.3f}}"
                "<extra></extra>",
            })  # fmt: skip
    if n:
        best = best_epoch(history)
        traces.append({
            "type": "scatter", "mode": "markers", "x": [best],
            "y": [history["val_loss"][best - 1]], "name": f"{label}: lowest validation loss",
            "legendgroup": label, "showlegend": False, "xaxis": "x", "yaxis": "y",
            "marker": {"color": colour, "size": 13, "symbol": "star",
                       "line": {"color": ink, "width": 1}},
            "hovertemplate": f"{label}: lowest validation loss<br>epoch %{{x}}, "
            "%{y:.3f}<extra></extra>",
        })  # fmt: skip
        traces.append({
            "type": "scatter", "mode": "lines", "x": epochs, "y": gap(history),
            "name": f"{label}: gap", "legendgroup": label, "showlegend": False,
            "line": {"color": colour, "width": 2.4}, "xaxis": "x3", "yaxis": "y3",
            "hovertemplate": f"{label}<br>epoch %{{x}}<br>validation − training loss "
            "%{y:.3f}<extra></extra>",
        })  # fmt: skip
    return traces


def curves_figure(
    runs: Sequence[Curve],
    *,
    epochs_total: int | None = None,
    height: int = 400,
    title: str | None = None,
    theme: str = "light",
) -> go.Figure:
    """Three panels sharing the epoch axis: loss, accuracy, and the generalisation gap.

    Training solid, validation dashed, one colour per model; a ★ marks each model's lowest
    validation loss. Clicking a model in the legend hides it in every panel.
    """
    ink = foreground(INK, theme)
    traces: list[dict] = []
    for i, (label, history, colour) in enumerate(runs):
        shown = foreground(colour or MODEL_COLOURS[i % len(MODEL_COLOURS)], theme)
        traces += _run_traces(label, history, shown, ink)
    x_range = [0.5, epochs_total + 0.5] if epochs_total else None
    axis_x = axis("epoch", theme, range=x_range)
    layout = base_layout(
        height,
        theme,
        margin={"l": 55, "r": 10, "t": 45 if title is None else 95, "b": 50},
        legend=legend(-0.2),
        hovermode="closest",
    )
    if title is not None:
        layout["title"] = {"text": title}
    axes = [
        (axis_x, axis("loss (cross-entropy)", theme, rangemode="tozero")),
        ({**axis_x, "matches": "x"}, axis("accuracy", theme)),
        ({**axis_x, "matches": "x"}, axis("validation − training loss", theme, zeroline=True,
                                          zerolinecolor=theme_of(theme).zeroline)),
    ]  # fmt: skip
    side_by_side(layout, axes, gap=0.08, titles=["Loss", "Accuracy", "Generalisation gap"])
    return make_figure(traces, layout)
