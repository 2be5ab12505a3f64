"""The NumPy lab in a real browser: grade the starter (feedback with hints), then the solution."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from dropout_lab.lesson.labs import load_lab
from tests.sandbox_required import require_sandbox  # noqa: F401  (autouse)
from tests.support.harness import full_screenshot, wait_until_idle

from .conftest import assert_no_error

pytestmark = pytest.mark.e2e


def test_wrong_then_right_submission(server, page: Page, artifacts) -> None:
    page.goto(f"{server.url}/build")
    wait_until_idle(page)
    page.get_by_text("NumPy: write dropout yourself").click()
    wait_until_idle(page)
    page.get_by_role("button", name="▶ Grade").click()
    expect(page.get_by_text("❌ Drops a fraction", exact=False)).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Hint:", exact=False).first).to_be_visible()
    editor = page.get_by_role("textbox").first
    editor.fill(load_lab("numpy_dropout").solution)
    editor.press("Control+Enter")
    wait_until_idle(page)
    page.get_by_role("button", name="▶ Grade").click()
    expect(page.get_by_text("Every property holds", exact=False)).to_be_visible(timeout=30_000)
    expect(page.get_by_text("❌", exact=False)).to_have_count(0)
    wait_until_idle(page)
    assert_no_error(page)
    full_screenshot(page, str(artifacts / "numpy-lab.png"))
