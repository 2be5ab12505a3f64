"""Plotly figure builders. Pure: data in, `go.Figure` out; no Streamlit, no TensorFlow.

Colours follow the Okabe-Ito palette (safe for the common colour-vision deficiencies); the
value maps run from white to orange (one hue, so lightness carries the value).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

# Okabe-Ito
BLUE = "#0072B2"
ORANGE = "#E69F00"
SKY = "#56B4E9"
GREEN = "#009E73"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
GREY = "#BBBBBB"
INK = "#222222"

# Light to Okabe-Ito orange: dark value labels stay readable on every cell, and values never
# look like the blue/grey of a keep mask.
VALUE_SCALE = [[0.0, "#FFFFFF"], [1.0, ORANGE]]
MASK_SCALE = [[0.0, GREY], [0.5, GREY], [0.5, BLUE], [1.0, BLUE]]
FONT = {"family": "Inter, Segoe UI, Helvetica, Arial, sans-serif", "size": 13, "color": INK}


def make_figure(traces: list[dict], layout: dict) -> go.Figure:
    """A figure without plotly's per-property validation, which costs ~8x the build time here.

    The unit tests validate every figure once, so a typo still fails loudly.
    """
    return go.Figure({"data": traces, "layout": layout}, _validate=False)


def base_layout(height: int, **extra) -> dict:
    layout = {
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 50, "b": 10},
        "font": FONT,
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
    }
    layout.update(extra)
    return layout


def domains(n: int, gap: float = 0.06) -> list[list[float]]:
    width = (1.0 - gap * (n - 1)) / n
    return [[i * (width + gap), i * (width + gap) + width] for i in range(n)]


def _grid(values: np.ndarray) -> np.ndarray:
    side = int(np.sqrt(values.size))
    return values.reshape(side, side) if side * side == values.size else values.reshape(1, -1)


def _hidden_axis(domain: list[float], anchor: str, reverse: bool = False) -> dict:
    axis = {
        "domain": domain,
        "anchor": anchor,
        "showticklabels": False,
        "showgrid": False,
        "zeroline": False,
        "constrain": "domain",
    }
    if reverse:
        axis["autorange"] = "reversed"
    return axis


def layer_figure(
    activations: np.ndarray, keep: np.ndarray, output: np.ndarray, *, rate: float, mode: str
) -> go.Figure:
    """Three panels: the layer's activations, the keep/drop mask over it, and the output."""
    a, m, o = _grid(activations), _grid(keep.astype(float)), _grid(output)
    vmax = float(max(a.max(), o.max(), 1e-9))
    cells = a.size
    text_a = np.vectorize(lambda v: f"{v:.1f}")(a)
    text_o = np.vectorize(lambda v: f"{v:.1f}")(o)
    text_m = np.where(m > 0.5, "", "✕")
    doms = domains(3)
    hover = "unit (%{y}, %{x})<br>%{customdata}<extra></extra>"
    traces = [
        dict(
            type="heatmap",
            z=a,
            text=text_a,
            texttemplate="%{text}",
            colorscale=VALUE_SCALE,
            zmin=0,
            zmax=vmax,
            showscale=False,
            xaxis="x",
            yaxis="y",
            customdata=text_a,
            hovertemplate=hover,
            xgap=2,
            ygap=2,
        ),
        dict(
            type="heatmap",
            z=m,
            text=text_m,
            texttemplate="%{text}",
            colorscale=MASK_SCALE,
            zmin=0,
            zmax=1,
            showscale=False,
            xaxis="x2",
            yaxis="y2",
            textfont={"size": 14, "color": INK},
            customdata=np.where(m > 0.5, "kept", "dropped"),
            hovertemplate=hover,
            xgap=2,
            ygap=2,
        ),
        dict(
            type="heatmap",
            z=o,
            text=text_o,
            texttemplate="%{text}",
            colorscale=VALUE_SCALE,
            zmin=0,
            zmax=vmax,
            colorbar={"title": {"text": "value"}, "thickness": 12, "len": 0.9},
            xaxis="x3",
            yaxis="y3",
            customdata=text_o,
            hovertemplate=hover,
            xgap=2,
            ygap=2,
        ),
    ]
    out_title = "Output at inference" if mode == "inference" else "Output during training"
    titles = [f"Activations ({cells} units)", "Keep mask (blue kept, ✕ dropped)", out_title]
    layout = base_layout(330, showlegend=False)
    for i, (dom, title) in enumerate(zip(doms, titles, strict=True), start=1):
        sx = "" if i == 1 else str(i)
        layout[f"xaxis{sx}"] = _hidden_axis(dom, f"y{sx}")
        layout[f"yaxis{sx}"] = _hidden_axis([0, 1], f"x{sx}", reverse=True)
        layout[f"yaxis{sx}"]["scaleanchor"] = f"x{sx}"
        layout.setdefault("annotations", []).append(
            {
                "text": f"<b>{title}</b>",
                "x": sum(dom) / 2,
                "y": 1.08,
                "xref": "paper",
                "yref": "paper",
                "showarrow": False,
                "font": {"size": 13},
            }
        )
    return make_figure(traces, layout)


