"""The Reflect step in a real browser: MC dropout on the reference model, a written answer
revealed, the passes slider moved, and a screenshot (reflect.png)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.support.harness import full_screenshot, wait_until_idle

from .conftest import ON_REFLECTS_SERVER, assert_no_error

pytestmark = [pytest.mark.e2e, ON_REFLECTS_SERVER]


def test_reflect_runs_mc_dropout_and_keeps_answers(server, page: Page, artifacts) -> None:
    page.goto(f"{server.url}/reflect")
    wait_until_idle(page)
    # Without a learner's run the page trains (or finds) the lesson's two models first.
    expect(page.get_by_text("Dropout(0.3) model", exact=False).first).to_be_visible(
        timeout=180_000)  # fmt: skip
    expect(page.get_by_text("MC mean of 100 passes")).to_be_visible(timeout=180_000)
    wait_until_idle(page)
    # The packet's passes, the whole set and the two scales of the spread, each named for a
    # screen reader (a learner's own runs may add more charts; the page only grows).
    names = page.locator('[data-testid="stPlotlyChart"]').evaluate_all(
        "charts => charts.map(c => c.getAttribute('aria-label') || '')"
    )
    assert len(names) >= 3 and all(names), names
    slider = page.get_by_role("slider").first
    slider.focus()
    page.keyboard.press("End")  # T = 500
    expect(page.get_by_text("MC mean of 500 passes")).to_be_visible(timeout=180_000)
    wait_until_idle(page)

    answer = page.get_by_placeholder("Write your answer here", exact=False).first
    answer.fill("No: predict runs with training=False, so every unit is used.")
    answer.press("Control+Enter")
    wait_until_idle(page)
    page.get_by_role("button", name="Reveal model answer").first.click()
    expect(page.get_by_text("Model answer.", exact=False).first).to_be_visible()
    wait_until_idle(page)
    assert_no_error(page)
    full_screenshot(page, str(artifacts / "reflect.png"))

    # Leave for another step through the sidebar (same session) and come back.
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_role("link", name="1. Explore").click()
    wait_until_idle(page)
    sidebar.get_by_role("link", name="5. Reflect").click()
    wait_until_idle(page)
    expect(page.get_by_placeholder("Write your answer here", exact=False).first).to_have_value(
        "No: predict runs with training=False, so every unit is used."
    )
    assert_no_error(page)
