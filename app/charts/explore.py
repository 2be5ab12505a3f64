"""The Explore step's server-side pictures: the variants gallery (Read's figures too), drawn from
`lesson/explore.py`'s masks. The live view (ui/explore_component) draws the layer, the batch,
the expectation and the network in the browser. Pure: data in, `go.Figure` (or a `Panel`) out."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from dropout_lab.charts import panels as pn
from dropout_lab.lesson import explore

Panel = dict  # {"data": [trace dicts], "layout": layout dict}: a figure not yet built


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


# --------------------------------------------------------------------------- the variants


def variant_panels(s: explore.Settings) -> dict[str, Panel]:
    """One small picture per dropout variant, all driven by the same rate and seed."""
    v = explore.variants(s)
    titles = explore.content()["variants"]["titles"]
    return {
        "standard": small_map(v.standard, titles["standard"], mask=True),
        "spatial": spatial_map(v.spatial, titles["spatial"]),
        "dropconnect": small_map(v.dropconnect, titles["dropconnect"], mask=True),
        "dropblock": small_map(v.dropblock, titles["dropblock"], mask=True),
        "variational": small_map(v.variational, titles["variational"], mask=True),
        "alpha": histogram_panel(
            v.selu_like,
            v.alpha,
            titles["alpha"].format(mean=f"{v.alpha.mean():+.2f}", std=f"{v.alpha.std():.2f}"),
            (titles["alpha_before"], titles["alpha_after"]),
        ),
    }


def variant_figures(s: explore.Settings) -> dict[str, go.Figure]:
    """The variant panels as separate figures (the Read step shows them one by one)."""
    return {name: panel_figure(panel) for name, panel in variant_panels(s).items()}


def variant_gallery(s: explore.Settings) -> list[tuple[go.Figure, list[str]]]:
    """The variants as two gallery rows of three: (figure, the variant names in it)."""
    panels = variant_panels(s)
    names = list(panels)
    return [(gallery_figure([panels[n] for n in row]), row) for row in (names[:3], names[3:])]
