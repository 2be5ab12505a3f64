"""The Compare step in a real browser, on a server whose precomputed runs are really trained."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from dropout_lab.ui.precompute import ENV
from tests.support.harness import Server, full_screenshot, running_server, wait_until_idle
from tests.support.lesson_runs import data_dir_with_lesson_runs

from .a11y_support import TEXT_ON_LINES
from .conftest import assert_no_error

pytestmark = pytest.mark.e2e


# Text that traces write on a chart (`mode: "text"`, like the gap panel's last values) against
# every line and marker of the same chart, in the page's own pixels: the lines sampled every
# 2 px along their paths. (The layout check of the accessibility tests looks at titles, axis
# titles, annotations and the legend, against each other: a trace's text and the lines were
# never in it.)


@pytest.fixture(scope="module")
def warm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server over a store holding every precomputed run (a copy of the session's)."""
    data = data_dir_with_lesson_runs(tmp_path_factory.mktemp("warm"))
    log = tmp_path_factory.mktemp("server") / "streamlit.log"
    with running_server(log, env={"DROPOUT_LAB_DATA_DIR": str(data), ENV: "0"}) as srv:
        yield srv


def test_compare_with_results_present(warm_server: Server, page: Page, artifacts) -> None:
    page.goto(f"{warm_server.url}/compare")
    wait_until_idle(page)
    expect(page.get_by_role("heading", name="With and without dropout")).to_be_visible()
    expect(page.get_by_role("heading", name="The rate sweep")).to_be_visible()
    expect(page.get_by_text("The end of training against the rate", exact=False)).to_be_visible()
    expect(page.locator(".js-plotly-plot")).to_have_count(3)
    expect(page.get_by_text("Preparing the comparison runs")).to_have_count(0)
    page.get_by_role("button", name="Early stopping (patience 5)").click()
    wait_until_idle(page)
    expect(page.get_by_text("The other regularisers.", exact=False)).to_be_visible()
    gap_labels = page.locator(".js-plotly-plot .textpoint text")
    expect(gap_labels).to_have_count(3)  # each run's last gap: no dropout, Dropout(0.3), early
    assert page.evaluate(TEXT_ON_LINES) == []  # written where no line or other label is
    expect(page.get_by_role("button", name="Keras script (.py)")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Notebook (.ipynb)").click()
    name = download.value.suggested_filename  # which run: its label, its rates, its seed
    assert re.fullmatch(r"dropout_lab_no_dropout_rate0_seed\d+\.ipynb", name), name
    assert_no_error(page)
    full_screenshot(page, str(artifacts / "compare.png"))


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[Server]:
    """A first start over an empty store: the server starts computing in the background."""
    env = {"DROPOUT_LAB_DATA_DIR": str(tmp_path / "data"), ENV: "1"}
    with running_server(tmp_path / "streamlit.log", env=env) as srv:
        yield srv


def test_compare_while_results_are_missing(fresh_server: Server, page: Page, artifacts) -> None:
    page.goto(f"{fresh_server.url}/compare")
    expect(page.get_by_text("runs ready", exact=False)).to_be_visible(timeout=180_000)
    expect(page.get_by_text("Preparing the comparison runs")).to_be_visible()
    page.get_by_role("link", name="1. Explore").click()  # the other steps stay usable
    expect(page.get_by_role("slider").first).to_be_visible(timeout=180_000)
    page.get_by_role("link", name="4. Compare").click()
    expect(page.get_by_text("runs ready", exact=False)).to_be_visible(timeout=180_000)
    assert_no_error(page)
    full_screenshot(page, str(artifacts / "compare-computing.png"))
