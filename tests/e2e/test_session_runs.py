"""Issue 22, in a real server and browser: a visitor who has not joined asks for two runs on one
worker (one trains, one waits), then closes the tab. The waiting run gives its place back once
the session has been gone for Streamlit's reconnect grace period (set to 1 s here); the running
one is left to train on. The worker is paused (SIGSTOP) while the tab closes, so the run cannot
finish first and let the waiting one start, however fast or slow the machine is; it is paused
for far less than the 30 s after which a silent worker's runs are taken back. It is paused only
at a moment it holds no write lock on the database (SQLite has one writer at a time: a worker
stopped mid-write would keep the withdrawal waiting as long as it is stopped)."""

from __future__ import annotations

import os
import signal
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, expect

from dropout_lab.lesson.labs import load_lab
from tests.support import editor, wait
from tests.support.harness import running_server, wait_until_idle, worker_pids

pytestmark = pytest.mark.e2e


def session_requests(data: Path) -> list[tuple[str, str]]:
    engine = sa.create_engine(f"sqlite:///{data / 'dropout-lab.sqlite3'}")
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT lane, state FROM run_requests ORDER BY id"))
            return [(lane, state) for lane, state in rows if lane.startswith("session:")]
    finally:
        engine.dispose()


def epochs_done(data: Path) -> int:
    """The epochs done of the run being trained (its progress row), 0 when there is none."""
    engine = sa.create_engine(f"sqlite:///{data / 'dropout-lab.sqlite3'}")
    try:
        with engine.connect() as conn:
            done = conn.execute(sa.text("SELECT MAX(epochs_done) FROM run_progress")).scalar()
            return int(done or 0)
    finally:
        engine.dispose()


def write_lock_free(data: Path) -> bool:
    """Whether a write transaction can begin on the app's database now."""
    conn = sqlite3.connect(data / "dropout-lab.sqlite3", timeout=0.5)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.rollback()
        return True
    except sqlite3.OperationalError:  # "database is locked"
        return False
    finally:
        conn.close()


def pause_outside_a_write(worker: int, data: Path) -> None:
    """SIGSTOP `worker` at a moment it holds no write lock (else let it go on and try again)."""

    def paused() -> bool:
        os.kill(worker, signal.SIGSTOP)
        if write_lock_free(data):
            return True
        os.kill(worker, signal.SIGCONT)
        return False

    wait.until(paused, what="the worker paused outside a write")


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
        epochs.fill("300")
        epochs.press("Enter")
        wait_until_idle(page)
        page.get_by_role("button", name="▶▶ Train both").click()
        expect(page.get_by_text("Epoch", exact=False).first).to_be_visible(timeout=180_000)

        def one_training_one_waiting() -> bool:
            return sorted(st for _, st in session_requests(data)) == ["queued", "running"]

        wait.until(one_training_one_waiting, timeout=180, what="one run training and one waiting")
        (worker,) = wait.until(lambda: worker_pids(server.process.pid), what="the worker")
        pause_outside_a_write(worker, data)
        try:
            assert one_training_one_waiting()  # nothing moved between the look and the pause
            context.close()  # the visitor leaves

            def waiting_gone() -> list[str]:
                now = sorted(st for _, st in session_requests(data))
                return now if "queued" not in now else []

            after = wait.until(waiting_gone, what="the closed tab's waiting run to be withdrawn")
        finally:
            os.kill(worker, signal.SIGCONT)
        assert after == ["running", "withdrawn"]  # the one training is left alone:
        # it trains on (its epochs grow, its request still running), not waited out to the
        # end: 300 epochs took a minute on two cores, and a run that trains on is a run that
        # finishes as every run does (tests/unit/test_runs.py)
        at_pause = epochs_done(data)
        wait.until(lambda: epochs_done(data) >= at_pause + 3, timeout=180,
                   what="the run left training to go on")  # fmt: skip
        assert sorted(st for _, st in session_requests(data)) == ["running", "withdrawn"]
