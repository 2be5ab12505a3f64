"""The Compare step's rate-sweep figures: curves per rate over seeds, and the end of training
against the rate. Pure: histories and summary rows in, `go.Figure` out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

from dropout_lab.charts import panels as pn
from dropout_lab.findings.sweep import band

# Rates are ordered: a sequential, colour-blind-safe scale (viridis, its pale end cut off), one
# per theme, each colour at least 3:1 against the theme's background with viridis' hue kept:
# on white the light end is mixed with black, on dark the dark end with white.
RATE_THEMES = {
    "light": {0.0: "#440154", 0.1: "#414487", 0.2: "#2A788E", 0.3: "#21A17F",
              0.5: "#5D9F3E", 0.8: "#A2900A"},
    "dark": {0.0: "#82558C", 0.1: "#5E6099", 0.2: "#2A788E", 0.3: "#22A884",
             0.5: "#7AD151", 0.8: "#B8A40B"},
}  # fmt: skip
RATE_COLOURS = RATE_THEMES["light"]
MARGIN = {"l": 55, "r": 10, "t": 45, "b": 50}


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def rate_colour(rate: float, theme: str = "light") -> str:
    """The colour of `rate`'s lines on `theme` (the theme's text colour for a rate not in the
    table)."""
    fallback = pn.foreground(pn.INK, theme)  # also refuses an unknown theme
    return RATE_THEMES[theme].get(rate, fallback)


def sweep_parts(
    sweep: dict[float, list[dict]], *, height: int = 400, theme: str = "light"
) -> pn.Parts:
    """The sweep figure's traces and layout: per rate a colour, a dash and a marker."""
    traces: list[dict] = []
    for i, (rate, histories) in enumerate(sorted(sweep.items())):
        colour = rate_colour(rate, theme)
        label = f"rate {rate:g}"
        for k, metric in ((1, "val_loss"), (2, "val_accuracy")):
            b = band(histories, metric)
            epochs = list(range(1, len(b.mean) + 1))
            traces.append({
                "type": "scatter", "mode": "lines", "x": epochs + epochs[::-1],
                "y": list(b.hi) + list(b.lo[::-1]), "fill": "toself",
                "fillcolor": _rgba(colour, 0.18), "line": {"width": 0}, "hoverinfo": "skip",
                "name": f"{label}: spread", "legendgroup": label, "showlegend": False,
                **pn.on_panel(k),
            })  # fmt: skip
            traces.append({
                "type": "scatter", "mode": "lines+markers", "x": epochs, "y": list(b.mean),
                "name": f"{label} ({b.n} seeds)", "legendgroup": label,
                "line": {"color": colour, "width": 2.2, "dash": pn.dash_of(i)},
                "marker": {"color": colour, "symbol": pn.symbol_of(i), "size": 7,
                           "maxdisplayed": 10},
                **pn.on_panel(k),
                "hovertemplate": f"{label}<br>epoch %{{x}}<br>mean {metric} %{{y:.3f}}"
                "<extra></extra>",
            })  # fmt: skip
    layout = pn.base_layout(height, theme, margin={**MARGIN}, legend=pn.legend(-0.2))
    axis_x = pn.axis("epoch", theme)
    axes = [
        (axis_x, pn.axis("validation loss", theme, rangemode="tozero")),
        ({**axis_x, "matches": "x"}, pn.axis("validation accuracy", theme)),
    ]
    titles = ["Validation loss (mean and spread over seeds)", "Validation accuracy"]
    pn.side_by_side(layout, axes, gap=0.1, titles=titles)
    return pn.Parts(traces, layout)


def sweep_figure(
    sweep: dict[float, list[dict]], *, height: int = 400, theme: str = "light"
) -> go.Figure:
    """Validation loss and validation accuracy per epoch for each rate: the mean over seeds as a
    line, the lowest-to-highest seed as a band."""
    return pn.join(sweep_parts(sweep, height=height, theme=theme))


def rate_parts(
    rows: Sequence[dict[str, Any]], *, height: int = 360, theme: str = "light"
) -> pn.Parts:
    """The rate figure's traces and layout."""
    rates = [r["rate"] for r in rows]
    loss, blue = pn.foreground(pn.VERMILLION, theme), pn.foreground(pn.BLUE, theme)
    traces = [
        {"type": "scatter", "mode": "lines+markers", "x": rates,
         "y": [r["final_val_loss"] for r in rows], "name": "final validation loss",
         "error_y": {"type": "data", "array": [r["final_val_loss_sd"] for r in rows],
                     "visible": True, "color": loss},
         "line": {"color": loss, "width": 2.4}, "marker": {"size": 9, "symbol": "square"},
         **pn.on_panel(1),
         "hovertemplate": "rate %{x}<br>final validation loss %{y:.3f}<extra></extra>"},
        {"type": "scatter", "mode": "lines+markers", "x": rates,
         "y": [1 - r["final_accuracy"] for r in rows], "name": "training error",
         "line": {"color": blue, "width": 1.8}, "marker": {"size": 8, "symbol": "circle"},
         **pn.on_panel(2),
         "hovertemplate": "rate %{x}<br>training error %{y:.3f}<extra></extra>"},
        {"type": "scatter", "mode": "lines+markers", "x": rates,
         "y": [1 - r["final_val_accuracy"] for r in rows], "name": "validation error",
         "error_y": {"type": "data", "array": [r["final_val_accuracy_sd"] for r in rows],
                     "visible": True, "color": blue},
         "line": {"color": blue, "width": 2.4, "dash": "dash"},
         "marker": {"size": 9, "symbol": "diamond-open"}, **pn.on_panel(2),
         "hovertemplate": "rate %{x}<br>validation error %{y:.3f}<extra></extra>"},
    ]  # fmt: skip
    layout = pn.base_layout(height, theme, margin={**MARGIN}, legend=pn.legend(-0.25))
    # Ticks at the rates shown only: a lesson file may show fewer rates than RATES.
    axis_x = pn.axis("dropout rate", theme, range=[-0.05, max(rates, default=0.8) + 0.05],
                     tickvals=rates, ticktext=[f"{r:g}" for r in rates])  # fmt: skip
    axes = [
        (axis_x, pn.axis("validation loss after the last epoch", theme, rangemode="tozero")),
        (axis_x, pn.axis("error (1 − accuracy), last epoch", theme, rangemode="tozero")),
    ]
    titles = ["Final validation loss", "Training and validation error"]
    pn.side_by_side(layout, axes, gap=0.1, titles=titles)
    return pn.Parts(traces, layout)


def rate_figure(
    rows: Sequence[dict[str, Any]], *, height: int = 360, theme: str = "light"
) -> go.Figure:
    """The end of training against the rate. Left: final validation loss (mean ± sd over seeds).
    Right: training and validation error (1 − accuracy), where an overfit shows as the distance
    between the two (what the runs show is said in lessons/claims.toml, from the runs)."""
    return pn.join(rate_parts(rows, height=height, theme=theme))
