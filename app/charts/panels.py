"""The one panel helper every figure is built on: palette, themes, titles, axes, legend, geometry.

Colours follow the Okabe-Ito palette (safe for the common colour-vision deficiencies). A figure
names a colour by its Okabe-Ito constant; `foreground(colour, theme)` gives the shade drawn on
that theme's background: the same hue, darkened or lightened just enough for 3:1 (WCAG 2.2's
non-text contrast), so the hue order stays and every line stands out. Colour is never the
only cue: each model and each rate also has its own marker and dash (`MODEL_SYMBOLS`,
`symbol_of`, `dash_of`). A figure's background, grid and text come from `THEMES`, chosen by
each builder's `theme` argument ("light" or "dark"). Pure: no Streamlit, no TensorFlow.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import plotly.graph_objects as go

from dropout_lab.charts.modebar import clear_of_modebar

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
# One colour, one meaning, on every page: what a run is decides its colour, never its place on a
# chart (Build's pair, the backprop lab's NumPy and Keras runs, Compare's models, predictions).
MEANINGS = {
    "no_dropout": VERMILLION,  # the warning colour: without dropout the lesson's model overfits
    "dropout": BLUE,  # the lesson's dropout: the pair's Dropout(0.3), and the lab's solution
    "yours": GREEN,  # the learner's own: their model, their dropout function, their prediction
    "l2": PURPLE,
    "early_stopping": ORANGE,
    "dropout_l2": SKY,
    "other": INK,  # a run that is none of these
}
# One colour per run when the caller names none; training solid, validation dashed.
MODEL_COLOURS = (BLUE, VERMILLION, GREEN, PURPLE, ORANGE, SKY, INK)
# One marker per run, in the same order, so that runs differ by shape as well as by colour
# (the star is taken: it marks a run's lowest validation loss).
MODEL_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "cross", "triangle-down")
DASHES = ("solid", "dot", "dash", "longdash", "dashdot", "longdashdot")

# The shade of each palette colour drawn on each theme's background, at least 3:1 against it.
# Light: Okabe-Ito orange (2.25:1 on white), sky blue (2.31:1), reddish purple (3.06:1) and the
# grey of a bar that carries data (1.92:1) are mixed with black (hue unchanged) to about 3.2:1;
# dark: all of them already reach 3.6:1 or more.
SHADES = {
    "light": {ORANGE: "#BF8400", SKY: "#4897C4", PURPLE: "#C675A2", GREY: "#8F8F8F"},
    "dark": {},
}

# Light to Okabe-Ito orange on light (dark value labels stay readable on every cell, and values
# never look like the blue/grey of a keep mask); on dark, from a grey a step above the
# background to orange, so that a larger value is again the more vivid cell.
VALUE_SCALES = {
    "light": [[0.0, "#FFFFFF"], [1.0, ORANGE]],
    "dark": [[0.0, "#3A3F4B"], [1.0, ORANGE]],
}
VALUE_SCALE = VALUE_SCALES["light"]
MASK_SCALE = [[0.0, GREY], [0.5, GREY], [0.5, BLUE], [1.0, BLUE]]
FONT = {"family": "Inter, Segoe UI, Helvetica, Arial, sans-serif", "size": 13}


class Theme(NamedTuple):
    """The colours a figure takes from its surroundings."""

    background: str
    grid: str
    text: str  # also the foreground lines drawn in INK (reference lines, outlines)
    zeroline: str


# Dark follows Streamlit 1.67's dark theme (background #171614, text #EDEBE8, secondary
# background #2D2B27, for the grid), so a chart is not a box of another dark on the page.
THEMES = {
    "light": Theme(background="#FFFFFF", grid="#eee", text=INK, zeroline="#999"),
    "dark": Theme(background="#171614", grid="#2D2B27", text="#EDEBE8", zeroline="#8A857E"),
}


def theme_of(name: str) -> Theme:
    """The colours of theme `name` ("light" or "dark")."""
    try:
        return THEMES[name]
    except KeyError:
        raise ValueError(f"theme must be one of {sorted(THEMES)}, got {name!r}") from None


def foreground(colour: str, theme: str) -> str:
    """`colour` as drawn on `theme`: INK becomes the theme's text colour, a palette colour its
    shade for that background (SHADES); any other colour is drawn as it is."""
    text = theme_of(theme).text
    return text if colour == INK else SHADES[theme].get(colour, colour)


def colour_of(meaning: str) -> str:
    """The one colour of `meaning` (a key of MEANINGS); anything else is "other"."""
    return MEANINGS.get(meaning, MEANINGS["other"])


def value_scale(theme: str) -> list[list]:
    """The heatmaps' value scale on `theme`."""
    theme_of(theme)
    return VALUE_SCALES[theme]


