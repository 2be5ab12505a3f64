"""Phones and the small things (issue 23, item 5), in Chromium: the code editor shows the lesson's
own lines whole at 1366 px and stays usable at 390 px; Read's tables keep their words whole on a
phone; Explore's rate slider stays on screen with the grids it changes; Plotly's toolbar is off
every figure's titles and legend, as Plotly really draws them."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

import plotly.io as pio
import pytest
from playwright.sync_api import Browser, Page, expect

from dropout_lab.charts import describe
from dropout_lab.lesson.labs import load_lab
from dropout_lab.ui import charts
from tests.support import editor
from tests.support.harness import Server, running_server, wait_until_idle
from tests.support.wait import until
from tests.unit.test_chart_meanings import all_figures

from .conftest import assert_no_error

pytestmark = pytest.mark.e2e

KERAS = "Keras code"
LAB = load_lab("overfit")
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1366, "height": 900}


@pytest.fixture(scope="module")
def dark_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("dark-small") / "streamlit.log"
    env = {"DROPOUT_LAB_DATA_DIR": str(tmp_path_factory.mktemp("dark-small-data")),
           "DROPOUT_LAB_PRECOMPUTE": "0", "STREAMLIT_THEME_BASE": "dark"}  # fmt: skip
    with running_server(Path(log), env=env) as srv:
        yield srv


def opened(browser: Browser, server: Server, path: str, viewport: dict) -> Page:
    page = browser.new_context(viewport=viewport).new_page()
    page.goto(f"{server.url}/{path}")
    wait_until_idle(page)
    return page


# --------------------------------------------------------------------------- the code editor

SCROLLER = """() => {
    const host = [...document.querySelectorAll('*')]
        .find(e => e.shadowRoot && e.shadowRoot.querySelector('.dl-editor .cm-scroller'));
    const s = host.shadowRoot.querySelector('.dl-editor .cm-scroller');
    const box = s.getBoundingClientRect();
    const lines = [...s.querySelectorAll('.cm-line')].map(l => l.getBoundingClientRect())
        .filter(r => r.width > 0).map(r => [r.left, r.right]);
    return {scrollWidth: s.scrollWidth, clientWidth: s.clientWidth, left: box.left,
            right: box.left + s.clientWidth, lines};
}"""


def assert_every_line_whole(page: Page, code: str) -> dict:
    """The editor shows `code` (pasted, unless it shows it already) with nothing past its right
    edge: no sideways scroll."""
    if editor.editor_text(page, KERAS) != code:
        editor.paste_code(page, KERAS, code)
    assert editor.editor_text(page, KERAS) == code
    got = page.evaluate(SCROLLER)
    assert got["scrollWidth"] <= got["clientWidth"], got  # nothing hidden sideways
    assert all(right <= got["right"] + 1 for _, right in got["lines"]), got
    return got


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_the_editor_shows_the_lessons_lines_whole(server, browser: Browser, viewport) -> None:
    page = opened(browser, server, "build", viewport)
    try:
        expect(page.get_by_label(KERAS, exact=True)).to_be_visible()
        for code in (LAB.starter, LAB.solution):
            got = assert_every_line_whole(page, code)
            print(f"\n{viewport['width']} px: editor {got['clientWidth']} px wide, "
                  f"content {got['scrollWidth']} px")  # fmt: skip
        assert_no_error(page)
    finally:
        page.context.close()


def test_on_a_phone_typing_reaches_and_changes_the_last_line(dark_server, browser, artifacts):
    page = opened(browser, dark_server, "build", PHONE)
    try:
        box = page.get_by_label(KERAS, exact=True)
        box.click()
        page.keyboard.press("Control+End")  # the last line, however far down
        page.keyboard.type("# typed on a phone, at the end of a long line to see it wrap: ok")
        root = page.locator(".dl-editor").filter(has=box)
        expect(root).to_have_attribute("data-state", "checked", timeout=180_000)
        text = editor.editor_text(page, KERAS)
        assert text.endswith("to see it wrap: ok"), text[-80:]
        got = page.evaluate(SCROLLER)
        assert got["scrollWidth"] <= got["clientWidth"], got
        cursor = page.locator(".cm-cursor").first.bounding_box()
        frame = page.locator(".cm-editor").bounding_box()
        assert frame["y"] <= cursor["y"] <= frame["y"] + frame["height"]  # in view, typed into
        page.locator(".dl-editor").screenshot(path=str(artifacts / "small-editor-390-dark.png"))
    finally:
        page.context.close()


# --------------------------------------------------------------------------- Read's tables

# Each word of a table cell (text outside formulas, split at spaces and after hyphens, where a
# line may break) against the room the cell gives it.
NARROW_CELLS = """() => {
    const ctx = document.createElement('canvas').getContext('2d');
    const out = [];
    const cells = '[data-testid="stMarkdownContainer"] :is(td, th)';
    for (const cell of document.querySelectorAll(cells)) {
        const style = getComputedStyle(cell);
        const room = cell.clientWidth - parseFloat(style.paddingLeft)
            - parseFloat(style.paddingRight);
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        for (let n; (n = walker.nextNode());) {
            if (n.parentElement.closest('.katex')) continue;
            ctx.font = getComputedStyle(n.parentElement).font;
            for (const word of n.textContent.split(/\\s+|(?<=-)/).filter(Boolean)) {
                const need = ctx.measureText(word).width;
                if (need > room + 0.5) out.push(`${word}: ${Math.round(need)} px in ${room} px`);
            }
        }
    }
    return out;
}"""
TABLE_SECTIONS = ("01-what-dropout-does", "03-the-maths", "04-choosing-the-rate",
                  "05-where-to-put-it", "06-variants",
                  "07-dropout-among-the-regularisers")  # fmt: skip


def test_on_a_phone_reads_tables_keep_their_words_whole(server, browser: Browser, artifacts):
    page = opened(browser, server, "read", PHONE)
    try:
        for section in TABLE_SECTIONS:
            page.goto(f"{server.url}/read?section={section}")
            wait_until_idle(page)
            tables = page.locator('[data-testid="stMarkdownContainer"] table')
            expect(tables.first).to_be_visible()
            assert page.evaluate(NARROW_CELLS) == [], section
            page_width = page.evaluate("document.documentElement.scrollWidth")
            assert page_width <= PHONE["width"], section  # a wide table scrolls in its own box
        tables.first.screenshot(path=str(artifacts / "small-read-table-390.png"))
    finally:
        page.context.close()


# Every table on the page: does it scroll sideways in its box, and what its hint says (the text
# drawn above it), with how far its first row starts below its top (room the hint takes).
TABLE_HINTS = """() => [...document.querySelectorAll(
        '[data-testid="stMarkdownContainer"] table, [data-testid="stDataFrame"] .dvn-scroller')]
    .map(el => {
        const frame = el.closest('[data-testid="stDataFrame"]');
        const host = frame ? frame.parentElement : el;
        const before = getComputedStyle(host, '::before');
        const first = (frame || el).querySelector(frame ? 'canvas' : 'tr');
        return {wide: el.scrollWidth > el.clientWidth + 1, frame: !!frame,
                hint: before.content === 'none' ? '' : before.content.replace(/^"|"$/g, ''),
                shown: before.display !== 'none' && before.visibility !== 'hidden',
                room: first.getBoundingClientRect().top - host.getBoundingClientRect().top};
    })"""


def wrong_hints(tables: list[dict]) -> list[dict]:
    """The tables whose hint is wrong: a wide one without it (or without room for it), or one
    that fits with it."""
    hint = describe.words()["scroll_hint"]

    def right(t: dict) -> bool:
        if t["wide"]:
            return t["hint"] == hint and t["shown"] and t["room"] >= 14
        return t["hint"] == ""

    return [t for t in tables if not right(t)]


def assert_wide_tables_say_so(page: Page, where: str) -> list[dict]:
    """Each table wider than its box has the hint above it, taking room; none that fits has.
    The page marks tables when they change size, a frame later: wait for that, then judge."""
    with contextlib.suppress(TimeoutError):  # the assertion below says which table is wrong
        until(lambda: (t := page.evaluate(TABLE_HINTS)) and not wrong_hints(t), timeout=15,
              what=f"the scroll hints of {where}")  # fmt: skip
    tables = page.evaluate(TABLE_HINTS)
    assert not wrong_hints(tables), (where, tables)
    return tables


def test_wide_tables_say_they_scroll_sideways(server, browser: Browser, artifacts) -> None:
    """On a phone, Read's tables and a chart's data table that are wider than the screen say
    so above them; at 1366 px, where they fit, nothing is said."""
    page = opened(browser, server, "read", PHONE)
    wide = 0
    try:
        for section in TABLE_SECTIONS:
            page.goto(f"{server.url}/read?section={section}")
            wait_until_idle(page)
            expect(page.locator('[data-testid="stMarkdownContainer"] table').first).to_be_visible()
            wide += sum(t["wide"] for t in assert_wide_tables_say_so(page, section))
        assert wide, "no table of Read is wider than a phone: the hint is not tried"
        page.goto(f"{server.url}/read?section=07-dropout-among-the-regularisers")
        wait_until_idle(page)
        page.locator("[data-dl-hint]").first.screenshot(path=str(artifacts / "small-hint-390.png"))
        page.goto(f"{server.url}/compare")
        wait_until_idle(page)
        page.get_by_text(describe.words()["data_label"]).first.click()
        expect(page.locator('[data-testid="stDataFrame"]').first).to_be_visible()
        expect(page.locator("[data-dl-hint]").first).to_be_attached()
        frames = [t for t in assert_wide_tables_say_so(page, "compare") if t["frame"]]
        assert any(t["wide"] for t in frames), frames
        page.set_viewport_size(DESKTOP)
        expect(page.locator("[data-dl-hint]")).to_have_count(0)  # it fits now: no hint
        assert_wide_tables_say_so(page, "compare at 1366")
    finally:
        page.context.close()


# --------------------------------------------------------------------------- Explore

# Scroll Streamlit's main area through the whole live view, as a learner does; at each place
# where one of the layer's three grids is wholly on screen, say whether the rate slider is on
# screen too, under nothing (not behind Streamlit's header).
SLIDER_IN_REACH = """() => {
    const host = [...document.querySelectorAll('*')]
        .find(e => e.shadowRoot && e.shadowRoot.querySelector('.dl-explore'));
    const root = host.shadowRoot;
    const main = document.querySelector('[data-testid="stMain"]');
    const slider = root.querySelector('[data-testid="explore-rate-slider"]');
    const grids = [...root.querySelectorAll('.dl-figure')][0].querySelectorAll(':scope > g');
    const header = document.querySelector('[data-testid="stHeader"]');
    const top = header ? header.getBoundingClientRect().bottom : 0;
    const seen = [0, 0, 0], together = [0, 0, 0], apart = [];
    for (let y = 0; y <= main.scrollHeight; y += 40) {
        main.scrollTop = y;
        const s = slider.getBoundingClientRect();
        const x = s.left + s.width / 2, mid = s.top + s.height / 2;
        const shown = s.top >= top && s.bottom <= innerHeight && root.elementFromPoint(x, mid)
            === slider;
        grids.forEach((g, i) => {
            const r = g.getBoundingClientRect();
            if (r.top < s.bottom || r.bottom > innerHeight) return;  // not wholly in view
            seen[i] += 1;
            if (shown) together[i] += 1; else apart.push(`grid ${i + 1} at scroll ${y}`);
        });
    }
    return {seen, together, apart};
}"""


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_on_a_phone_the_rate_slider_stays_on_screen_with_the_grids(
    server, dark_server, browser: Browser, artifacts, theme: str
) -> None:
    page = opened(browser, server if theme == "light" else dark_server, "explore", PHONE)
    try:
        expect(page.get_by_test_id("explore-rate-slider")).to_be_attached()
        got = page.evaluate(SLIDER_IN_REACH)
        assert all(got["seen"]), got  # each grid was wholly on screen somewhere
        assert all(got["together"]) and got["apart"] == [], got
        page.get_by_test_id("explore-rate-slider").focus()
        page.keyboard.press("ArrowRight")  # the slider still works where it sticks
        expect(page.get_by_test_id("explore-rate-slider")).to_have_value("0.35")
        page.screenshot(path=str(artifacts / f"small-explore-390-{theme}.png"))
        assert_no_error(page)
    finally:
        page.context.close()


# --------------------------------------------------------------------------- chart toolbars

# Draw a figure with the app's Plotly config (the page's own plotly.js, offline) and return the
# boxes of its toolbar, titles, annotations and legend.
DRAW = """async ([fig, config, width]) => {
    const div = document.createElement('div');
    div.style.width = `${width}px`;
    document.body.appendChild(div);
    await Plotly.newPlot(div, fig.data, fig.layout, config);
    const boxes = (sel) => [...div.querySelectorAll(sel)].map(e => {
        const r = e.getBoundingClientRect();
        return [sel + ' ' + e.textContent.slice(0, 30), r.left, r.top, r.right, r.bottom];
    }).filter(([, l, t, r, b]) => r > l && b > t);
    const out = {modebar: boxes('.modebar-group'),
                 texts: [...boxes('.annotation-text-g'), ...boxes('.g-gtitle'),
                         ...boxes('.legend .bg')]};
    Plotly.purge(div);
    div.remove();
    return out;
}"""


def overlaps(a: list, b: list) -> bool:
    return min(a[3], b[3]) - max(a[1], b[1]) > 1 and min(a[4], b[4]) - max(a[2], b[2]) > 1


def test_the_chart_toolbar_covers_no_title_or_legend(browser: Browser) -> None:
    from plotly.offline import get_plotlyjs

    page = browser.new_page()
    try:
        page.set_content("<html><body style='margin:0'></body></html>")
        page.add_script_tag(content=get_plotlyjs())
        found = []
        for theme in ("light", "dark"):
            for k, fig in enumerate(all_figures(theme)):
                for width in (358, 700):
                    spec = json.loads(pio.to_json(fig))
                    got = page.evaluate(DRAW, [spec, charts.CONFIG, width])
                    assert got["modebar"], "the toolbar is drawn"
                    found += [f"figure {k} ({theme}, {width} px): toolbar over {t[0]!r}"
                              for bar in got["modebar"] for t in got["texts"]
                              if overlaps(bar, t)]  # fmt: skip
        assert found == []
    finally:
        page.close()
