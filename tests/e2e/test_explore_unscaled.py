"""CS231n's "what if you do not divide by 1 − p?" on Explore, in a real browser (issue 25, part 8):
after the scale's prediction the learner predicts what the next layer gets at test time without
the scaling, with nothing on the page giving it away (no table, no live view, no intro with the
1/(1−p)); then observes it on the page's own layer: the numbers NumPy computes from the live
view's activations and mask. Light and dark, at 1366 and 390 px, axe-core on both; screenshots
in the artifacts."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Page, expect

from tests.support import wait
from tests.support.axe import audit, describe
from tests.support.harness import Server, full_screenshot, running_server, wait_until_idle

from .conftest import assert_no_error

pytestmark = pytest.mark.e2e

SEED = 3  # the mask seed, from the address: the reveal and the live view use the same
QUESTION = "forgot"  # a word of the question's prompt
SLIDER = '[data-testid="explore-rate-slider"]'
SIZES = {"desktop": 1366, "phone": 390}


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Server]]:
    """Two servers that ask for predictions, one per theme (Streamlit's STREAMLIT_THEME_BASE)."""
    with contextlib.ExitStack() as stack:
        out = {}
        for theme in ("light", "dark"):
            data = tmp_path_factory.mktemp(f"unscaled-{theme}")
            env = {"DROPOUT_LAB_DATA_DIR": str(data), "DROPOUT_LAB_PRECOMPUTE": "0",
                   "DROPOUT_LAB_PREDICTIONS": "on", "STREAMLIT_THEME_BASE": theme}  # fmt: skip
            out[theme] = stack.enter_context(running_server(data / "streamlit.log", env=env))
        yield out


def expected_rows() -> list[list[str]]:
    """The reveal's table as NumPy computes it: (this mask, 1,000 masks' average, expected) for
    no scaling, the 1/(1 − p) scaling and test time, at p = 0.5 on the live view's layer."""
    from dropout_lab.lesson import explore, rng

    x, p = explore.example_layer(), 0.5
    keep = rng.keep_bits(SEED, explore.STREAMS["layer"], p, x.size)
    plain, scaled = np.mean(np.where(keep, x, 0.0)), np.mean(np.where(keep, x / (1 - p), 0.0))
    return [[f"{plain:.3g}", f"{(1 - p) * x.mean():.3g}"],
            [f"{scaled:.3g}", f"{x.mean():.3g}"],
            [f"{x.mean():.3g}", f"{x.mean():.3g}"]]  # fmt: skip


def table_rows(page: Page) -> list[list[str]]:
    """The body rows of the reveal's table: each row's cells, the row's label first (once all
    three are drawn: the heading and the feedback above it can be on the page before it)."""
    rows = page.locator('[data-testid="stTable"] tbody tr')
    expect(rows).to_have_count(3, timeout=180_000)
    return [[c.strip() for c in r.locator("th, td").all_inner_texts()] for r in rows.all()]


def shoot(page: Page, artifacts: Path, name: str) -> None:
    for size, width in SIZES.items():
        full_screenshot(page, str(artifacts / f"{name}-{size}.png"), width=width)
    page.set_viewport_size({"width": 1366, "height": 900})


def open_the_second_question(page: Page, server: Server) -> None:
    page.goto(f"{server.url}/explore?seed={SEED}")
    wait_until_idle(page)
    page.get_by_label("Scale factor of a kept unit at p = 0.5").fill("2")
    page.get_by_role("button", name="Check").click()
    wait_until_idle(page)
    expect(page.get_by_text("Right: at p = 0.5 Keras multiplies", exact=False)).to_be_visible()
    expect(page.get_by_text(QUESTION, exact=False)).to_be_visible()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_predict_then_observe_what_happens_without_the_scaling(
    servers: dict[str, Server], page: Page, artifacts: Path, theme: str
) -> None:
    open_the_second_question(page, servers[theme])
    # Asked, and nothing answers it yet: no numbers, no live view, no intro with the scaling.
    expect(page.locator('[data-testid="stTable"]')).to_have_count(0)
    expect(page.locator(SLIDER)).to_have_count(0)
    expect(page.get_by_text("Test time: nothing dropped")).to_have_count(0)
    expect(page.get_by_text("Answer the question above, or skip it, and the live view opens.")
           ).to_be_visible()  # fmt: skip
    assert "so that, on average, the layer's output is unchanged" not in page.inner_text("body")
    shoot(page, artifacts, f"explore-unscaled-predict-{theme}")
    wait_until_idle(page)  # the screenshot's resizes make the page draw itself again
    choice = page.get_by_role("radio", name="about the same as in training")

    def chosen() -> bool:
        if not choice.is_checked():
            choice.click(force=True)  # a click that lands during a redraw is lost: click again
        return choice.is_checked()

    wait.until(chosen, what="the answer chosen")
    page.get_by_role("button", name="Check").click()
    wait_until_idle(page)
    # Observed on the page's own layer, the numbers NumPy gives.
    expect(page.get_by_role("heading", name="What if you do not divide by 1 − p?")).to_be_visible()
    expect(page.get_by_text("Not quite: at test time the next layer's input is on average",
                            exact=False)).to_be_visible()  # fmt: skip
    rows = table_rows(page)
    assert [r[0] for r in rows] == ["Training, kept units not scaled",
                                    "Training, kept units × 1/(1 − p) (Keras)",
                                    "Test time: nothing dropped"], rows  # fmt: skip
    for row, (mask, expected) in zip(rows, expected_rows(), strict=True):
        assert (row[1], row[3]) == (mask, expected), row
    assert abs(float(rows[0][2]) - float(rows[0][3])) < 0.02  # 1,000 masks near the expectation
    expect(page.get_by_text(f"at test time it gets {rows[2][1]}, 2 times as much", exact=False)
           ).to_be_visible()  # fmt: skip
    expect(page.locator(SLIDER)).to_be_visible(timeout=180_000)  # and the live view opens
    assert_no_error(page)
    violations = audit(page)
    assert not violations, describe(f"explore ({theme})", violations)
    page.get_by_role(
        "heading", name="What if you do not divide by 1 − p?"
    ).scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / f"explore-unscaled-reveal-{theme}.png"))
    shoot(page, artifacts, f"explore-unscaled-reveal-{theme}")
    page.set_viewport_size({"width": 390, "height": 844})
    wait_until_idle(page)
    violations = audit(page)
    assert not violations, describe(f"explore ({theme}, phone)", violations)