def symbol_of(i: int) -> str:
    """The marker of the i-th run (0-based), cycling."""
    return MODEL_SYMBOLS[i % len(MODEL_SYMBOLS)]


def dash_of(i: int) -> str:
    """The dash of the i-th line of an ordered series (0-based), cycling."""
    return DASHES[i % len(DASHES)]


LEGEND_ROW = 21  # px per row of legend entries (13 px text)
LEGEND_WIDTH = 520  # px a horizontal legend is laid out in: about the narrowest joined figure
CHAR_WIDTH, ENTRY_WIDTH = 7.0, 46  # px per character of an entry's name, and its swatch


def legend_rows(names: Sequence[str], width: float = LEGEND_WIDTH) -> int:
    """How many rows a horizontal legend of `names` takes `width` px wide (estimated)."""
    rows, used = 1, 0.0
    for name in names:
        entry = ENTRY_WIDTH + CHAR_WIDTH * len(name)
        if used and used + entry > width:
            rows, used = rows + 1, 0.0
        used += entry
    return rows


def fit_legend(traces: Sequence[dict], layout: dict) -> dict:
    """A legend placed below the panels moves to the figure's bottom edge, and the figure grows
    by the legend's rows: it never lands on the axis titles, however many rows it wraps to."""
    legend = layout.get("legend") or {}
    names = [str(t["name"]) for t in traces if t.get("showlegend", True) and t.get("name")]
    if legend.get("y", 1) >= 0 or layout.get("showlegend") is False or not names:
        return layout
    rows = len(names) if legend.get("orientation") == "v" else legend_rows(names)
    extra = rows * LEGEND_ROW + 8
    margin = {**layout.get("margin", {})}
    margin["b"] = margin.get("b", 10) + extra
    placed = {**legend, "yref": "container", "y": 0, "yanchor": "bottom"}
    return {**layout, "height": layout["height"] + extra, "margin": margin, "legend": placed}


def make_figure(traces: list[dict], layout: dict) -> go.Figure:
    """A figure without plotly's per-property validation, which costs ~8x the build time here.

    Dropout Lab's unit tests validate every figure once, so a typo still fails loudly.
    """
    layout = clear_of_modebar(fit_legend(traces, layout))  # nothing under the toolbar
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
            "yref": "paper", "showarrow": False, "xanchor": "center"}  # fmt: skip
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
        notes = [{**title(t, d, title_y, title_size), "name": f"panel {k}"}
                 for k, (t, d) in enumerate(zip(titles, doms, strict=True), start=1)]  # fmt: skip
        layout["annotations"] = layout.get("annotations", []) + notes
    return doms


# --------------------------------------------------------------------------- one figure or many


class Parts(NamedTuple):
    """A figure not yet built. Its traces' `showlegend` is what each panel needs on its own;
    `join` makes the one figure (each legend entry once), `split` one figure per panel."""

    traces: list[dict]
    layout: dict


def legend_once(traces: Sequence[dict]) -> list[dict]:
    """Hide a legend entry on every panel after the first one its group (or name) appears on:
    one legend serves all the panels of a figure, and clicking an entry hides the group in all."""
    first: dict[str, str] = {}
    out = []
    for trace in traces:
        group = str(trace.get("legendgroup") or trace.get("name"))
        panel = trace.get("xaxis", "x")
        if first.setdefault(group, panel) != panel and trace.get("showlegend", True):
            trace = {**trace, "showlegend": False}
        out.append(trace)
    return out


def join(parts: Parts) -> go.Figure:
    """The panels side by side in one figure."""
    return make_figure(legend_once(parts.traces), parts.layout)


def panel_titles(parts: Parts) -> list[str]:
    """The panels' titles, without markup, in panel order ([] for a figure without them)."""
    notes = parts.layout.get("annotations", [])
    titles = [a["text"] for a in notes if str(a.get("name", "")).startswith("panel ")]
    return [t.replace("<b>", "").replace("</b>", "") for t in titles]


