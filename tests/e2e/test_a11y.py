"""axe-core on every page, in both themes, at 1366 px and at 390 px, also after the main
interactions: no serious or critical violation anywhere. The failure lists every violation by
page, state, theme and width."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from tests.support.axe import audit, describe

from .a11y_support import (
    PAGES,
    SIZES,
    THEMES,
    answer_quiz,
    open_first_data_table,
    reveal_answer,
    server,
    sign_in,
    skip_predictions,
    train_pair,
    visit,
)

pytestmark = pytest.mark.e2e

# Beyond the seven pages: a reading with figures (the variants' pictures and their summaries).
MORE = {"read, a section with figures": "read?section=06-variants"}


@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("theme", THEMES)
def test_no_serious_or_critical_violation_anywhere(browser: Browser, theme: str, size: str) -> None:
    srv = server(theme)
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    found: list[str] = []

    def check(state: str) -> None:
        violations = audit(page)
        if violations:
            found.append(describe(f"{theme} {width}px {state}", violations))

    try:
        for name, path in {**PAGES, **MORE}.items():
            visit(page, srv, path)
            check(name)
        train_pair(page, srv, learner=f"Ada{width}")
        check("build, a trained pair shown")
        visit(page, srv, "compare")
        check("compare, the learner's runs shown")
        skip_predictions(page)
        check("compare, the sweep shown")
        open_first_data_table(page)
        check("compare, a chart's data table open")
        answer_quiz(page, srv)
        check("read, a check answered")
        reveal_answer(page, srv)
        check("reflect, a model answer revealed")
        sign_in(page, srv)
        check("dashboard, the class shown")
    finally:
        context.close()
    assert not found, "serious or critical axe-core violations:\n" + "\n".join(found)


def test_axe_itself_runs_offline_and_finds_a_planted_violation(page: Page) -> None:
    """The harness is real: on a page with a known fault it reports it."""
    page.set_content('<html lang="en"><body><main><img src="x.png"></main></body></html>')
    assert "image-alt" in {v["id"] for v in audit(page)}
