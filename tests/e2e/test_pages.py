"""Every page in a real browser: no exception, no 'Page not found', a screenshot of each."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from dropout_lab.lesson.steps import STEP_IDS
from tests.support.harness import full_screenshot, wait_until_idle

from .conftest import ON_REFLECTS_SERVER, assert_no_error

pytestmark = pytest.mark.e2e


def _param(value: str) -> object:
    """`value`, on Reflect's server's worker when it opens Reflect (its Monte Carlo passes)."""
    marks = [ON_REFLECTS_SERVER] if value.startswith("reflect") else []
    return pytest.param(value, marks=marks)


@pytest.mark.parametrize("path", [_param(p) for p in ["", *STEP_IDS]])
def test_page_renders_without_error(server, page: Page, artifacts, path: str) -> None:
    page.goto(f"{server.url}/{path}")
    wait_until_idle(page)
    assert_no_error(page)
    expect(page.locator("h1").first).to_be_visible()
    full_screenshot(page, str(artifacts / f"page-{path or 'overview'}.png"))


def test_sidebar_marks_mean_the_criteria_not_a_visit(server, page: Page) -> None:
    page.goto(f"{server.url}/explore")
    wait_until_idle(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar).to_contain_text("1. Explore")
    expect(sidebar).not_to_contain_text("✓")  # visited, nothing done yet (issue 23)
    slider = page.get_by_role("slider", name=re.compile("Dropout rate"))
    slider.focus()
    page.keyboard.press("ArrowRight")  # the rate moved: one of Explore's two criteria
    expect(sidebar).to_contain_text("1. Explore ◐", timeout=180_000)


def test_explore_deep_link_and_slider(server, page: Page, artifacts) -> None:
    page.goto(f"{server.url}/explore?rate=0.5")
    wait_until_idle(page)
    scale = page.get_by_test_id("explore-scale")  # in the live view (a v2 component)
    expect(scale).to_have_text("× 2")
    slider = page.get_by_role("slider", name=re.compile("Dropout rate"))
    slider.focus()
    page.keyboard.press("ArrowRight")  # 0.5 → 0.55: 1/0.45
    expect(scale).to_have_text("× 2.222", timeout=180_000)
    expect(page).to_have_url(re.compile(r"rate=0\.55"))
    page.keyboard.press("End")  # 0.9: scale 10
    expect(scale).to_have_text("× 10", timeout=180_000)
    assert_no_error(page)
    full_screenshot(page, str(artifacts / "explore-rate-0.9.png"))


def test_explore_inference_mode_is_identity(server, page: Page) -> None:
    page.goto(f"{server.url}/explore")
    wait_until_idle(page)
    page.get_by_text("Inference mode").click()
    scale = page.get_by_test_id("explore-scale")
    expect(scale).to_have_text("× 1", timeout=180_000)
    expect(page.get_by_text("equals the input")).to_be_visible()
    assert_no_error(page)


@pytest.mark.parametrize(
    "link",
    [
        "explore?rate=abc&seed=%C2%B2",
        "explore?rate=1e400&seed=-1",
        "read?section=999",
        "?step=nope",
        "?learner=%3Cscript%3Ealert(1)%3C%2Fscript%3E&class=",
        "build?learner=Ada&class=" + "x" * 300,
        _param("reflect?learner=&class=C1"),
    ],
)
def test_malformed_deep_links_never_show_a_traceback(server, page: Page, link: str) -> None:
    page.goto(f"{server.url}/{link}")
    wait_until_idle(page)
    assert_no_error(page)
    expect(page.locator("h1").first).to_be_visible()