def convergence_figure(
    original: np.ndarray, average: np.ndarray, ks: np.ndarray, errors: np.ndarray, n_masks: int
) -> go.Figure:
    """Left: average of K outputs against the original per unit. Right: mean error against K."""
    units = np.arange(1, original.size + 1)
    doms = domains(2, gap=0.1)
    traces = [
        dict(
            type="bar",
            x=units,
            y=original,
            name="expected output E[y]",
            marker_color=GREY,
            xaxis="x",
            yaxis="y",
        ),
        dict(
            type="scatter",
            x=units,
            y=average,
            name=f"average of {n_masks:,} masks",
            mode="markers",
            marker={"color": BLUE, "size": 7, "symbol": "diamond"},
            xaxis="x",
            yaxis="y",
        ),
        dict(
            type="scatter",
            x=ks,
            y=errors,
            name="mean |average − expected|",
            mode="lines+markers",
            line={"color": VERMILLION},
            marker={"size": 4},
            xaxis="x2",
            yaxis="y2",
        ),
        dict(
            type="scatter",
            x=ks,
            y=errors[0] / np.sqrt(ks),
            name="1/√K reference",
            mode="lines",
            line={"color": INK, "dash": "dot", "width": 1},
            xaxis="x2",
            yaxis="y2",
        ),
    ]
    layout = base_layout(
        340,
        legend={"orientation": "h", "y": -0.2, "x": 0},
        margin={"l": 50, "r": 10, "t": 40, "b": 90},
        xaxis={"domain": doms[0], "title": {"text": "unit"}, "anchor": "y"},
        yaxis={"title": {"text": "value"}, "anchor": "x", "gridcolor": "#eee"},
        xaxis2={
            "domain": doms[1],
            "title": {"text": "number of masks K (log)"},
            "type": "log",
            "anchor": "y2",
        },
        yaxis2={
            "title": {"text": "mean absolute error (log)"},
            "type": "log",
            "anchor": "x2",
            "gridcolor": "#eee",
        },
        annotations=[
            {
                "text": "<b>Average over masks vs expectation</b>",
                "x": sum(doms[0]) / 2,
                "y": 1.1,
                "xref": "paper",
                "yref": "paper",
                "showarrow": False,
            },
            {
                "text": "<b>Error shrinks as K grows</b>",
                "x": sum(doms[1]) / 2,
                "y": 1.1,
                "xref": "paper",
                "yref": "paper",
                "showarrow": False,
            },
        ],
    )
    return make_figure(traces, layout)


def network_layout(layer_sizes: Sequence[int], shown: int) -> list[np.ndarray]:
    """Unit indices to draw per layer: all of a small layer, an even subsample of a big one."""
    return [
        np.arange(n) if n <= shown else np.linspace(0, n - 1, shown).round().astype(int)
        for n in layer_sizes
    ]