TITLE_CHARS = 36  # a panel title on a phone-wide figure breaks into lines of about this many


def wrap(text: str, width: int = TITLE_CHARS) -> str:
    """`text` broken into lines of at most about `width` characters at spaces (<br>)."""
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "<br>".join([*lines, line])


def _without(d: dict, *keys: str) -> dict:
    return {k: v for k, v in d.items() if k not in keys}


def _panel(parts: Parts, k: int, shared: dict) -> go.Figure:
    """Panel k of a side-by-side figure as a figure of its own."""
    layout, s = parts.layout, suffix(k)
    x = _without(layout[f"xaxis{s}"], "anchor", "domain", "matches")
    y = _without(layout[f"yaxis{s}"], "anchor", "domain")
    if "scaleanchor" in y:
        y["scaleanchor"] = "x"
    notes = [{**a, "x": 0.5, "xanchor": "center", "text": wrap(a["text"])}
             for a in layout.get("annotations", []) if a.get("name") == f"panel {k}"]  # fmt: skip
    shapes = [{**sh, "xref": "x", "yref": str(sh.get("yref", "y")).replace(f"y{s}", "y")}
              for sh in layout.get("shapes", []) if sh.get("xref") == f"x{s}"]  # fmt: skip
    traces = [{**t, "xaxis": "x", "yaxis": "y"} for t in parts.traces
              if t.get("xaxis", "x") == f"x{s}"]  # fmt: skip
    panel = {**shared, "xaxis": x, "yaxis": y, "annotations": notes, "shapes": shapes}
    if "legend" in panel:  # one entry a row: a phone-wide figure has no room for two
        panel["legend"] = {**panel["legend"], "orientation": "v"}
    if k > 1:
        panel.pop("title", None)  # a figure's own title heads its first panel only
    return make_figure(traces, panel)


def split(parts: Parts) -> list[go.Figure]:
    """One figure per side-by-side panel, each with its own axes, title and legend: on a phone
    they stack, each as wide as the screen. A figure of one panel, or of panels stacked along
    y, stays one figure."""
    layout = parts.layout
    n = sum(1 for k in layout if k.startswith("xaxis"))
    if n < 2 or "domain" not in layout.get("xaxis", {}):
        return [join(parts)]
    shared = {k: v for k, v in layout.items() if not k.startswith(("xaxis", "yaxis"))}
    shared = _without(shared, "annotations", "shapes")
    return [_panel(parts, k, shared) for k in range(1, n + 1)]


# --------------------------------------------------------------------------- a built figure


def _canonical(colour: object) -> object:
    """The palette colour a light-theme shade stands for (INK for the light text colour)."""
    back = {shade: name for name, shade in SHADES["light"].items()}
    return back.get(colour, colour)


def _shade(colour: object, theme: str) -> object:
    return foreground(_canonical(colour), theme) if isinstance(colour, str) else colour


def _recolour(trace: dict, theme: str) -> dict:
    out = dict(trace)
    for part in ("line", "marker", "textfont"):
        if isinstance(out.get(part), dict):
            style = {**out[part], "color": _shade(out[part].get("color"), theme)}
            if isinstance(style.get("line"), dict):
                outline = style["line"]
                style["line"] = {**outline, "color": _shade(outline.get("color"), theme)}
            out[part] = {k: v for k, v in style.items() if v is not None}
    if out.get("colorscale") == VALUE_SCALES["light"]:
        out["colorscale"] = value_scale(theme)
    return out


def retheme(figure: go.Figure, theme: str) -> go.Figure:
    """A figure built in the light theme (by code that does not take one) drawn in `theme`: the
    background, grid, text, value scale and palette shades it would have been built with."""
    colours = theme_of(theme)
    data = figure.to_dict()
    layout = dict(data["layout"])
    layout.update(paper_bgcolor=colours.background, plot_bgcolor=colours.background,
                  font={**layout.get("font", {}), "color": colours.text})  # fmt: skip
    for name, value in list(layout.items()):
        if name.startswith(("xaxis", "yaxis")) and isinstance(value, dict):
            axis_ = dict(value)
            if "gridcolor" in axis_:
                axis_["gridcolor"] = colours.grid
            if "zerolinecolor" in axis_:
                axis_["zerolinecolor"] = colours.zeroline
            layout[name] = axis_
    return make_figure([_recolour(t, theme) for t in data["data"]], layout)
