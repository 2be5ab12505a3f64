"""What the first-hour, keyboard and phone tests share: a store holding the lesson's runs (really
trained, once per test session), one server per theme (light, and dark through
STREAMLIT_THEME_BASE) with the instructor dashboard on, a visit that waits until a page is ready,
the interactions they share (training the pair, signing in, a chart's data table), and the layout
checks (sideways scrolling, overlapping chart text)."""

from __future__ import annotations

import atexit
import contextlib
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from playwright.sync_api import Page, expect

from tests.support.harness import Server, running_server, wait_until_idle
from tests.support.lesson_runs import data_dir_with_lesson_runs

TOKEN = "a11y-instructor-token"
CLASS = "A11Y"
SIZES = {"desktop": (1366, 900), "phone": (390, 844)}


# The tests that use a theme's server run on one xdist worker (tests/support/schedule.py), so
# each server starts once per test run, not once per worker (six servers with their training
# workers on two cores made every journey crawl); the two themes' groups go to two workers.
def on_server(theme: str) -> pytest.MarkDecorator:
    return pytest.mark.xdist_group(f"a11y-{theme}")


ON_SHARED_SERVERS = on_server("light")  # a module that uses both themes' servers
_SERVERS: dict[str, Server] = {}
_STACK = contextlib.ExitStack()
atexit.register(_STACK.close)


def server(theme: str) -> Server:
    """The app in `theme`, one per test session (stopped at exit), over a copy of the lesson's
    runs and a learners' store of its own."""
    if theme not in _SERVERS:
        fresh = Path(tempfile.mkdtemp(prefix=f"dropout-lab-a11y-{theme}-"))
        data = data_dir_with_lesson_runs(fresh)
        log = data / "streamlit.log"
        env = {"DROPOUT_LAB_DATA_DIR": str(data), "DROPOUT_LAB_PRECOMPUTE": "0",
               "DROPOUT_LAB_INSTRUCTOR_TOKEN": TOKEN, "STREAMLIT_THEME_BASE": theme}  # fmt: skip
        _SERVERS[theme] = _STACK.enter_context(running_server(log, env=env))
    return _SERVERS[theme]


def settle(page: Page) -> None:
    """Wait until the page has rendered, its script has finished, and the charts' view (width,
    theme) is the browser's (ui/charts.py marks the page once the server has heard it)."""
    wait_until_idle(page, timeout=300_000)
    page.wait_for_selector("html[data-dl-view]", state="attached", timeout=180_000)
    wait_until_idle(page, timeout=300_000)


# What each page has once its slow parts are there: Reflect's two Monte Carlo charts, after
# its models are loaded.
READY = {"reflect": "() => document.querySelectorAll('[data-testid=\"stPlotlyChart\"]')"
                    ".length >= 2"}  # fmt: skip


def visit(page: Page, srv: Server, path: str) -> None:
    """Open `path` as the same learner (a joined learner's ?resume= code is kept, as a bookmark
    keeps it) and wait until it is ready."""
    resume = parse_qs(urlparse(page.url).query).get("resume")
    if resume:
        path += ("&" if "?" in path else "?") + urlencode({"resume": resume[0]})
    page.goto(f"{srv.url}/{path}")
    settle(page)
    ready = READY.get(path.split("?")[0])
    if ready:
        page.wait_for_function(ready, timeout=600_000)  # a first Monte Carlo run on busy cores
        settle(page)


def skip_predictions(page: Page) -> None:
    """Skip the predictions asked before a first training (Build) or before the sweep (Compare)."""
    while (skip := page.get_by_role("button", name="Skip", exact=True)).count():
        skip.first.click()
        settle(page)


def sign_in(page: Page, srv: Server, klass: str = CLASS) -> None:
    """The dashboard with the instructor token given and the class shown."""
    visit(page, srv, "dashboard")
    main = page.locator('[data-testid="stMain"]')
    main.get_by_label("Instructor token", exact=True).fill(TOKEN)
    page.keyboard.press("Enter")
    settle(page)
    box = main.get_by_label("Class code", exact=True)
    box.fill(klass)
    box.press("Enter")
    settle(page)


# --------------------------------------------------------------------------- interactions


def train_pair(page: Page, srv: Server, learner: str) -> None:
    """Build, as `learner` of the class: train the starter and the learner's model (both are
    stored already: instant)."""
    visit(page, srv, f"build?learner={learner}&class={CLASS}")
    skip_predictions(page)
    page.get_by_role("button", name="▶▶ Train both", disabled=False).click()
    expect(page.get_by_text("Your model: Done", exact=False)).to_be_visible(timeout=180_000)
    expect(page.get_by_text("Starter (no dropout): Done", exact=False)).to_be_visible(
        timeout=180_000
    )
    settle(page)