def network_figure(
    layer_sizes: Sequence[int],
    layer_names: Sequence[str],
    keeps: Sequence[np.ndarray | None],
    shown: int = 12,
) -> go.Figure:
    """The model as columns of units; units dropped by the sampled masks are greyed out.

    `keeps[i]` is the keep mask of layer i over all its units, or None when it has no dropout.
    """
    picks = network_layout(layer_sizes, shown)
    xs, ys, alive = [], [], []
    for col, (idx, keep) in enumerate(zip(picks, keeps, strict=True)):
        offset = (shown - len(idx)) / 2
        for row, unit in enumerate(idx):
            xs.append(col)
            ys.append(row + offset)
            alive.append(True if keep is None else bool(keep[unit]))
    # Edges between kept units as one polyline broken by NaN: a numpy array reaches the browser
    # as compact binary, where a list of ~3,000 Python floats costs milliseconds to copy.
    segments = []
    start = 0
    for col in range(len(picks) - 1):
        n_a, n_b = len(picks[col]), len(picks[col + 1])
        a, b = np.meshgrid(np.arange(n_a) + start, np.arange(n_b) + start + n_a, indexing="ij")
        a, b = a.ravel(), b.ravel()
        both = np.asarray(alive)[a] & np.asarray(alive)[b]
        segments.append((a[both], b[both]))
        start += n_a
    a = np.concatenate([seg[0] for seg in segments])
    b = np.concatenate([seg[1] for seg in segments])
    xs_arr, ys_arr = np.asarray(xs, float), np.asarray(ys, float)
    nan = np.full(a.size, np.nan)
    edge_x = np.column_stack([xs_arr[a], xs_arr[b], nan]).ravel()
    edge_y = np.column_stack([ys_arr[a], ys_arr[b], nan]).ravel()
    alive_arr = np.array(alive)
    traces = [
        dict(
            type="scatter",
            x=edge_x,
            y=edge_y,
            mode="lines",
            hoverinfo="skip",
            showlegend=False,
            line={"color": "rgba(0,114,178,0.18)", "width": 1},
        ),
        dict(
            type="scatter",
            x=np.array(xs)[alive_arr],
            y=np.array(ys)[alive_arr],
            mode="markers",
            name="active unit",
            marker={"size": 14, "color": BLUE, "line": {"color": INK, "width": 1}},
        ),
        dict(
            type="scatter",
            x=np.array(xs)[~alive_arr],
            y=np.array(ys)[~alive_arr],
            mode="markers",
            name="dropped unit",
            marker={
                "size": 14,
                "color": "#E8E8E8",
                "symbol": "circle-x",
                "line": {"color": "#9A9A9A", "width": 1.5},
            },
        ),
    ]
    labels = [f"{name}<br>{n} units" for name, n in zip(layer_names, layer_sizes, strict=True)]
    layout = base_layout(
        380,
        margin={"l": 10, "r": 10, "t": 20, "b": 60},
        legend={"orientation": "h", "y": 1.06, "x": 0},
        xaxis={
            "tickvals": list(range(len(labels))),
            "ticktext": labels,
            "showgrid": False,
            "zeroline": False,
        },
        yaxis={"visible": False},
    )
    return make_figure(traces, layout)


Panel = dict  # {"data": [trace dicts], "layout": layout dict}: a figure not yet built


def small_map(z: np.ndarray, title: str, *, mask: bool = False, zmin=None, zmax=None) -> Panel:
    """One compact heatmap panel for the variants gallery."""
    trace = {
        "type": "heatmap", "z": z, "colorscale": MASK_SCALE if mask else VALUE_SCALE,
        "showscale": False, "xgap": 1, "ygap": 1, "zmin": 0 if mask else zmin,
        "zmax": 1 if mask else zmax, "hovertemplate": "(%{y}, %{x}): %{z:.2f}<extra></extra>",
    }  # fmt: skip
    layout = base_layout(
        230,
        margin={"l": 5, "r": 5, "t": 35, "b": 5},
        title={"text": title, "font": {"size": 13}, "x": 0.5},
        xaxis={"visible": False, "constrain": "domain"},
        yaxis={"visible": False, "autorange": "reversed", "scaleanchor": "x"},
    )
    return {"data": [trace], "layout": layout}


