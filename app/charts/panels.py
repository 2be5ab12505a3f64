"""The one panel helper every figure is built on: palette, themes, titles, axes, legend, geometry.

Colours follow the Okabe-Ito palette (safe for the common colour-vision deficiencies); the
value maps run from white to orange (one hue, so lightness carries the value). A figure's
background, grid and text colours come from `THEMES`, chosen by each builder's `theme`
argument ("light" or "dark"). Pure: no Streamlit, no TensorFlow.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import plotly.graph_objects as go

# Okabe-Ito
BLUE = "#0072B2"
ORANGE = "#E69F00"
SKY = "#56B4E9"
GREEN = "#009E73"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
GREY = "#BBBBBB"
INK = "#222222"  # the light theme's text; as a line colour it means "the theme's foreground"

# The colours figures draw lines and markers in (GREY only fills: dropped cells, histograms).
LINE_COLOURS = (BLUE, ORANGE, SKY, GREEN, VERMILLION, PURPLE)
# One colour per run when the caller names none; training solid, validation dashed.
MODEL_COLOURS = (BLUE, VERMILLION, GREEN, PURPLE, ORANGE, SKY, INK)

# Light to Okabe-Ito orange: dark value labels stay readable on every cell, and values never
# look like the blue/grey of a keep mask.
VALUE_SCALE = [[0.0, "#FFFFFF"], [1.0, ORANGE]]
MASK_SCALE = [[0.0, GREY], [0.5, GREY], [0.5, BLUE], [1.0, BLUE]]
FONT = {"family": "Inter, Segoe UI, Helvetica, Arial, sans-serif", "size": 13}


class Theme(NamedTuple):
    """The colours a figure takes from its surroundings."""

    background: str
    grid: str
    text: str  # also the foreground lines drawn in INK (reference lines, outlines)
    zeroline: str


# Dark follows Streamlit's dark theme (background #0E1117, text #FAFAFA).
THEMES = {
    "light": Theme(background="#FFFFFF", grid="#eee", text=INK, zeroline="#999"),
    "dark": Theme(background="#0E1117", grid="#2B2F3A", text="#FAFAFA", zeroline="#808495"),
}


def theme_of(name: str) -> Theme:
    """The colours of theme `name` ("light" or "dark")."""
    try:
        return THEMES[name]
    except KeyError:
        raise ValueError(f"theme must be one of {sorted(THEMES)}, got {name!r}") from None


def foreground(colour: str, theme: str) -> str:
    """`colour`, except INK, which becomes the theme's text colour (it must show on dark too)."""
    return theme_of(theme).text if colour == INK else colour


def make_figure(traces: list[dict], layout: dict) -> go.Figure:
    """A figure without plotly's per-property validation, which costs ~8x the build time here.

    Dropout Lab's unit tests validate every figure once, so a typo still fails loudly.
    """
    return go.Figure({"data": traces, "layout": layout}, _validate=False)


def base_layout(height: int, theme: str = "light", **extra) -> dict:
    """The layout every figure starts from: size, margins, font and the theme's background."""
    colours = theme_of(theme)
    layout = {
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 50, "b": 10},
        "font": {**FONT, "color": colours.text},
        "plot_bgcolor": colours.background,
        "paper_bgcolor": colours.background,
    }
    layout.update(extra)
    return layout


def axis(title: str | None = None, theme: str = "light", **extra) -> dict:
    """An axis with the theme's grid and, if given, a label."""
    out: dict = {} if title is None else {"title": {"text": title}}
    out["gridcolor"] = theme_of(theme).grid
    out.update(extra)
    return out


def legend(y: float, x: float | None = 0, **extra) -> dict:
    """The shared legend: one horizontal row below (y < 0) or above (y > 1) the panels."""
    out: dict = {"orientation": "h", "y": y}
    if x is not None:
        out["x"] = x
    out.update(extra)
    return out


def title(text: str, dom: Sequence[float], y: float = 1.09, size: int | None = 13) -> dict:
    """A bold panel title centred over the horizontal domain `dom`."""
    note = {"text": f"<b>{text}</b>", "x": sum(dom) / 2, "y": y, "xref": "paper",
            "yref": "paper", "showarrow": False}  # fmt: skip
    if size is not None:
        note["font"] = {"size": size}
    return note


# --------------------------------------------------------------------------- subplot geometry


def domains(n: int, gap: float = 0.06) -> list[list[float]]:
    """`n` equal panel domains across [0, 1], `gap` apart."""
    width = (1.0 - gap * (n - 1)) / n
    return [[i * (width + gap), i * (width + gap) + width] for i in range(n)]


def suffix(k: int) -> str:
    """Plotly's name suffix of the k-th axis pair (1-based): "", "2", "3", ..."""
    return "" if k == 1 else str(k)


def on_panel(k: int) -> dict:
    """What puts a trace on panel k."""
    s = suffix(k)
    return {"xaxis": f"x{s}", "yaxis": f"y{s}"}


def place(
    layout: dict,
    axes: Sequence[tuple[dict, dict]],
    doms: Sequence[Sequence[float]],
    *,
    along: str = "x",
) -> None:
    """Put panel k's (x axis, y axis) into `layout` as its k-th axis pair, anchored to each other,
    on domain k along `along` ("x": side by side, "y": stacked). A y axis that has a
    `scaleanchor` is scaled to its own panel's x axis."""
    for k, ((x, y), dom) in enumerate(zip(axes, doms, strict=True), start=1):
        s = suffix(k)
        x, y = {**x, "anchor": f"y{s}"}, {**y, "anchor": f"x{s}"}
        (x if along == "x" else y)["domain"] = list(dom)
        if "scaleanchor" in y:
            y["scaleanchor"] = f"x{s}"
        layout[f"xaxis{s}"], layout[f"yaxis{s}"] = x, y


def side_by_side(
    layout: dict,
    axes: Sequence[tuple[dict, dict]],
    *,
    gap: float,
    titles: Sequence[str] = (),
    title_y: float = 1.09,
    title_size: int | None = 13,
) -> list[list[float]]:
    """Panels in one row: their axes placed `gap` apart and their titles above; the domains."""
    doms = domains(len(axes), gap=gap)
    place(layout, axes, doms)
    if titles:
        notes = [title(t, d, title_y, title_size) for t, d in zip(titles, doms, strict=True)]
        layout["annotations"] = layout.get("annotations", []) + notes
    return doms
