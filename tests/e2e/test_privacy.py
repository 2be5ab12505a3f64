"""A learner's work is theirs, in a real browser: learner A joins class SOC-101 and writes a
Reflect answer; a classmate in another browser opens `/reflect?learner=A&class=SOC-101` and sees
none of A's answers and cannot change them; A's own resume link (on another computer) still
shows them. The resume code never reaches the server's log. On the e2e `server` (over the lesson's
trained runs, as a hosted lesson is: Reflect's models are there), with the other Reflect tests."""

from __future__ import annotations

import contextlib
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from dropout_lab.store import Store
from tests.support import wait
from tests.support.harness import Server, wait_until_idle

from .conftest import ON_REFLECTS_SERVER, assert_no_error
from .test_work import _server_store

pytestmark = [pytest.mark.e2e, ON_REFLECTS_SERVER]

NAME, CLASS = "Avery", "SOC-101"
ANSWER = "Dropout stays off at inference: predict uses every unit, scaled as in training."


def sidebar(page: Page):
    return page.locator('[data-testid="stSidebar"]')


def join_box(page: Page):
    """The join form at the top of the page (issue 23: no longer folded in the sidebar)."""
    return page.locator(".st-key-lesson-join_strip")


def first_answer(page: Page):
    return page.get_by_placeholder("Write your answer here", exact=False).first


def stored_answers(server: Server, timeout: float = 30.0) -> list[str]:
    """A's stored Reflect answers, once there are any (the app saves as the box is left)."""
    store: Store = _server_store(server)
    try:

        def answers() -> list[str]:
            people = store.class_learners(CLASS)
            return list(store.reflections(people[0].id).values()) if people else []

        with contextlib.suppress(TimeoutError):
            return wait.until(answers, timeout=timeout, poll=0.2, what="A's stored answers")
        return []
    finally:
        store.close()


def open_reflect(browser: Browser, url: str) -> Page:
    """A new browser context (its own cookies and storage: another person's browser)."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto(url, timeout=120_000)
    wait_until_idle(page)
    return page


def test_a_classmate_with_the_name_and_class_sees_and_changes_nothing(
    browser: Browser, server: Server, tmp_path: Path
) -> None:
    # A joins (a name not taken yet) and writes an answer.
    a = open_reflect(browser, f"{server.url}/reflect?learner={NAME}&class={CLASS}")
    expect(sidebar(a)).to_contain_text(NAME, timeout=180_000)
    expect(a.get_by_text("Your resume link.", exact=False)).to_be_visible()
    a.wait_for_url("**resume=*")
    code = parse_qs(urlsplit(a.url).query)["resume"][0]
    assert f"?resume={code}" in a.locator('[data-testid="stCode"]').first.inner_text()
    first_answer(a).fill(ANSWER)
    first_answer(a).press("Control+Enter")
    wait_until_idle(a)
    assert_no_error(a)
    assert stored_answers(server) == [ANSWER]  # kept before the classmate comes

    # The classmate: the same name and class code, another browser.
    b = open_reflect(browser, f"{server.url}/reflect?learner={NAME}&class={CLASS}")
    expect(join_box(b)).to_contain_text("already a learner", timeout=180_000)
    offers = join_box(b).get_by_role("textbox")
    expect(offers.and_(b.get_by_label("Resume code"))).to_be_visible()  # the code, or
    expect(offers.and_(b.get_by_label("Display name"))).to_be_visible()  # another name
    expect(first_answer(b)).to_have_value("")
    assert ANSWER not in b.inner_text("body")
    assert code not in b.url and code not in b.inner_text("body")
    first_answer(b).fill("Overwritten by a classmate.")
    first_answer(b).press("Control+Enter")
    wait_until_idle(b)
    b.reload()  # still nothing of A's, and nothing written to A's work
    wait_until_idle(b)
    expect(first_answer(b)).to_have_value("")
    expect(sidebar(b)).not_to_contain_text(f"{NAME} · class")
    assert_no_error(b)

    # A's own link, on another computer, still shows A's answer.
    c = open_reflect(browser, f"{server.url}/reflect?resume={code}")
    expect(sidebar(c)).to_contain_text(NAME, timeout=180_000)
    try:
        expect(first_answer(c)).to_have_value(ANSWER, timeout=180_000)
    except AssertionError as e:
        c.screenshot(path=str(tmp_path / "resumed.png"), full_page=True)
        raise AssertionError(
            f"{e}\n--- the resumed page:\n{c.inner_text('body')[:3000]}"
            f"\n--- server:\n{server.log()[-3000:]}"
        ) from e
    assert_no_error(c)
    a.reload()  # and A's own tab, reloaded
    wait_until_idle(a)
    expect(first_answer(a)).to_have_value(ANSWER, timeout=180_000)
    for page in (a, b, c):
        page.context.close()
    log = server.log()

    assert stored_answers(server) == [ANSWER]  # the classmate changed nothing
    assert code not in log and code.split("-", 1)[1] not in log
