"""The Explore step's figures: one layer's mask and output, the expectation, the network, the
variants gallery. Pure: data in, `go.Figure` (or a `Panel` not yet built) out."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from dropout_lab.charts import panels as pn

Panel = dict  # {"data": [trace dicts], "layout": layout dict}: a figure not yet built


def _grid(values: np.ndarray) -> np.ndarray:
    side = int(np.sqrt(values.size))
    return values.reshape(side, side) if side * side == values.size else values.reshape(1, -1)


def _hidden_axes() -> tuple[dict, dict]:
    """A heatmap panel's axes: no ticks, no grid, square cells, row 0 on top."""
    x = {"showticklabels": False, "showgrid": False, "zeroline": False, "constrain": "domain"}
    return x, {**x, "domain": [0, 1], "autorange": "reversed", "scaleanchor": True}


def _heatmap(z: np.ndarray, text: np.ndarray, k: int, **extra) -> dict:
    return dict(type="heatmap", z=z, text=text, texttemplate="%{text}", showscale=False,
                hovertemplate="unit (%{y}, %{x})<br>%{customdata}<extra></extra>", xgap=2,
                ygap=2, **pn.on_panel(k), **extra)  # fmt: skip


def layer_figure(
    activations: np.ndarray,
    keep: np.ndarray,
    output: np.ndarray,
    *,
    rate: float,
    mode: str,
    theme: str = "light",
) -> go.Figure:
    """Three panels: the layer's activations, the keep/drop mask over it, and the output."""
    a, m, o = _grid(activations), _grid(keep.astype(float)), _grid(output)
    vmax = float(max(a.max(), o.max(), 1e-9))
    text_a = np.vectorize(lambda v: f"{v:.1f}")(a)
    text_o = np.vectorize(lambda v: f"{v:.1f}")(o)
    text_m = np.where(m > 0.5, "", "✕")
    values = {"colorscale": pn.value_scale(theme), "zmin": 0, "zmax": vmax}
    mask = {"colorscale": pn.MASK_SCALE, "zmin": 0, "zmax": 1,
            "textfont": {"size": 14, "color": pn.INK}}  # fmt: skip
    colorbar = {"title": {"text": "value"}, "thickness": 12, "len": 0.9}
    traces = [
        _heatmap(a, text_a, 1, customdata=text_a, **values),
        _heatmap(m, text_m, 2, customdata=np.where(m > 0.5, "kept", "dropped"), **mask),
        _heatmap(o, text_o, 3, customdata=text_o, colorbar=colorbar, **values),
    ]
    traces[2].pop("showscale")  # the output panel carries the one colour bar
    out_title = "Output at inference" if mode == "inference" else "Output during training"
    titles = [f"Activations ({a.size} units)", "Keep mask (blue kept, ✕ dropped)", out_title]
    layout = pn.base_layout(330, theme, showlegend=False)
    pn.side_by_side(layout, [_hidden_axes()] * 3, gap=0.06, titles=titles, title_y=1.08)
    return pn.make_figure(traces, layout)


