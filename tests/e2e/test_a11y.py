"""Every page in both themes, at 1366 px and at 390 px, also after the main interactions: no
serious or critical axe-core violation anywhere, nothing scrolls sideways and no chart title,
legend or label overlaps another (`layout_problems`), and a screenshot of every step after its
interaction (tests/e2e/artifacts/a11y-<page>-<theme>-<width>.png). One journey per theme and
width checks all three; the failure lists every problem by page, state, theme and width."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from tests.support.axe import audit, describe
from tests.support.harness import full_screenshot

from .a11y_support import (
    PAGES,
    SIZES,
    THEMES,
    answer_quiz,
    layout_problems,
    on_server,
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
# The state each step is photographed in: after its main interaction, where there is one.
SHOTS = {
    "overview": "overview",
    "explore": "explore",
    "read, a check answered": "read",
    "build, a trained pair shown": "build",
    "compare, the sweep shown": "compare",
    "reflect, a model answer revealed": "reflect",
    "dashboard, the class shown": "dashboard",
}


@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("theme", [pytest.param(t, marks=on_server(t)) for t in THEMES])
def test_every_page_is_axe_clean_fits_the_screen_and_is_photographed(
    browser: Browser, artifacts, theme: str, size: str
) -> None:
    srv = server(theme)
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    found: list[str] = []

    def check(state: str) -> None:
        where = f"{theme} {width}px {state}"
        violations = audit(page)
        if violations:
            found.append(describe(where, violations))
        found.extend(layout_problems(page, where))
        if state in SHOTS:
            full_screenshot(page, str(artifacts / f"a11y-{SHOTS[state]}-{theme}-{width}.png"),
                            width=width)  # fmt: skip
            page.set_viewport_size({"width": width, "height": height})

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
    assert not found, "axe-core violations (serious or critical) and layout problems:\n" + (
        "\n".join(found)
    )


def test_axe_itself_runs_offline_and_finds_a_planted_violation(page: Page) -> None:
    """The harness is real: on a page with a known fault it reports it."""
    page.set_content('<html lang="en"><body><main><img src="x.png"></main></body></html>')
    assert "image-alt" in {v["id"] for v in audit(page)}
