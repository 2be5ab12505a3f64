"""The accessibility harness itself. Every page in both themes, at 1366 px and at 390 px, before
and after its main interaction, is checked with it on the first-hour journeys
(tests/e2e/test_first_hour.py): no serious or critical axe-core violation, nothing scrolls
sideways, no chart text overlaps another."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.support.axe import audit

pytestmark = pytest.mark.e2e


def test_axe_itself_runs_offline_and_finds_a_planted_violation(page: Page) -> None:
    """The harness is real: on a page with a known fault it reports it."""
    page.set_content('<html lang="en"><body><main><img src="x.png"></main></body></html>')
    assert "image-alt" in {v["id"] for v in audit(page)}
