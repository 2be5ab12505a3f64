"""Issue 22, in a real server and browser: a visitor who has not joined asks for two runs on one
worker (one trains, one waits), then closes the tab. The waiting run gives its place back once
the session has been gone for Streamlit's reconnect grace period (set to 1 s here); the running
one is left to finish."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, expect

from dropout_lab.lesson.labs import load_lab
from tests.support import editor, wait
from tests.support.harness import running_server, wait_until_idle

pytestmark = pytest.mark.e2e


def session_requests(data: Path) -> list[tuple[str, str]]:
    engine = sa.create_engine(f"sqlite:///{data / 'dropout-lab.sqlite3'}")
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT lane, state FROM run_requests ORDER BY id"))
            return [(lane, state) for lane, state in rows if lane.startswith("session:")]
    finally:
        engine.dispose()


def test_a_closed_tabs_waiting_run_gives_its_place_back(browser: Browser, tmp_path: Path):
    data = tmp_path / "data"
    env = {"DROPOUT_LAB_DATA_DIR": str(data), "DROPOUT_LAB_PRECOMPUTE": "0",
           "DROPOUT_LAB_WORKERS": "1", "DROPOUT_LAB_PREDICTIONS": "off",
           "STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": "1"}  # fmt: skip
    with running_server(tmp_path / "server.log", env=env) as server:
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        page = context.new_page()
        page.goto(f"{server.url}/build")
        wait_until_idle(page)
        editor.paste_code(page, "Keras code", load_lab("overfit").solution)
        epochs = page.get_by_label("Epochs")
        epochs.fill("300")  # long enough that the first is still training when the tab closes
        epochs.press("Enter")
        wait_until_idle(page)
        page.get_by_role("button", name="▶▶ Train both").click()
        expect(page.get_by_text("Epoch", exact=False).first).to_be_visible(timeout=120_000)

        def one_training_one_waiting() -> bool:
            return sorted(st for _, st in session_requests(data)) == ["queued", "running"]

        wait.until(one_training_one_waiting, what="one run training and one waiting")
        context.close()  # the visitor leaves

        def waiting_gone() -> list[str]:
            now = sorted(st for _, st in session_requests(data))
            return now if "queued" not in now else []

        after = wait.until(waiting_gone, what="the closed tab's waiting run to be withdrawn")
        assert "withdrawn" in after
        assert "running" in after or "done" in after  # the one training was left to finish
