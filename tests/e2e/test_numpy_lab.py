"""The NumPy labs in a real browser: grade the starter (feedback with hints), then the solution;
the backprop lab's solution passes, then trains the NumPy network: both NumPy curves, beside
the learner's Keras runs, and the sentence on the gap."""

from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from dropout_lab.lesson.labs import load_lab
from tests.sandbox_required import require_sandbox  # noqa: F401  (autouse)
from tests.support import editor
from tests.support.harness import full_screenshot, wait_until_idle

from .conftest import assert_no_error

pytestmark = pytest.mark.e2e


def test_wrong_then_right_submission(server, page: Page, artifacts) -> None:
    page.goto(f"{server.url}/build")
    wait_until_idle(page)
    page.get_by_text("NumPy: write dropout yourself").click()
    wait_until_idle(page)
    page.get_by_role("button", name="▶ Grade").click()
    expect(page.get_by_text("❌ Drops a fraction", exact=False)).to_be_visible(timeout=180_000)
    expect(page.get_by_text("Idea.", exact=False).first).to_be_visible()  # the first level
    editor.paste_code(page, "NumPy code", load_lab("numpy_dropout").solution)
    wait_until_idle(page)
    page.get_by_role("button", name="▶ Grade").click()
    expect(page.get_by_text("Every property holds", exact=False)).to_be_visible(timeout=180_000)
    expect(page.get_by_text("❌", exact=False)).to_have_count(0)
    wait_until_idle(page)
    assert_no_error(page)
    full_screenshot(page, str(artifacts / "numpy-lab.png"))


def train_the_keras_pair(page: Page, epochs: int) -> None:
    """A few epochs of both Keras models, so that the NumPy curves have Keras runs beside."""
    editor.paste_code(page, "Keras code", load_lab("overfit").solution)
    expect(page.get_by_text("✅ Dropout after at least one hidden layer")).to_be_visible()
    box = page.get_by_label("Epochs")
    box.fill(str(epochs))
    box.press("Enter")
    wait_until_idle(page)
    page.get_by_role("button", name="▶▶ Train both").click()
    expect(page.get_by_text("Your model: Done")).to_be_visible(timeout=180_000)
    expect(page.get_by_text("Starter (no dropout): Done")).to_be_visible(timeout=180_000)
    wait_until_idle(page)


def live_screenshot(page: Page, path) -> None:
    """The curves half-drawn, if the run is slow enough to be caught (1-4 s here): an
    artifact, not an assertion (tests/unit/test_numpy_net.py asserts the partial progress)."""
    try:
        page.wait_for_function(
            "() => /Epoch [1-9][0-9]* of 50/.test(document.body.innerText)",
            timeout=5_000,
            polling=50,
        )
        chart = page.locator('[data-testid="stPlotlyChart"]').last
        chart.scroll_into_view_if_needed(timeout=1_000)
        page.screenshot(path=str(path))
    except PlaywrightError:  # no epoch in time, or the chart redrawn under the scroll (seen in CI)
        return


def test_backprop_lab_trains_the_network_with_both_numpy_curves(server, page: Page, artifacts):
    page.goto(f"{server.url}/build")
    wait_until_idle(page)
    train_the_keras_pair(page, epochs=8)
    page.get_by_text("NumPy: backpropagate through it").click()
    wait_until_idle(page)
    page.get_by_role("button", name="▶ Grade").click()
    expect(page.get_by_text("❌ dx is scaled by 1 / (1 - rate)", exact=False)).to_be_visible(
        timeout=180_000
    )
    editor.paste_code(page, "NumPy code", load_lab("numpy_backprop").solution)
    wait_until_idle(page)
    page.get_by_role("button", name="▶ Grade").click()
    expect(page.get_by_text("Both passes hold", exact=False)).to_be_visible(timeout=180_000)
    expect(page.get_by_text("❌", exact=False)).to_have_count(0)
    page.get_by_role("button", name="▶ Train with my dropout").click()
    live_screenshot(page, artifacts / "numpy-backprop-training.png")
    expect(page.get_by_text("Trained both variants", exact=False)).to_be_visible(timeout=180_000)
    wait_until_idle(page)
    for name in ("NumPy, no dropout: training", "NumPy, your dropout: validation",
                 "Keras, Your model: validation"):  # fmt: skip
        expect(page.get_by_text(name).first).to_be_visible()
    expect(page.get_by_text("the gap between validation and training loss at epoch 50",
                            exact=False)).to_be_visible()  # fmt: skip
    assert_no_error(page)
    full_screenshot(page, str(artifacts / "numpy-backprop-trained.png"))