def spatial_map(maps: np.ndarray, title: str) -> Panel:
    """Feature maps (C×H×W) laid side by side with a gap column between them."""
    c, h, w = maps.shape
    canvas = np.full((h, c * (w + 1) - 1), np.nan)
    for i in range(c):
        canvas[:, i * (w + 1) : i * (w + 1) + w] = maps[i]
    return small_map(canvas, title, zmin=0, zmax=float(np.nanmax(maps)) or 1.0)


def histogram_panel(
    before: np.ndarray, after: np.ndarray, title: str, names: tuple[str, str], bins: int = 40
) -> Panel:
    """Two overlaid distributions, binned here so only 2×`bins` numbers go to the browser."""
    edges = np.histogram_bin_edges(np.concatenate([before, after]), bins=bins)
    centres, width = (edges[:-1] + edges[1:]) / 2, float(edges[1] - edges[0])
    traces = [
        {"type": "bar", "x": centres, "y": np.histogram(values, edges)[0], "name": name,
         "width": width, "marker": {"color": colour}, "opacity": opacity}
        for values, name, colour, opacity in ((before, names[0], GREY, 0.75),
                                              (after, names[1], BLUE, 0.6))
    ]  # fmt: skip
    layout = base_layout(
        230,
        barmode="overlay",
        margin={"l": 5, "r": 5, "t": 35, "b": 5},
        title={"text": title, "font": {"size": 13}, "x": 0.5},
        legend={"orientation": "h", "y": -0.1, "font": {"size": 11}},
        yaxis={"visible": False},
    )
    return {"data": traces, "layout": layout}


def panel_figure(panel: Panel) -> go.Figure:
    return make_figure(panel["data"], panel["layout"])


def gallery_figure(panels: Sequence[Panel], gap: float = 0.05) -> go.Figure:
    """Small panels side by side in one figure (one chart to send, not several)."""
    doms = domains(len(panels), gap=gap)
    traces: list[dict] = []
    layout = base_layout(
        250,
        margin={"l": 5, "r": 5, "t": 40, "b": 5},
        showlegend=False,
        barmode="overlay",
        annotations=[],
    )
    for k, (panel, dom) in enumerate(zip(panels, doms, strict=True), start=1):
        sx = "" if k == 1 else str(k)
        for trace in panel["data"]:
            traces.append({**trace, "xaxis": f"x{sx}", "yaxis": f"y{sx}"})
        src = panel["layout"]
        xaxis = {**src.get("xaxis", {}), "domain": dom, "anchor": f"y{sx}"}
        yaxis = {**src.get("yaxis", {}), "anchor": f"x{sx}"}
        if "scaleanchor" in yaxis:
            yaxis["scaleanchor"] = f"x{sx}"
        layout[f"xaxis{sx}"], layout[f"yaxis{sx}"] = xaxis, yaxis
        layout["annotations"].append(
            {"text": f"<b>{src.get('title', {}).get('text', '')}</b>", "x": sum(dom) / 2,
             "y": 1.1, "xref": "paper", "yref": "paper", "showarrow": False,
             "font": {"size": 12}}
        )  # fmt: skip
    return make_figure(traces, layout)


# One colour per model across every curve chart; training solid, validation dashed.
MODEL_COLOURS = (BLUE, VERMILLION, GREEN, PURPLE, ORANGE, SKY, INK)


