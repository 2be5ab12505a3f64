"""Plotly's toolbar (the mode bar: download, zoom, pan, reset) is drawn over a figure's top right
corner, on hover, and on a phone after a tap. Every figure keeps a band at its top for it, clear
of titles and legends: `clear_of_modebar` moves the plot area (and with it every title and legend
placed on the paper) down just enough, and grows the figure by as much, so the plot keeps its size.

Where Plotly puts each text (`text_tops`) is computed from the layout as Plotly lays it out: paper
coordinates span the plot area inside the margins; an `auto` anchor is the top above 2/3, the
bottom under 1/3, the middle between; a layout title at the default `y` has its baseline in the
middle of the top margin. tests/e2e/test_small_things.py holds this against Plotly in Chromium.
Pure: no Streamlit.
"""

from __future__ import annotations

import math

MODEBAR_BAND = (
    28  # px kept at the top: the toolbar is drawn 2 to 24 px from it (Plotly 6, Chromium)
)
TEXT_SIZE = 13  # px: the figures' font size when a text names none
LINE_HEIGHT = 1.4  # a line of text's box, per px of its font size
LEGEND_ROW = 21  # px per row of legend entries (13 px text)
SLACK = 0.5  # px: a text this close to the band is clear of it (the float sums of a layout)


def _size(item: dict, layout: dict) -> float:
    return float((item.get("font") or {}).get("size") or (layout.get("font") or {}).get("size")
                 or TEXT_SIZE)  # fmt: skip


def _lines(text: object) -> int:
    return str(text).count("<br>") + 1


def _anchored(y_px: float, fraction: float, anchor: str, height: float) -> float:
    """The top of a box of `height` whose anchor sits at `y_px` (`fraction`: its place, 0..1)."""
    if anchor == "auto":
        anchor = "top" if fraction > 2 / 3 else "bottom" if fraction < 1 / 3 else "middle"
    return {"top": y_px, "bottom": y_px - height}.get(anchor, y_px - height / 2)


def _paper_y(layout: dict, ref: str, y: float) -> float | None:
    """`y` in `ref` ("paper", "y domain", "y2 domain") as a fraction of the plot area, or None
    for a data coordinate (inside the plot, never in the band)."""
    if ref == "paper":
        return y
    if ref.endswith(" domain"):
        name = "yaxis" + ref.split()[0][1:]
        lo, hi = (layout.get(name) or {}).get("domain", [0.0, 1.0])
        return lo + y * (hi - lo)
    return None


def text_tops(layout: dict) -> list[tuple[str, float]]:
    """(what, px from the figure's top) of each title, annotation and legend placed on the paper
    or in the margin, as Plotly draws them."""
    margin = layout.get("margin") or {}
    top, bottom = margin.get("t", 100), margin.get("b", 80)
    plot = layout["height"] - top - bottom
    out = []
    title = layout.get("title") or {}
    title = {"text": title} if isinstance(title, str) else title
    if title.get("text"):
        y = title.get("y", "auto")
        if y == "auto":  # the first line's baseline in the middle of the top margin
            out.append(("title", top / 2 - _size(title, layout)))
        else:
            fraction = _paper_y(layout, title.get("yref", "container"), y)
            y_px = (1 - y) * layout["height"] if fraction is None else top + (1 - fraction) * plot
            height = _lines(title["text"]) * _size(title, layout) * LINE_HEIGHT
            out.append(("title", _anchored(y_px, y, title.get("yanchor", "auto"), height)))
    for note in layout.get("annotations") or []:
        fraction = _paper_y(layout, note.get("yref", "paper"), note.get("y", 0.5))
        if fraction is not None:
            height = _lines(note.get("text", "")) * _size(note, layout) * LINE_HEIGHT
            y_px = top + (1 - fraction) * plot
            anchor = note.get("yanchor", "auto")
            out.append((f"annotation {note.get('text')!r}",
                        _anchored(y_px, fraction, anchor, height)))  # fmt: skip
    legend = layout.get("legend") or {}
    if layout.get("showlegend") is not False and legend.get("yref", "paper") == "paper":
        fraction = legend.get("y", 1.0)
        out.append(("legend", _anchored(top + (1 - fraction) * plot, fraction,
                                        legend.get("yanchor", "auto"), LEGEND_ROW)))  # fmt: skip
    return out


def _auto_title(layout: dict) -> dict | None:
    """The layout's title when it sits at Plotly's default place (baseline mid top margin)."""
    title = layout.get("title")
    title = {"text": title} if isinstance(title, str) else title
    if isinstance(title, dict) and title.get("text") and title.get("y", "auto") == "auto":
        return title
    return None


def clear_of_modebar(layout: dict, band: int = MODEBAR_BAND) -> dict:
    """`layout` with its top margin (and height) grown until no title or legend reaches into the
    toolbar's band; unchanged when none does. A title at the default place that would reach in
    is pinned right under the band instead (it moves by only half the margin's growth)."""
    title = _auto_title(layout)
    top = (layout.get("margin") or {}).get("t", 100)
    need, pin = 0.0, False
    for what, y in text_tops(layout):
        if what == "title" and title is not None:
            pin = y < band - SLACK
            if pin:  # its box under the band, and the margin deep enough to hold it
                height = _lines(title["text"]) * _size(title, layout) * LINE_HEIGHT
                need = max(need, band + height + 4 - top)
        else:
            need = max(need, band - y)
    if need <= SLACK and not pin:
        return layout
    grow = math.ceil(max(need - SLACK, 0.0))
    out = {**layout, "margin": {**(layout.get("margin") or {}), "t": top + grow},
           "height": layout["height"] + grow}  # fmt: skip
    if pin:
        out["title"] = {**title, "yref": "container", "yanchor": "top",
                        "y": 1 - band / out["height"]}  # fmt: skip
    return out
