"""Phones (390 × 844) and both themes: multi-panel figures become separate charts that stack,
the code lab stays usable, charts follow the dark theme. (That nothing scrolls sideways or
overlaps, with a screenshot of every step at both widths in both themes, is checked on the
first-hour journeys, tests/e2e/test_first_hour.py.)"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from .a11y_support import (
    on_server,
    server,
    settle,
    train_pair,
    visit,
)

pytestmark = pytest.mark.e2e

CHART_NAMES = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].map(c => {
    const r = c.getBoundingClientRect();
    const bg = c.querySelector('.main-svg')?.style.background || '';
    return {name: c.getAttribute('aria-label') || '', left: r.left, right: r.right, top: r.top,
            background: bg};
})"""


@on_server("light")
def test_on_a_phone_the_curves_become_three_stacked_charts(browser: Browser) -> None:
    srv = server("light")
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        visit(page, srv, "compare")
        charts = page.evaluate(CHART_NAMES)
        names = [c["name"] for c in charts]
        panels = [c for c in charts if "of: Training curves" in c["name"]][:3]
        assert [p["name"].split(" (")[0] for p in panels] == [
            "Loss", "Accuracy", "Generalisation gap"], names  # fmt: skip
        assert all(p["left"] >= 0 and p["right"] <= 390 for p in panels)
        assert panels[0]["top"] < panels[1]["top"] < panels[2]["top"]  # stacked
        page.set_viewport_size({"width": 1366, "height": 900})  # wider again: one chart
        page.wait_for_selector('html[data-dl-view^="wide"]', state="attached", timeout=180_000)
        settle(page)
        names = [c["name"] for c in page.evaluate(CHART_NAMES)]
        assert names[0].startswith("Training curves of") and "panel" not in names[0]
    finally:
        context.close()


@on_server("light")
def test_the_code_lab_stays_usable_on_a_phone(browser: Browser) -> None:
    srv = server("light")
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        visit(page, srv, "build")
        frame = page.locator(".cm-editor").first  # the editor's frame (long lines scroll in it)
        box = frame.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["height"] > 150
        page.get_by_role("textbox").first.click()
        page.keyboard.press("Control+End")
        page.keyboard.type("\n# edited on a phone\n")
        settle(page)
        expect(page.get_by_text("A valid model for this lab", exact=False)).to_be_visible()
        train = page.get_by_role("button", name="▶▶ Train both")
        train.scroll_into_view_if_needed()
        tbox = train.bounding_box()
        assert tbox and tbox["x"] >= 0 and tbox["x"] + tbox["width"] <= 390
        train.click()
        expect(page.get_by_text("Starter (no dropout): Done", exact=False)).to_be_visible(
            timeout=180_000
        )
    finally:
        context.close()


@on_server("dark")
def test_charts_follow_the_dark_theme(browser: Browser) -> None:
    srv = server("dark")
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    try:
        train_pair(page, srv, learner="Cy")
        seen = []
        for path in ("build", "compare", "read?section=06-variants", "reflect"):
            visit(page, srv, path)
            seen += [(path, c["name"][:40], c["background"]) for c in page.evaluate(CHART_NAMES)]
        page_bg = page.evaluate(
            "() => getComputedStyle(document.querySelector('[data-testid=\"stApp\"]'))"
            ".backgroundColor"
        )
        assert page_bg.replace(" ", "") == "rgb(23,22,20)"  # Streamlit's dark background
        assert seen and all(bg.replace(" ", "") == "rgb(23,22,20)" for _, _, bg in seen), seen
    finally:
        context.close()
