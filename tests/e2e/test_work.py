"""Nothing a learner does is lost (issue 23), in a real browser: a joined learner types in the
NumPy lab's editor, grades it, types in the Keras lab's editor; their resume link, opened in a
fresh browser context (another browser, nothing shared), shows the same code and the grade.
A Reflect answer typed without leaving its box is stored a pause later and survives a reload."""

from __future__ import annotations

import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Browser, Page, expect

from dropout_lab.lesson import lessons
from dropout_lab.lesson.labs import load_lab
from tests.sandbox_required import require_sandbox  # noqa: F401  (autouse)
from tests.support import editor, wait
from tests.support.harness import full_screenshot, wait_until_idle

from .conftest import ON_REFLECTS_SERVER, assert_no_error

pytestmark = pytest.mark.e2e

NUMPY_LABEL, KERAS_LABEL = "NumPy: write dropout yourself", "Keras: tame the overfit model"


def resume_code(page: Page) -> str:
    """The learner's resume code, from the address (kept there once joined)."""

    def code() -> str | None:
        return (parse_qs(urlparse(page.url).query).get("resume") or [None])[0]

    wait.until(code, what="?resume= in the address")
    return code() or ""


def choose_lab(page: Page, label: str) -> None:
    """Pick a lab on Build once its choice is shown: a first visit's page reruns once the
    browser has reported its view, and on two busy cores that rerun can keep the choice out
    of sight longer than a click's 30 s (ci23, 2026-12-08)."""
    option = page.get_by_text(label)
    expect(option).to_be_visible(timeout=180_000)
    option.click()
    wait_until_idle(page)


def test_typed_and_graded_work_comes_back_in_a_fresh_browser(
    server, page: Page, browser: Browser, artifacts
) -> None:
    klass = "E" + uuid.uuid4().hex[:8]
    page.goto(f"{server.url}/build?learner=Eve&class={klass}")
    wait_until_idle(page)
    code = resume_code(page)
    expect(page.get_by_text("Not joined", exact=False)).to_have_count(0)
    choose_lab(page, NUMPY_LABEL)
    solution = load_lab("numpy_dropout").solution
    editor.paste_code(page, "NumPy code", solution)
    wait_until_idle(page)
    page.get_by_role("button", name="▶ Grade").click()
    expect(page.get_by_text("Every property holds", exact=False)).to_be_visible(timeout=120_000)
    wait_until_idle(page)
    typed = solution + "\n# Eve's note, typed after the grade\n"
    editor.paste_code(page, "NumPy code", typed)
    wait_until_idle(page)
    choose_lab(page, KERAS_LABEL)
    keras = load_lab("overfit").starter + "# Eve's Keras line, never trained\n"
    editor.paste_code(page, "Keras code", keras)
    wait_until_idle(page)

    fresh = browser.new_context(viewport={"width": 1366, "height": 900})
    try:
        again = fresh.new_page()
        again.goto(f"{server.url}/build?resume={code}")
        wait_until_idle(again)
        assert_no_error(again)
        wait.until(lambda: "# Eve's Keras line" in editor.editor_text(again, "Keras code"),
                   what="the Keras code as typed")  # fmt: skip
        choose_lab(again, NUMPY_LABEL)
        wait.until(lambda: "# Eve's note" in editor.editor_text(again, "NumPy code"),
                   what="the NumPy code as typed")  # fmt: skip
        expect(again.get_by_text("Every property holds", exact=False)).to_be_visible()
        expect(again.get_by_text("You changed the code since it was graded")).to_be_visible()
        assert_no_error(again)
        full_screenshot(again, str(artifacts / "work-resumed-numpy.png"))
    finally:
        fresh.close()


def _server_store(server):
    """The store of the server under test (its data directory, from its environment)."""
    from dropout_lab.store import Store
    from dropout_lab.store.schema import DB_FILENAME, ENV_DATA_DIR

    environ = Path(f"/proc/{server.process.pid}/environ").read_bytes().split(b"\0")
    env = dict(e.decode().split("=", 1) for e in environ if b"=" in e)
    return Store(f"sqlite:///{env[ENV_DATA_DIR]}/{DB_FILENAME}")


@ON_REFLECTS_SERVER
def test_a_reflection_typed_without_leaving_the_box_survives_a_reload(server, page: Page):
    klass = "R" + uuid.uuid4().hex[:8]
    page.goto(f"{server.url}/reflect?learner=Rae&class={klass}")
    wait_until_idle(page)
    resume_code(page)
    box = page.locator('[class*="st-key-reflect-answer-"] textarea').first
    box.click()
    first, more = "Dropout averages", " many thinned networks"
    draft = first + more
    store = _server_store(server)
    try:
        me = next(p for p in store.class_learners(klass) if p.name == "Rae")
        for typed, stored in ((first, first), (more, draft)):  # the box is never left
            page.keyboard.type(typed)  # then a pause: the draft's rerun takes nothing away
            wait.until(lambda s=stored: s in store.reflections(me.id).values(),
                       what=f"{stored!r} stored while the box has the focus")  # fmt: skip
    finally:
        store.close()
    expect(box).to_be_focused()
    expect(box).to_have_value(draft)
    # The draft is kept, so it counts: the page says so while the box still has the focus.
    total = len(lessons.load_reflect_questions())
    expect(page.get_by_text(f"1 of {total} questions answered", exact=False)).to_be_visible()
    expect(box).to_be_focused()
    page.reload()
    wait_until_idle(page)
    expect(page.locator('[class*="st-key-reflect-answer-"] textarea').first).to_have_value(draft)
    expect(page.get_by_text(f"1 of {total} questions answered", exact=False)).to_be_visible()
    assert_no_error(page)
