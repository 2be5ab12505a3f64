"""Fixtures every test folder shares. One Playwright for the whole session: a second
`sync_playwright()` while the first runs fails ("Sync API inside the asyncio loop"), so the
browser tests of every folder (e2e, hosting, queue) take this one."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.harness import launch_chromium
from tests.support.lesson_runs import SHARED_ENV


@pytest.fixture(scope="session", autouse=True)
def patient_expectations() -> None:
    """Browser assertions wait up to 90 s, not Playwright's 5: on two cores shared by parallel
    workers (and, for a moment, a sandbox corpus's fork bomb) a chart or a rerun can take long,
    and an assertion that holds passes as soon as it does."""
    from playwright.sync_api import expect

    expect.set_options(timeout=90_000)


@pytest.fixture(scope="session", autouse=True)
def component_manifests_scanned_once() -> None:
    """Streamlit's AppTest scans every installed distribution for component manifests each time
    one is made (0.16 s of CPU, 2026-12-07); the installed packages do not change during a test
    run, so the first scan's answer serves them all."""
    from functools import cache

    from streamlit.components.v2 import manifest_scanner

    manifest_scanner.scan_component_manifests = cache(manifest_scanner.scan_component_manifests)


@pytest.fixture(scope="session")
def browser() -> Iterator:  # -> playwright.sync_api.Browser
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()


# --- Spreading the suite over pytest-xdist workers (tests/support/schedule.py) ----------------


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--record-durations",
        action="store_true",
        help="write each test's seconds to tests/data/test_durations.json (the scheduler's guide)",
    )


def pytest_configure(config: pytest.Config) -> None:
    from tests.support import schedule

    worker = hasattr(config, "workerinput")
    if config.getoption("--record-durations") and not worker:
        config.pluginmanager.register(schedule.DurationRecorder(schedule.DURATIONS))
    if not worker and SHARED_ENV not in os.environ:
        # One folder for the whole run, which every xdist worker inherits through the
        # environment: what is expensive to make (the lesson's trained runs) is made once there.
        os.environ[SHARED_ENV] = tempfile.mkdtemp(prefix="dropout-lab-test-run-")
        config.add_cleanup(lambda: shutil.rmtree(os.environ.pop(SHARED_ENV), ignore_errors=True))


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects: the slow marks must be there by then
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from tests.support import schedule

    durations = schedule.known_durations()
    schedule.mark_slow(items, durations, schedule.SLOW_SECONDS)
    schedule.arrange(items, durations)
    worker = getattr(config, "workerinput", None)
    if worker is not None:
        shared = Path(os.environ[SHARED_ENV])
        schedule.write_groups(shared, worker["workerid"], schedule.groups(items))


def pytest_xdist_make_scheduler(config: pytest.Config, log):
    from tests.support import schedule

    return schedule.make_scheduler(config, log, Path(os.environ[SHARED_ENV]))
