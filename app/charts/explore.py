"""Read's pictures of the dropout variants, drawn from `lesson/variants.py`'s table and its NumPy
reference. Explore's live view (ui/explore_component) draws the same variants, and every other
picture of the step, in the browser. Pure: data in, `go.Figure` (or a `Panel`) out."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from dropout_lab.charts import panels as pn
from dropout_lab.lesson import explore, variants

Panel = dict  # {"data": [trace dicts], "layout": layout dict}: a figure not yet built


# --------------------------------------------------------------------------- panels


def small_map(
    z: np.ndarray, title: str, *, mask: bool = False, zmin=None, zmax=None, theme: str = "light"
) -> Panel:
    """One compact heatmap panel: a variant's mask or values."""
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


# --------------------------------------------------------------------------- the variants


def variant_panels(s: explore.Settings) -> dict[str, Panel]:
    """One small picture per variant of `lesson/variants.py`'s table, at the same rate and seed."""
    drawn = variants.reference(s.rate, s.seed)
    titles = explore.content()["variants"]["titles"]
    panels = {}
    for v in variants.TABLE:
        out, title = drawn[v.name], titles[v.name]
        if v.rule == "spatial":
            panels[v.name] = spatial_map(out["values"], title)
        elif v.rule == "time":
            gap = np.full((len(out["per_step"]), 1), np.nan)
            panels[v.name] = small_map(np.hstack([out["per_step"], gap, out["locked"]]), title,
                                       mask=True)  # fmt: skip
        elif v.rule == "alpha":
            after = out["after"]
            title = title.format(mean=f"{after.mean():+.2f}", std=f"{after.std():.2f}")
            names = (titles["alpha_before"], titles["alpha_after"])
            panels[v.name] = histogram_panel(out["before"], after, title, names, bins=v.bins)
        else:
            panels[v.name] = small_map(out["keep"].astype(float), title, mask=True)
    return panels


def variant_figures(s: explore.Settings) -> dict[str, go.Figure]:
    """The variant panels as separate figures (the Read step shows them one by one)."""
    return {name: panel_figure(panel) for name, panel in variant_panels(s).items()}
