"""Real-browser fixtures: a `streamlit run` server and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.support.harness import Server, running_server
from tests.support.lesson_runs import data_dir_with_lesson_runs

ARTIFACTS = Path(os.environ.get("DROPOUT_LAB_ARTIFACTS", Path(__file__).parent / "artifacts"))


# The tests whose page runs Reflect's Monte Carlo passes through the `server` fixture: on one
# xdist worker, so one server pays for the first run of them (loading TensorFlow and the models,
# then the passes: about 30 s on two busy cores), not one server per worker.
ON_REFLECTS_SERVER = pytest.mark.xdist_group("e2e-reflect")


@pytest.fixture(scope="session", autouse=True)
def no_predictions() -> Iterator[None]:
    """Every server of these tests shows each step's outcome at once, as their tests expect:
    no prediction before the reveals (tests/e2e/test_predictions.py starts its own with them)."""
    previous = os.environ.get("DROPOUT_LAB_PREDICTIONS")
    os.environ["DROPOUT_LAB_PREDICTIONS"] = "off"
    yield
    if previous is None:
        os.environ.pop("DROPOUT_LAB_PREDICTIONS", None)
    else:
        os.environ["DROPOUT_LAB_PREDICTIONS"] = previous


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server per worker, over a copy of the lesson's trained runs (trained once per test
    run): every page finds the reference runs as a hosted lesson does after its first start, so
    no visit waits for a training that another module of the same worker may or may not have
    done first (the page's state no longer depends on the order xdist runs modules in)."""
    data_dir = data_dir_with_lesson_runs(tmp_path_factory.mktemp("data"))
    log = tmp_path_factory.mktemp("server") / "streamlit.log"
    env = {"DROPOUT_LAB_DATA_DIR": str(data_dir), "DROPOUT_LAB_PRECOMPUTE": "0"}
    with running_server(log, env=env) as srv:
        yield srv


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def assert_no_error(page: Page) -> None:
    body = page.inner_text("body")
    assert "Page not found" not in body
    assert page.locator('[data-testid="stException"]').count() == 0, body[:2000]
    assert "Traceback" not in body
