"""Kill test: a learner's progress, once the app has shown it, survives the server being killed
with SIGKILL, and their own resume link (the address the app kept) brings it back. A real
`streamlit run` server, a real browser, the default SQLite database."""

from __future__ import annotations

import signal
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.support.harness import running_server, wait_until_idle

from .conftest import assert_no_error

pytestmark = pytest.mark.e2e

LINK = "?learner=Ada&class=KILL1"


def sidebar(page: Page):
    return page.locator('[data-testid="stSidebar"]')


def test_progress_survives_sigkill(browser, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    env = {"DROPOUT_LAB_DATA_DIR": str(data_dir), "DROPOUT_LAB_PRECOMPUTE": "0"}

    with running_server(tmp_path / "first.log", env=env) as srv:
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        page = context.new_page()
        page.goto(f"{srv.url}/explore{LINK}")
        wait_until_idle(page)
        expect(sidebar(page)).to_contain_text("Ada")
        expect(sidebar(page)).not_to_contain_text("1. Explore ✓")
        slider = page.get_by_role("slider").first
        slider.focus()
        page.keyboard.press("ArrowRight")  # moved the rate
        expect(sidebar(page)).to_contain_text("1. Explore ◐", timeout=180_000)
        page.get_by_text("Inference mode").click()  # looked at inference mode
        expect(sidebar(page)).to_contain_text("1. Explore ✓", timeout=180_000)  # acknowledged
        expect(sidebar(page)).to_contain_text("1 of 5 steps done")
        assert_no_error(page)
        page.wait_for_url("**resume=*")  # the address is the learner's own resume link
        bookmark = parse_qs(urlsplit(page.url).query)["resume"][0]
        assert "learner" not in page.url and "class=" not in page.url
        context.close()
        srv.process.send_signal(signal.SIGKILL)  # no shutdown, no flush, no goodbye
        assert srv.process.wait(timeout=10) == -signal.SIGKILL

    with running_server(tmp_path / "second.log", env=env) as srv:
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        page = context.new_page()
        page.goto(f"{srv.url}/?resume={bookmark}")  # the bookmark: a fresh session
        wait_until_idle(page)
        expect(sidebar(page)).to_contain_text("Ada", timeout=180_000)
        expect(sidebar(page)).to_contain_text("1. Explore ✓", timeout=180_000)
        expect(sidebar(page)).not_to_contain_text("2. Read ✓")
        assert_no_error(page)
        context.close()
