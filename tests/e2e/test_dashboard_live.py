"""An instructor's day in a real browser (issue 23, item 2): the open dashboard shows a learner
who joins without a click, says when it last read the class, survives a reload (F5) without the
token and with nothing secret in the address, forgets itself once locked, and its projector
view shows no name. Screenshots in the artifacts (1366 px and 390 px)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from dropout_lab.store import Store
from dropout_lab.ui.dashboard_refresh import SECONDS
from tests.support.harness import Server, full_screenshot, running_server, wait_until_idle

from .conftest import assert_no_error

pytestmark = pytest.mark.e2e

TOKEN = "e2e-dashboard-token-4f7a"
CLASS = "LIVE-1"
KEPT = "dropout-lab.dashboard"  # the sessionStorage item (ui/dashboard_keep.py)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("dashboard-data")


@pytest.fixture(scope="module")
def instructor_server(data_dir: Path, tmp_path_factory) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("dashboard-server") / "streamlit.log"
    env = {"DROPOUT_LAB_DATA_DIR": str(data_dir), "DROPOUT_LAB_PRECOMPUTE": "0",
           "DROPOUT_LAB_INSTRUCTOR_TOKEN": TOKEN}  # fmt: skip
    with running_server(log, env=env) as srv:
        yield srv


def join(data_dir: Path, name: str) -> None:
    """A learner joins the class (in the server's own database), as the join form does."""
    store = Store(f"sqlite:///{data_dir / 'dropout-lab.sqlite3'}")
    try:
        store.join(name, CLASS)
    finally:
        store.close()


def learner(page: Page, name: str):
    """The learner's expander on the dashboard (the progress table is drawn on a canvas)."""
    return page.locator('[data-testid="stExpander"] summary').get_by_text(name, exact=True)


def open_dashboard(page: Page, url: str) -> None:
    page.goto(f"{url}/dashboard")
    wait_until_idle(page)
    page.get_by_label("Instructor token", exact=True).fill(TOKEN)
    page.get_by_role("button", name="Open the dashboard").click()
    wait_until_idle(page)
    main = page.locator('[data-testid="stMainBlockContainer"]')
    box = main.get_by_label("Class code", exact=True)  # not the sidebar's join form
    box.fill(CLASS)
    box.press("Enter")
    wait_until_idle(page)


def test_live_reload_lock_and_projector(
    instructor_server: Server, data_dir: Path, browser: Browser, artifacts: Path
) -> None:
    join(data_dir, "Ada")
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    try:
        open_dashboard(page, instructor_server.url)
        expect(learner(page, "Ada")).to_be_visible()
        expect(page.get_by_text(re.compile(r"Updated \d+ s ago"))).to_be_visible()

        join(data_dir, "Bea")  # nobody touches the page
        expect(learner(page, "Bea")).to_be_visible(timeout=(3 * SECONDS + 30) * 1000)
        assert_no_error(page)
        full_screenshot(page, str(artifacts / "dashboard-live.png"))

        page.reload()  # F5: the dashboard and its class come back, no token asked
        wait_until_idle(page)
        expect(learner(page, "Bea")).to_be_visible(timeout=180_000)
        expect(page.get_by_label("Instructor token", exact=True)).to_have_count(0)
        main = page.locator('[data-testid="stMainBlockContainer"]')
        expect(main.get_by_label("Class code", exact=True)).to_have_value(CLASS)
        kept = page.evaluate(f"sessionStorage.getItem({KEPT!r})")
        assert isinstance(kept, str) and len(kept) >= 40 and TOKEN not in kept
        for secret in (TOKEN, kept):
            assert secret not in page.url
        assert "?" not in page.url and "#" not in page.url, page.url
        assert kept not in page.evaluate("document.cookie")

        projector = page.get_by_text("Projector view: the class as a whole", exact=False)
        projector.click()
        wait_until_idle(page)
        expect(page.get_by_role("heading", name="The class at a glance")).to_be_visible()
        expect(learner(page, "Ada")).to_have_count(0)  # the named page's last elements gone
        wait_until_idle(page)
        body = page.inner_text("body")
        assert "Ada" not in body and "Bea" not in body, body[:3000]
        assert_no_error(page)
        full_screenshot(page, str(artifacts / "dashboard-projector.png"))
        projector.click()
        wait_until_idle(page)

        page.get_by_role("button", name="Lock the dashboard").click()
        wait_until_idle(page)
        expect(page.get_by_label("Instructor token", exact=True)).to_be_visible()
        page.reload()  # locked: the tab's key opens nothing, the token is asked again
        wait_until_idle(page)
        expect(page.get_by_label("Instructor token", exact=True)).to_be_visible()
        assert page.evaluate(f"sessionStorage.getItem({KEPT!r})") is None
        expect(learner(page, "Ada")).to_have_count(0)
    finally:
        context.close()


def test_a_fresh_tab_asks_for_the_token(
    instructor_server: Server, data_dir: Path, browser: Browser, artifacts: Path
) -> None:
    """The key is the tab's own: another tab (or the next person at the computer) is asked."""
    join(data_dir, "Cy")
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        open_dashboard(page, instructor_server.url)
        expect(learner(page, "Cy")).to_be_visible()
        full_screenshot(page, str(artifacts / "dashboard-phone.png"), width=390)
        other = context.new_page()
        other.goto(f"{instructor_server.url}/dashboard")
        wait_until_idle(other)
        expect(other.get_by_label("Instructor token", exact=True)).to_be_visible()
        expect(learner(other, "Cy")).to_have_count(0)
    finally:
        context.close()
