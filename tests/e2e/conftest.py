"""Real-browser fixtures: a `streamlit run` server and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from app.harness import Server, running_server

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
# Two shared cores and a training worker beside the browser: give rendering room.
expect.set_options(timeout=30_000)
ARTIFACTS = Path(os.environ.get("DROPOUT_LAB_ARTIFACTS", Path(__file__).parent / "artifacts"))


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.fail("Chromium not found: install Debian's `chromium` (bash scripts/test.sh does)")
    return path


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("data")
    log = tmp_path_factory.mktemp("server") / "streamlit.log"
    with running_server(log, env={"DROPOUT_LAB_DATA_DIR": str(data_dir)}) as srv:
        yield srv


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


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


def wait_until_idle(page: Page, timeout: float = 60_000) -> None:
    """Wait for the app to render and for Streamlit's 'Running…' indicator to disappear."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_selector('[data-testid="stMainBlockContainer"]', timeout=timeout)
    page.wait_for_function(
        """() => {
            const status = document.querySelector('[data-testid="stStatusWidget"]');
            return !status || !status.innerText.includes('Running');
        }""",
        timeout=timeout,
    )
    page.wait_for_timeout(300)


def assert_no_error(page: Page) -> None:
    body = page.inner_text("body")
    assert "Page not found" not in body
    assert page.locator('[data-testid="stException"]').count() == 0, body[:2000]
    assert "Traceback" not in body