def open_first_data_table(page: Page) -> None:
    """Open the first chart's data table (its expander)."""
    label = page.get_by_text("The chart's data as a table").first
    label.click()
    expect(page.locator('[data-testid="stExpanderDetails"] [data-testid="stDataFrame"]')
           .first).to_be_visible(timeout=180_000)  # fmt: skip
    settle(page)


# --------------------------------------------------------------------------- layout checks

SIDEWAYS = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    const wide = [];
    for (const el of document.querySelectorAll('[data-testid="stMain"] *')) {
        const r = el.getBoundingClientRect();
        if (r.width > 0 && r.right > window.innerWidth + 1 && getComputedStyle(el).position
            !== 'fixed' && !el.closest('[data-testid="stSidebar"]')) {
            wide.push((el.getAttribute('data-testid') || el.tagName) + ' ' + Math.round(r.right));
        }
    }
    return {page: document.documentElement.scrollWidth, main: main ? main.scrollWidth : 0,
            width: window.innerWidth, wide: wide.slice(0, 5)};
}"""

# Text boxes of each Plotly chart that must not overlap: titles and annotations, axis titles,
# the legend as a whole. Tick labels are Plotly's own business (it thins them).
OVERLAPS = """() => {
    const out = [];
    const boxes = (root, sel) => [...root.querySelectorAll(sel)].map(e => [sel, e.getBBox ?
        e.getBoundingClientRect() : null]).filter(([, r]) => r && r.width > 0 && r.height > 0);
    document.querySelectorAll('.js-plotly-plot').forEach((plot, i) => {
        const svg = plot.querySelector('.main-svg').getBoundingClientRect();
        const items = [...boxes(plot, '.annotation-text-g'), ...boxes(plot, '.g-gtitle'),
                       ...boxes(plot, '.g-xtitle'), ...boxes(plot, '.g-x2title'),
                       ...boxes(plot, '.g-x3title'), ...boxes(plot, '.g-ytitle'),
                       ...boxes(plot, '.g-y2title'), ...boxes(plot, '.g-y3title'),
                       ...boxes(plot, '.legend')];
        const name = plot.closest('[data-testid="stPlotlyChart"]')?.getAttribute('aria-label')
            || `chart ${i + 1}`;
        for (let a = 0; a < items.length; a++) {
            const [sa, ra] = items[a];
            if (ra.left < svg.left - 1 || ra.right > svg.right + 1)
                out.push(`${name}: ${sa} cut off at the edge`);
            for (let b = a + 1; b < items.length; b++) {
                const [sb, rb] = items[b];
                const x = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
                const y = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
                if (x > 2 && y > 2) out.push(`${name}: ${sa} overlaps ${sb}`);
            }
        }
    });
    return out;
}"""


# Text a chart writes beside its own points (a run's last value): not on another such label,
# on a line or on a marker.
TEXT_ON_LINES = """() => {
    const out = [];
    const hit = (r, x, y) => x > r.left + 1 && x < r.right - 1 && y > r.top + 1 && y < r.bottom - 1;
    const cross = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 &&
        Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
    document.querySelectorAll('.js-plotly-plot').forEach((plot, i) => {
        const name = plot.closest('[data-testid="stPlotlyChart"]')?.getAttribute('aria-label')
            || `chart ${i + 1}`;
        const texts = [...plot.querySelectorAll('.textpoint text')].map(t => [t.textContent,
            t.getBoundingClientRect()]).filter(([, r]) => r.width > 0 && r.height > 0);
        texts.forEach(([a, ra], k) => texts.slice(k + 1).forEach(([b, rb]) => {
            if (cross(ra, rb)) out.push(`${name}: "${a}" overlaps "${b}"`);
        }));
        for (const path of plot.querySelectorAll('.scatterlayer path.js-line')) {
            const m = path.getScreenCTM(), length = path.getTotalLength();
            for (let d = 0; d <= length; d += 2) {
                const p = path.getPointAtLength(d).matrixTransform(m);
                const on = texts.find(([, r]) => hit(r, p.x, p.y));
                if (on) { out.push(`${name}: a line runs through "${on[0]}"`); break; }
            }
        }
        for (const point of plot.querySelectorAll('.scatterlayer path.point')) {
            const r = point.getBoundingClientRect();
            const on = texts.find(([, t]) => r.width > 0 && cross(r, t));
            if (on) out.push(`${name}: a marker sits on "${on[0]}"`);
        }
    });
    return [...new Set(out)];
}"""


def layout_problems(page: Page, label: str) -> list[str]:
    """Sideways scrolling, overlapping chart text and chart text crossed by a line or a marker,
    on the page, one line each."""
    problems = []
    width = page.evaluate(SIDEWAYS)
    if max(width["page"], width["main"]) > width["width"]:
        problems.append(f"{label}: scrolls sideways ({width})")
    problems += [f"{label}: {p}" for p in page.evaluate(OVERLAPS)]
    problems += [f"{label}: {p}" for p in page.evaluate(TEXT_ON_LINES)]
    return problems
