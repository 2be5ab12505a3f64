"""The Build step in a real browser: write the solution, train both models, see the curves."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from dropout_lab.lesson.labs import load_lab
from tests.support import editor
from tests.support.harness import full_screenshot, wait_until_idle

from .conftest import assert_no_error

pytestmark = pytest.mark.e2e


def test_train_both_shows_live_curves(server, page: Page, artifacts) -> None:
    page.goto(f"{server.url}/build")
    wait_until_idle(page)
    editor.paste_code(page, "Keras code", load_lab("overfit").solution)  # checked as it comes
    expect(page.get_by_text("✅ Dropout after at least one hidden layer")).to_be_visible()
    epochs = page.get_by_label("Epochs")
    epochs.fill("12")
    epochs.press("Enter")
    wait_until_idle(page)
    page.get_by_role("button", name="▶▶ Train both").click()
    expect(page.get_by_text("Epoch", exact=False).first).to_be_visible(timeout=180_000)
    expect(page.get_by_text("Your model: Done")).to_be_visible(timeout=120_000)
    expect(page.get_by_text("Starter (no dropout): Done")).to_be_visible(timeout=120_000)
    wait_until_idle(page)
    assert_no_error(page)
    full_screenshot(page, str(artifacts / "build-trained.png"))


def test_refused_code_shows_its_message(server, page: Page) -> None:
    page.goto(f"{server.url}/build")
    wait_until_idle(page)
    editor.paste_code(page, "Keras code", "import os\nos.system('touch /tmp/dropout-lab-pwned')\n")
    expect(page.get_by_text("Line 1:", exact=False).first).to_be_visible()
    marker = page.locator(editor.MARKER).first  # and in the editor's gutter
    expect(marker).to_have_attribute("aria-label", re.compile("^Line 1:"))
    expect(page.get_by_role("button", name="▶ Train mine")).to_be_disabled()
    assert_no_error(page)