def convergence_figure(
    original: np.ndarray,
    average: np.ndarray,
    ks: np.ndarray,
    errors: np.ndarray,
    n_masks: int,
    theme: str = "light",
) -> go.Figure:
    """Left: average of K outputs against the original per unit. Right: mean error against K."""
    units = np.arange(1, original.size + 1)
    blue, vermillion = pn.foreground(pn.BLUE, theme), pn.foreground(pn.VERMILLION, theme)
    traces = [
        dict(type="bar", x=units, y=original, name="expected output E[y]",
             marker_color=pn.foreground(pn.GREY, theme), **pn.on_panel(1)),
        dict(type="scatter", x=units, y=average, name=f"average of {n_masks:,} masks",
             mode="markers", marker={"color": blue, "size": 7, "symbol": "diamond"},
             **pn.on_panel(1)),
        dict(type="scatter", x=ks, y=errors, name="mean |average − expected|",
             mode="lines+markers", line={"color": vermillion}, marker={"size": 4},
             **pn.on_panel(2)),
        dict(type="scatter", x=ks, y=errors[0] / np.sqrt(ks), name="1/√K reference",
             mode="lines", line={"color": pn.foreground(pn.INK, theme), "dash": "dot", "width": 1},
             **pn.on_panel(2)),
    ]  # fmt: skip
    layout = pn.base_layout(
        340, theme, legend=pn.legend(-0.2), margin={"l": 50, "r": 10, "t": 40, "b": 90}
    )
    grid = pn.theme_of(theme).grid
    axes = [
        ({"title": {"text": "unit"}}, {"title": {"text": "value"}, "gridcolor": grid}),
        ({"title": {"text": "number of masks K (log)"}, "type": "log"},
         {"title": {"text": "mean absolute error (log)"}, "type": "log", "gridcolor": grid}),
    ]  # fmt: skip
    titles = ["Average over masks vs expectation", "Error shrinks as K grows"]
    pn.side_by_side(layout, axes, gap=0.1, titles=titles, title_y=1.1, title_size=None)
    return pn.make_figure(traces, layout)


def network_layout(layer_sizes: Sequence[int], shown: int) -> list[np.ndarray]:
    """Unit indices to draw per layer: all of a small layer, an even subsample of a big one."""
    return [
        np.arange(n) if n <= shown else np.linspace(0, n - 1, shown).round().astype(int)
        for n in layer_sizes
    ]