def curves_figure(
    runs: Sequence[tuple[str, dict[str, list[float]]]],
    *,
    epochs_total: int | None = None,
    height: int = 380,
) -> go.Figure:
    """Loss and accuracy per epoch, side by side, for several runs.

    `runs` is (label, history) with history keys loss, accuracy, val_loss, val_accuracy. The
    epoch of minimum validation loss is marked on each run's validation-loss curve.
    """
    doms = domains(2, gap=0.1)
    traces: list[dict] = []
    for i, (label, history) in enumerate(runs):
        colour = MODEL_COLOURS[i % len(MODEL_COLOURS)]
        for panel, metric in (("", "loss"), ("2", "accuracy")):
            for split, dash in (("", "solid"), ("val_", "dash")):
                values = history.get(split + metric, [])
                traces.append({
                    "type": "scatter", "mode": "lines", "x": list(range(1, len(values) + 1)),
                    "y": values, "name": f"{label}: {'validation' if split else 'training'}",
                    "legendgroup": label, "showlegend": panel == "",
                    "line": {"color": colour, "dash": dash, "width": 2.2 if split else 1.8},
                    "xaxis": f"x{panel}", "yaxis": f"y{panel}",
                    "hovertemplate": f"{label}<br>epoch %{{x}}<br>{split}{metric} %{{y:.4f}}"
                    "<extra></extra>",
                })  # fmt: skip
        val_loss = history.get("val_loss", [])
        if val_loss:
            best = int(np.argmin(val_loss))
            traces.append({
                "type": "scatter", "mode": "markers", "x": [best + 1], "y": [val_loss[best]],
                "name": f"{label}: lowest validation loss", "legendgroup": label,
                "showlegend": False, "marker": {"color": colour, "size": 11, "symbol": "star",
                                                "line": {"color": INK, "width": 1}},
                "hovertemplate": f"{label}: lowest validation loss<br>epoch %{{x}}, %{{y:.4f}}"
                "<extra></extra>",
            })  # fmt: skip
    x_range = [0.5, epochs_total + 0.5] if epochs_total else None
    axis_x = {"title": {"text": "epoch"}, "gridcolor": "#eee", "range": x_range}
    layout = base_layout(
        height,
        margin={"l": 60, "r": 10, "t": 40, "b": 50},
        legend={"orientation": "h", "y": -0.22, "x": 0},
        xaxis={**axis_x, "domain": doms[0], "anchor": "y"},
        yaxis={"title": {"text": "loss (binary cross-entropy)"}, "gridcolor": "#eee",
               "anchor": "x", "rangemode": "tozero"},
        xaxis2={**axis_x, "domain": doms[1], "anchor": "y2"},
        yaxis2={"title": {"text": "accuracy"}, "gridcolor": "#eee", "anchor": "x2"},
        annotations=[
            {"text": "<b>Loss</b> (solid: training, dashed: validation, ★ lowest validation)",
             "x": sum(doms[0]) / 2, "y": 1.08, "xref": "paper", "yref": "paper",
             "showarrow": False},
            {"text": "<b>Accuracy</b>", "x": sum(doms[1]) / 2, "y": 1.08, "xref": "paper",
             "yref": "paper", "showarrow": False},
        ],
    )  # fmt: skip
    return make_figure(traces, layout)


def scatter_by_label(
    x: np.ndarray, y: np.ndarray, labels: np.ndarray, x_name: str, y_name: str
) -> go.Figure:
    """Two features of the data, one marker colour and shape per class."""
    traces = []
    for value, name, colour, symbol in ((0, "benign", BLUE, "circle"),
                                        (1, "malicious", VERMILLION, "x")):  # fmt: skip
        sel = labels == value
        traces.append({
            "type": "scattergl", "mode": "markers", "x": x[sel], "y": y[sel], "name": name,
            "marker": {"color": colour, "symbol": symbol, "size": 6, "opacity": 0.7},
        })  # fmt: skip
    layout = base_layout(
        340, margin={"l": 60, "r": 10, "t": 20, "b": 50},
        xaxis={"title": {"text": x_name}, "gridcolor": "#eee"},
        yaxis={"title": {"text": y_name}, "gridcolor": "#eee"},
        legend={"orientation": "h", "y": 1.08, "x": 0},
    )  # fmt: skip
    return make_figure(traces, layout)
