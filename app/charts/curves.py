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
    with open ones), the ★ of its lowest validation loss, and its generalisation gap (its last
    value, the headline of the figure, is written right of the panel: `_gap_labels`). Each panel
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
    return traces


LABEL_PX = 18  # a gap label's height in pixels: two labels closer than this are moved apart
LABELS_RIGHT = 52  # the right margin the gap labels are written in, in pixels


def _apart(values: Sequence[float], step: float, top: float) -> list[float]:
    """`values` moved as little as possible so that no two are closer than `step`, none above
    `top` unless they cannot all fit below it (in the values' order)."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    placed = [values[i] for i in order]
    for k in range(1, len(placed)):
        placed[k] = max(placed[k], placed[k - 1] + step)
    if placed and placed[-1] > top:
        placed[-1] = top
        for k in range(len(placed) - 2, -1, -1):
            placed[k] = min(placed[k], placed[k + 1] - step)
    out = [0.0] * len(values)
    for i, y in zip(order, placed, strict=True):
        out[i] = y
    return out


def _gap_labels(lasts: Sequence[tuple[str, float, str]], x_end: float, span: tuple[float, float],
                plot_px: float) -> list[dict]:  # fmt: skip
    """Each run's last gap, the overfit in a number, written in the margin right of the gap
    panel (no line is drawn there, so none runs through it), level with the run's last gap or
    moved just enough to keep the labels apart."""
    low, high = span
    extent = (high - low) * 1.1 or 1.0  # Plotly's autorange pads the data by about 5% a side
    ys = _apart([v for _, v, _ in lasts], LABEL_PX / max(plot_px, 1.0) * extent, high)
    return [{
        "type": "scatter", "mode": "text", "x": [x_end], "y": [y], "text": [f"{value:.2f}"],
        "textposition": "middle right", "cliponaxis": False,
        "textfont": {"color": colour, "size": 13}, "name": f"{label}: last gap",
        "legendgroup": label, "showlegend": False, "xaxis": "x3", "yaxis": "y3",
        "hovertemplate": f"{label}: last gap {value:.3f}<extra></extra>",
    } for (label, value, colour), y in zip(lasts, ys, strict=True)]  # fmt: skip


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
    lasts, all_gaps = [], [0.0]
    for i, (label, history, colour) in enumerate(runs):
        shown = foreground(colour or MODEL_COLOURS[i % len(MODEL_COLOURS)], theme)
        traces += _run_traces(label, history, shown, ink, symbol_of(i))
        if history.get("loss"):
            gaps = gap(history)
            lasts.append((label, gaps[-1], shown))
            all_gaps += gaps
    longest = max((len(h.get("loss", [])) for _, h, _ in runs), default=0)
    x_end = (epochs_total or longest) + 0.5
    x_range = [0.5, x_end] if epochs_total or longest else None  # the labels are right of it
    axis_x = axis("epoch", theme, range=x_range)
    margin = {"l": 55, "r": LABELS_RIGHT, "t": 45 if title is None else 95, "b": 50}
    plot_px = height - margin["t"] - margin["b"]
    traces += _gap_labels(lasts, x_end, (min(all_gaps), max(all_gaps)), plot_px)
    layout = base_layout(height, theme, margin=margin, legend=legend(-0.2), hovermode="closest")
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
