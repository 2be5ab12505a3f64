"""Fixtures every test folder shares. One Playwright for the whole session: a second
`sync_playwright()` while the first runs fails ("Sync API inside the asyncio loop"), so the
browser tests of every folder (e2e, hosting, queue) take this one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.harness import launch_chromium


@pytest.fixture(scope="session", autouse=True)
def patient_expectations() -> None:
    """Browser assertions wait up to 30 s, not Playwright's 5: on two busy cores a chart or a
    rerun can take longer, and an assertion that holds passes as soon as it does."""
    from playwright.sync_api import expect

    expect.set_options(timeout=30_000)


@pytest.fixture(scope="session")
def browser() -> Iterator:  # -> playwright.sync_api.Browser
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()