def _edges(
    picks: list[np.ndarray], xs: np.ndarray, ys: np.ndarray, alive: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Edges between kept units of neighbouring layers as one polyline broken by NaN: a numpy
    array reaches the browser as compact binary, where a list of ~3,000 Python floats costs
    milliseconds to copy."""
    segments = []
    start = 0
    for col in range(len(picks) - 1):
        n_a, n_b = len(picks[col]), len(picks[col + 1])
        a, b = np.meshgrid(np.arange(n_a) + start, np.arange(n_b) + start + n_a, indexing="ij")
        a, b = a.ravel(), b.ravel()
        both = alive[a] & alive[b]
        segments.append((a[both], b[both]))
        start += n_a
    a = np.concatenate([seg[0] for seg in segments])
    b = np.concatenate([seg[1] for seg in segments])
    nan = np.full(a.size, np.nan)
    return (np.column_stack([xs[a], xs[b], nan]).ravel(),
            np.column_stack([ys[a], ys[b], nan]).ravel())  # fmt: skip


def network_figure(
    layer_sizes: Sequence[int],
    layer_names: Sequence[str],
    keeps: Sequence[np.ndarray | None],
    shown: int = 12,
    theme: str = "light",
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
    alive_arr = np.array(alive)
    edge_x, edge_y = _edges(picks, np.asarray(xs, float), np.asarray(ys, float), alive_arr)
    outline = {"color": pn.foreground(pn.INK, theme), "width": 1}
    traces = [
        dict(type="scatter", x=edge_x, y=edge_y, mode="lines", hoverinfo="skip",
             showlegend=False, line={"color": "rgba(0,114,178,0.18)", "width": 1}),
        dict(type="scatter", x=np.array(xs)[alive_arr], y=np.array(ys)[alive_arr],
             mode="markers", name="active unit",
             marker={"size": 14, "color": pn.BLUE, "line": outline}),
        dict(type="scatter", x=np.array(xs)[~alive_arr], y=np.array(ys)[~alive_arr],
             mode="markers", name="dropped unit",
             marker={"size": 14, "color": "#E8E8E8", "symbol": "circle-x",
                     "line": {"color": "#767676", "width": 1.5}}),
    ]  # fmt: skip
    labels = [f"{name}<br>{n} units" for name, n in zip(layer_names, layer_sizes, strict=True)]
    layout = pn.base_layout(
        380,
        theme,
        margin={"l": 10, "r": 10, "t": 20, "b": 60},
        legend=pn.legend(1.06),
        xaxis={"tickvals": list(range(len(labels))), "ticktext": labels, "showgrid": False,
               "zeroline": False},
        yaxis={"visible": False},
    )  # fmt: skip
    return pn.make_figure(traces, layout)


# --------------------------------------------------------------------------- variants gallery


def small_map(
    z: np.ndarray, title: str, *, mask: bool = False, zmin=None, zmax=None, theme: str = "light"
) -> Panel:
    """One compact heatmap panel for the variants gallery."""
    trace = {
        "type": "heatmap", "z": z, "colorscale": pn.MASK_SCALE if mask else pn.value_scale(theme),
        "showscale": False, "xgap": 1, "ygap": 1, "zmin": 0 if mask else zmin,
        "zmax": 1 if mask else zmax, "hovertemplate": "(%{y}, %{x}): %{z:.2f}<extra></extra>",
    }  # fmt: skip
    layout = pn.base_layout(
        230,
        theme,
        margin={"l": 5, "r": 5, "t": 35, "b": 5},
        title={"text": title, "font": {"size": 13}, "x": 0.5, "xanchor": "center"},
        xaxis={"visible": False, "constrain": "domain"},
        yaxis={"visible": False, "autorange": "reversed", "scaleanchor": "x"},
    )
    return {"data": [trace], "layout": layout}


def spatial_map(maps: np.ndarray, title: str, theme: str = "light") -> Panel:
    """Feature maps (C×H×W) laid side by side with a gap column between them."""
    c, h, w = maps.shape
    canvas = np.full((h, c * (w + 1) - 1), np.nan)
    for i in range(c):
        canvas[:, i * (w + 1) : i * (w + 1) + w] = maps[i]
    return small_map(canvas, title, zmin=0, zmax=float(np.nanmax(maps)) or 1.0, theme=theme)


def histogram_panel(
    before: np.ndarray,
    after: np.ndarray,
    title: str,
    names: tuple[str, str],
    bins: int = 40,
    theme: str = "light",
) -> Panel:
    """Two overlaid distributions, binned here so only 2×`bins` numbers go to the browser."""
    edges = np.histogram_bin_edges(np.concatenate([before, after]), bins=bins)
    centres, width = (edges[:-1] + edges[1:]) / 2, float(edges[1] - edges[0])
    traces = [
        {"type": "bar", "x": centres, "y": np.histogram(values, edges)[0], "name": name,
         "width": width, "marker": {"color": pn.foreground(colour, theme)}, "opacity": opacity}
        for values, name, colour, opacity in ((before, names[0], pn.GREY, 0.75),
                                              (after, names[1], pn.BLUE, 0.6))
    ]  # fmt: skip
    layout = pn.base_layout(
        230,
        theme,
        barmode="overlay",
        margin={"l": 5, "r": 5, "t": 35, "b": 5},
        title={"text": title, "font": {"size": 13}, "x": 0.5, "xanchor": "center"},
        legend=pn.legend(-0.1, x=None, font={"size": 11}),
        yaxis={"visible": False},
    )
    return {"data": traces, "layout": layout}


def panel_figure(panel: Panel) -> go.Figure:
    """One panel as a figure of its own (its theme is the one it was made with)."""
    return pn.make_figure(panel["data"], panel["layout"])


def gallery_figure(panels: Sequence[Panel], gap: float = 0.05, theme: str = "light") -> go.Figure:
    """Small panels side by side in one figure (one chart to send, not several)."""
    traces: list[dict] = []
    layout = pn.base_layout(
        250, theme, margin={"l": 5, "r": 5, "t": 40, "b": 5}, showlegend=False, barmode="overlay"
    )
    for k, panel in enumerate(panels, start=1):
        traces += [{**trace, **pn.on_panel(k)} for trace in panel["data"]]
    axes = [(p["layout"].get("xaxis", {}), p["layout"].get("yaxis", {})) for p in panels]
    titles = [p["layout"].get("title", {}).get("text", "") for p in panels]
    pn.side_by_side(layout, axes, gap=gap, titles=titles, title_y=1.1, title_size=12)
    return pn.make_figure(traces, layout)
