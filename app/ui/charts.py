"""The one way the app shows a chart (`plot`): drawn in the active theme, with an accessible
name, a summary computed from its data (`charts.describe`) and that data as a table behind an
expander. A figure of panels side by side becomes one chart per panel on a phone-wide screen,
where they stack, each as wide as the screen.

Streamlit tells the script neither the screen's width nor, on a first visit, the real theme
(`st.context.theme.type` says "light" until the browser's first rerun). A tiny component in the
sidebar (`watch_view`) reports both; when they change, the page reruns once and redraws.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from dropout_lab.charts import describe
from dropout_lab.charts import panels as pn
from dropout_lab.ui import session

VIEW = session.LESSON_VIEW
CONFIG = {"displaylogo": False}
NARROW = "(max-width: 640px)"  # where Streamlit stacks columns

# Reads the width (a media query) and the page's background (the theme as drawn), and sends
# them only when they differ from what the server last heard, so it never loops. Once the
# server's view is the browser's, it says so on the page (`html[data-dl-view]`, for the tests).
_JS = f"""
const query = window.matchMedia("{NARROW}");
function dark() {{
  const app = document.querySelector('[data-testid="stApp"]') || document.body;
  const rgb = (getComputedStyle(app).backgroundColor.match(/[\\d.]+/g) || []).map(Number);
  if (rgb.length < 3) return null;
  return (0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]) / 255 < 0.5;
}}
export default function ({{ data, setStateValue }}) {{
  const root = document.documentElement;
  watchScrolling(data.scrollLabel, data.scrollHint);
  const report = () => {{
    const view = {{ narrow: query.matches, dark: dark() }};
    if (view.narrow === data.narrow && view.dark === data.dark) {{
      const [width, theme] = [view.narrow ? "narrow" : "wide", view.dark ? "dark" : "light"];
      root.dataset.dlView = `${{width}} ${{theme}}`;
      return;
    }}
    delete root.dataset.dlView;
    setStateValue("view", view);
  }};
  report();
  query.addEventListener("change", report);
  return () => query.removeEventListener("change", report);
}}
"""

# Content that still scrolls sideways inside the page (a wide formula on a phone) gets a tab
# stop and a name, so a keyboard can scroll it (WCAG 2.1.1); checked again whenever the page
# changes. Code blocks wrap instead (app/main.py), so they never need it. A table that is wider
# than its box (Read's tables, a chart's data table, on a phone) also gets a visible hint above
# it (`data-dl-hint`, drawn by app/main.py's style), taken away when it fits again.
_SCROLLING_JS = """
const WIDE_TABLES = '[data-testid="stMain"] [data-testid="stMarkdownContainer"] table, '
  + '[data-testid="stMain"] [data-testid="stDataFrame"] .dvn-scroller';
function hintWideTables(hint, watch) {
  const wide = new Set();
  for (const el of document.querySelectorAll(WIDE_TABLES)) {
    watch(el);
    if (el.scrollWidth <= el.clientWidth + 1) continue;
    const frame = el.closest('[data-testid="stDataFrame"]');
    wide.add(frame ? frame.parentElement : el);
  }
  for (const el of document.querySelectorAll("[data-dl-hint]")) {
    if (!wide.has(el)) el.removeAttribute("data-dl-hint");
  }
  for (const el of wide) {
    if (el.getAttribute("data-dl-hint") !== hint) el.setAttribute("data-dl-hint", hint);
  }
}
function watchScrolling(label, hint) {
  window.__dlScrollHint = hint;
  if (window.__dlScrolling) return;
  window.__dlScrolling = true;
  let queued = false;
  const mark = () => {
    queued = false;
    hintWideTables(window.__dlScrollHint, watchSize);
    for (const el of document.querySelectorAll('[data-testid="stMain"] *')) {
      if (el.hasAttribute("tabindex") || el.scrollWidth <= el.clientWidth + 1) continue;
      if (!["auto", "scroll"].includes(getComputedStyle(el).overflowX)) continue;
      el.setAttribute("tabindex", "0");
      if (!el.hasAttribute("role")) el.setAttribute("role", "region");
      if (!el.hasAttribute("aria-label")) el.setAttribute("aria-label", label);
    }
  };
  const later = () => { if (!queued) { queued = true; requestAnimationFrame(mark); } };
  // A data table sizes its columns after it is drawn, with no node added: each table's box and
  // inner sheet are watched too (from the look that finds it), or a table that grows wide
  // would keep no hint.
  const sized = new ResizeObserver(later), watched = new WeakSet();
  function watchSize(table) {
    for (const box of [table, table.firstElementChild]) {
      if (box && !watched.has(box)) { watched.add(box); sized.observe(box); }
    }
  }
  new MutationObserver(later).observe(document.body, { childList: true, subtree: true });
  window.addEventListener("resize", later);
  later();
}
"""


@cache
def _probe():
    """Registered once per process (its definition is immutable, shared safely)."""
    js = _SCROLLING_JS + _JS
    return st.components.v2.component("dropout_lab_view", html="<span hidden></span>", js=js)


def _view() -> dict:
    """What the probe last sent (a forged message may hold anything: not a dict is nothing)."""
    state = st.session_state.get(VIEW)
    view = state.get("view") if isinstance(state, dict) else None
    return view if isinstance(view, dict) else {}


def watch_view() -> None:
    """Mount the probe that reports the screen's width and the theme (once per run)."""
    view = _view()
    data = {"narrow": bool(view.get("narrow")), "dark": view.get("dark")}
    words = describe.words()
    sent = {**data, "scrollLabel": words["scroll_region"], "scrollHint": words["scroll_hint"]}
    _probe()(key=VIEW, data=sent, default={"view": data}, on_view_change=lambda: None)


def theme() -> str:
    """The active theme: "dark" or "light" (as the browser draws it, else as Streamlit says)."""
    dark = _view().get("dark")
    if dark is None:
        dark = st.context.theme.type == "dark"
    return "dark" if dark else "light"


def narrow() -> bool:
    """True on a phone-wide screen (or window)."""
    return bool(_view().get("narrow"))


def plot(
    build: Callable[..., go.Figure | pn.Parts],
    *args: Any,
    key: str,
    about: describe.Description,
    **kwargs: Any,
) -> None:
    """Draw `build(*args, theme=<active>, **kwargs)` under the chart's name, then its summary and
    its data behind an expander. A builder that returns `Parts` (panels side by side) is drawn
    as one figure, or as one figure per panel on a narrow screen."""
    built = build(*args, theme=theme(), **kwargs)
    if isinstance(built, pn.Parts):
        figures = pn.split(built) if narrow() else [pn.join(built)]
        titles = pn.panel_titles(built)
    else:
        figures, titles = [built], []
    n = len(figures)
    for k, fig in enumerate(figures, start=1):
        name = about.name if n == 1 else describe.panel_name(about.name, titles[k - 1], k, n)
        # the first panel keeps the chart's own key, so it is the same chart on every screen
        st.plotly_chart(fig, width="stretch", config=CONFIG, alt=name,
                        key=key if k == 1 else f"{key}.{k}")  # fmt: skip
    if about.summary:
        st.caption(about.summary)
    data_table(key, about)


def data_table(key: str, about: describe.Description) -> None:
    """The chart's data behind an expander; the table is sent only once it is opened."""
    if not about.table:
        return
    opened = session.LESSON_CHART_DATA.of(key)
    with st.expander(describe.words()["data_label"], key=opened, on_change="rerun"):
        if st.session_state.get(opened):
            st.dataframe(about.table, hide_index=True, width="stretch", alt=about.name)
