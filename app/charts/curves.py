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
    Parts,
    axis,
    base_layout,
    foreground,
    join,
    legend,
    side_by_side,
    symbol_of,
    theme_of,
)
from dropout_lab.findings.sweep import best_epoch, gap


class Curve(NamedTuple):
    """One run on the curves figure; `colour` None takes the next of MODEL_COLOURS."""

    label: str
    history: dict[str, list[float]]
    colour: str | None = None


MARKERS_SHOWN = 10  # markers per line (evenly spread): a run's shape, not a dot per epoch


def _line(colour: str, symbol: str, dash: str, width: float) -> dict:
    return {"line": {"color": colour, "dash": dash, "width": width},
            "marker": {"color": colour, "symbol": symbol, "size": 7,
                       "maxdisplayed": MARKERS_SHOWN}}  # fmt: skip


def _run_traces(
    label: str, history: dict[str, list[float]], colour: str, ink: str, symbol: str
) -> list[dict]:
    """One run's lines: loss and accuracy (training solid with filled markers, validation dashed
    with open ones), the ★ of its lowest validation loss, and its generalisation gap with its
    last value written at the end of the line (the headline of the figure). Each panel
    names the run in its own legend; `join` keeps one entry per run."""
    n = len(history.get("loss", []))
    epochs = list(range(1, n + 1))
    traces = []
    for axis_id, metric in (("", "loss"), ("2", "accuracy")):
        for split, dash, width, shape in (("", "solid", 1.8, symbol),
                                          ("val_", "dash", 2.4, f"{symbol}-open")):  # fmt: skip
            name = "validation" if split else "training"
            traces.append({
                "type": "scatter", "mode": "lines+markers", "x": epochs,
                "y": history.get(split + metric, []), "name": f"{label}: {name}",
                "legendgroup": label, **_line(colour, shape, dash, width),
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
        gaps = gap(history)
        traces.append({
            "type": "scatter", "mode": "lines+markers", "x": epochs, "y": gaps,
            "name": f"{label}: gap", "legendgroup": label, **_line(colour, symbol, "solid", 2.4),
            "xaxis": "x3", "yaxis": "y3",
            "hovertemplate": f"{label}<br>epoch %{{x}}<br>validation − training loss "
            "%{y:.3f}<extra></extra>",
        })  # fmt: skip
        traces.append({  # the last epoch's gap, written at the line's end: the overfit in a number
            "type": "scatter", "mode": "text", "x": [n], "y": [gaps[-1]],
            "text": [f"{gaps[-1]:.2f}"], "textposition": "top left",
            "textfont": {"color": colour, "size": 13}, "name": f"{label}: last gap",
            "legendgroup": label, "showlegend": False, "xaxis": "x3", "yaxis": "y3",
            "hovertemplate": f"{label}: gap at epoch %{{x}}, %{{y:.3f}}<extra></extra>",
        })  # fmt: skip
    return traces


def curves_parts(
    runs: Sequence[Curve],
    *,
    epochs_total: int | None = None,
    height: int = 400,
    title: str | None = None,
    theme: str = "light",
) -> Parts:
    """The curves figure's traces and layout (`curves_figure` joins them; `panels.split` makes
    one figure per panel)."""
    ink = foreground(INK, theme)
    traces: list[dict] = []
    for i, (label, history, colour) in enumerate(runs):
        shown = foreground(colour or MODEL_COLOURS[i % len(MODEL_COLOURS)], theme)
        traces += _run_traces(label, history, shown, ink, symbol_of(i))
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
    return Parts(traces, layout)


def curves_figure(
    runs: Sequence[Curve],
    *,
    epochs_total: int | None = None,
    height: int = 400,
    title: str | None = None,
    theme: str = "light",
) -> go.Figure:
    """Three panels sharing the epoch axis: loss, accuracy, and the generalisation gap.

    Training solid, validation dashed, one colour and one marker per model; a ★ marks each
    model's lowest validation loss. Clicking a model in the legend hides it in every panel.
    """
    parts = curves_parts(runs, epochs_total=epochs_total, height=height, title=title, theme=theme)
    return join(parts)
