"""A real `streamlit run` server killed (SIGKILL) while a learner's run trains, then started
again on the same data directory: the learner opens their bookmark and sees the run come back
and finish, without pressing anything. A real browser (Debian's Chromium), SQLite."""

from __future__ import annotations

import re
import signal
import time
from contextlib import closing
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.support.harness import running_server, wait_until_idle

pytestmark = pytest.mark.e2e

LINK = "?learner=Ada&class=Q15"
VIEWPORT = {"width": 1366, "height": 900}
EPOCH = re.compile(r"Epoch [1-9]\d* of 300")  # training, not only claimed


def test_the_server_killed_mid_run_brings_the_run_back_by_itself(
    browser: Browser, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    env = {"DROPOUT_LAB_DATA_DIR": str(data), "DROPOUT_LAB_PRECOMPUTE": "0",
           "DROPOUT_LAB_WORKERS": "1"}  # fmt: skip
    with (
        running_server(tmp_path / "first.log", env=env) as srv,
        closing(browser.new_context(viewport=VIEWPORT)) as context,
    ):
        page = context.new_page()
        page.goto(f"{srv.url}/build{LINK}")
        wait_until_idle(page)
        epochs = page.get_by_label("Epochs")
        epochs.fill("300")
        epochs.press("Enter")
        wait_until_idle(page)
        skip = page.get_by_role("button", name="Skip")  # a prediction asked first, if any
        if skip.count():
            skip.first.click()
            wait_until_idle(page)
        page.get_by_role("button", name="▶ Train mine").click()
        expect(page.get_by_text(EPOCH).first).to_be_visible(timeout=90_000)
        bookmark = page.url.split("?", 1)[1]  # the address as the app keeps it (resume code)
        srv.process.send_signal(signal.SIGKILL)  # mid-run: no shutdown, no goodbye
        killed_at = time.monotonic()
        assert srv.process.wait(timeout=10) == -signal.SIGKILL

    with (
        running_server(tmp_path / "second.log", env=env) as srv,
        closing(browser.new_context(viewport=VIEWPORT)) as context,
    ):
        page = context.new_page()
        page.goto(f"{srv.url}/build?{bookmark}")  # the bookmark, a fresh session
        # No wait for a quiet page here: the page redraws as the run trains, and on a fast
        # machine (300 epochs in 14 s, in CI) the run was over before the check began.
        note = page.get_by_text("it is trained again, by itself")
        expect(note.first).to_be_visible(timeout=120_000)
        back = time.monotonic() - killed_at
        expect(page.get_by_text("Done: 300 epochs")).to_be_visible(timeout=300_000)
        print(
            f"server killed: the run shown again {back:.1f} s after the kill (restart "
            f"included), done {time.monotonic() - killed_at:.1f} s after it"
        )
