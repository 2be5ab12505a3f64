"""The first hour (issue 23), in a real browser: a new student opens the overview, joins a class
from the form on the page, and goes through the whole lesson by each step's own "next step" link
(never the sidebar, folded away on a phone): Explore (a new mask), Read (a check answered), Build
(the Keras code edited and trained: the lesson's stored runs make it instant; then edited again),
a NumPy lab (code graded), Compare, Reflect (a think-deeper answer typed without leaving its
box). Their resume link, opened in a fresh browser context (no cookies, no storage), brings back
every piece of work: the Keras code as last typed, the NumPy lab's code and grade, the Read
answer, the Reflect draft. At 1366 px and 390 px, on a light server; the same journey on a dark
one (STREAMLIT_THEME_BASE), then the instructor's dashboard with the class shown. Both servers run
over a copy of the lesson's trained runs (a11y_support.server). A full-page screenshot of each
step at both widths in both themes, and of the dark dashboard:
tests/e2e/artifacts/first-hour-<step>-<theme>-<width>.png."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect

from dropout_lab.lesson import lessons
from dropout_lab.lesson.labs import load_lab
from dropout_lab.lesson.steps import lesson
from tests.sandbox_required import require_sandbox  # noqa: F401  (autouse)
from tests.support import editor, wait
from tests.support.harness import Server, full_screenshot

from .a11y_support import READY, SIZES, on_server, server, settle, sign_in, visit
from .conftest import assert_no_error
from .test_work import NUMPY_LABEL, _server_store, resume_code

pytestmark = pytest.mark.e2e

LESSON = lesson()
KERAS, NUMPY = load_lab("overfit"), load_lab("numpy_dropout")
SECTIONS = lessons.load_sections()
CHECK = next(
    q
    for q in lessons.load_quiz(sections=[s.slug for s in SECTIONS])
    if q.section == SECTIONS[0].slug and not q.needs_runs
)  # Read's first check
DEEPER = lessons.load_reflect_questions()[1]  # the first think-deeper question
MAIN = '[data-testid="stMain"]'


def box_of(key: str) -> str:
    """The CSS class Streamlit gives the container of the element with `key`."""
    return ".st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key)


def follow_next(page: Page, step: str) -> str:
    """Click the link at the foot of `step` to the next step; wait until that step is shown.
    Returns the next step's id."""
    number, after = LESSON.after(step)
    link = page.locator(box_of(f"lesson.next.{step}")).get_by_role("link")
    expect(link).to_have_text(re.compile(re.escape(f"{number}. {after.title}")))
    link.click()
    page.wait_for_url(re.compile(rf"/{after.id}(\?|$)"), timeout=90_000)
    settle(page)
    assert_no_error(page)
    return after.id


# Links whose label is cut short in the main area (a label's paragraph wider than its box).
CUT_LINKS = f"""() => [...document.querySelectorAll(`{MAIN} [data-testid="stPageLink"]`)]
    .map(link => link.querySelector('p')).filter(p => p && p.scrollWidth > p.clientWidth + 1)
    .map(p => p.innerText)"""


class Shots:
    """Full-page screenshots of one journey: first-hour-<step>-<theme>-<width>.png; before
    each, no link on the page has its label cut short."""

    def __init__(self, artifacts, theme: str, size: str) -> None:
        self.artifacts, self.theme = artifacts, theme
        self.width, self.height = SIZES[size]

    def __call__(self, page: Page, step: str) -> None:
        assert page.evaluate(CUT_LINKS) == [], f"{step} at {self.width} px"
        # From the page's top: a page taller than the screenshot's ceiling (Reflect on a phone)
        # would otherwise be photographed from wherever the learner last typed.
        page.evaluate(f"() => document.querySelector('{MAIN}').scrollTo(0, 0)")
        name = f"first-hour-{step}-{self.theme}-{self.width}.png"
        full_screenshot(page, str(self.artifacts / name), width=self.width)
        page.set_viewport_size({"width": self.width, "height": self.height})


def join_on_the_overview(page: Page, srv: Server, name: str, klass: str, shot: Shots) -> str:
    """Open the overview, join from the form on it; returns the resume link the page shows."""
    page.goto(srv.url)
    settle(page)
    assert_no_error(page)
    strip = page.locator(box_of("lesson.join_strip"))
    expect(strip).to_contain_text("Join your class first")
    shot(page, "overview")
    strip.get_by_label("Display name", exact=True).fill(name)
    strip.get_by_label("Class code", exact=True).fill(klass)
    strip.get_by_role("button", name="Join", exact=True).click()
    page.wait_for_url(re.compile(r"[?&]resume="), timeout=90_000)  # the link is the address
    settle(page)
    code = resume_code(page)
    expect(strip).to_have_count(0)  # joined: the form is gone from the page
    link = page.locator('[data-testid="stCode"]').filter(has_text="?resume=")
    expect(link).to_have_text(f"{srv.url}/?resume={code}")
    page.get_by_role("button", name="I have kept it").click()
    settle(page)
    expect(link).to_have_count(0)
    return f"{srv.url}/?resume={code}"


def explore(page: Page) -> None:
    """Explore, reached from the overview's own list of steps: a new mask."""
    first = LESSON.steps[0]
    page.locator(MAIN).get_by_role("link", name=f"1. {first.title}").click()
    page.wait_for_url(re.compile(rf"/{first.id}(\?|$)"), timeout=90_000)
    settle(page)
    assert_no_error(page)
    expect(page.locator(box_of("lesson.join_strip"))).to_have_count(0)  # on every step too
    page.get_by_role("button", name="New mask").click()
    expect(page.get_by_label("Mask seed", exact=True)).to_have_value("1")
    settle(page)


def answer_the_first_check(page: Page) -> None:
    """Read: the first section's first check, answered right."""
    page.get_by_text(CHECK.choices[CHECK.answer], exact=True).click()
    expect(page.get_by_text("Right.", exact=False).first).to_be_visible()
    settle(page)


def train_the_keras_lab(page: Page, typed: str) -> None:
    """Build's Keras lab: the code replaced by `typed` (the lab's solution: its runs are
    stored), both models trained."""
    editor.paste_code(page, "Keras code", typed)
    settle(page)
    expect(page.get_by_text("A valid model for this lab", exact=False)).to_be_visible()
    page.get_by_role("button", name="▶▶ Train both", disabled=False).click()
    expect(page.get_by_text("Your model: Done", exact=False)).to_be_visible()
    expect(page.get_by_text("Starter (no dropout): Done", exact=False)).to_be_visible()
    settle(page)


def grade_the_numpy_lab(page: Page, typed: str) -> None:
    page.get_by_text(NUMPY_LABEL).click()
    settle(page)
    editor.paste_code(page, "NumPy code", typed)
    settle(page)
    page.get_by_role("button", name="▶ Grade").click()
    expect(page.get_by_text("Every property holds", exact=False)).to_be_visible()
    settle(page)


def draft_without_leaving(page: Page, srv: Server, klass: str, name: str, draft: str) -> None:
    """Reflect: type `draft` into the first think-deeper box and stay in it, until the store
    holds it."""
    box = page.locator(f"{box_of(f'reflect.answer.{DEEPER.id}')} textarea")
    box.click()
    page.keyboard.type(draft)
    store = _server_store(srv)
    try:
        me = next(p for p in store.class_learners(klass) if p.name == name)
        wait.until(lambda: store.reflections(me.id).get(DEEPER.id) == draft,
                   what="the draft stored while its box has the focus")  # fmt: skip
    finally:
        store.close()
    expect(box).to_be_focused()


def every_piece_comes_back(page: Page, srv: Server, link: str, work: dict[str, str]) -> None:
    """The resume link in this (fresh) context: each piece of work where it was left."""
    page.goto(link)
    settle(page)
    assert_no_error(page)
    expect(page.locator(box_of("lesson.join_strip"))).to_have_count(0)  # resumed: joined
    visit(page, srv, "build")
    head = work["keras"].split("\n")[:2]  # the line typed after the run, the one trained
    wait.until(lambda: editor.editor_text(page, "Keras code").split("\n")[:2] == head,
               what="the Keras code as last typed")  # fmt: skip
    page.get_by_text(NUMPY_LABEL).click()
    settle(page)
    wait.until(lambda: work["numpy_mark"] in editor.editor_text(page, "NumPy code"),
               what="the NumPy code as graded")  # fmt: skip
    expect(page.get_by_text("Every property holds", exact=False)).to_be_visible()
    expect(page.get_by_text("You changed the code since it was graded")).to_have_count(0)
    visit(page, srv, "read")
    answered = page.locator('[data-testid="stMarkdownContainer"] li').filter(
        has_text=CHECK.choices[CHECK.answer]
    )
    expect(answered).to_contain_text("(your answer)")
    expect(page.get_by_text("Right.", exact=False).first).to_be_visible()
    visit(page, srv, "reflect")
    box = page.locator(f"{box_of(f'reflect.answer.{DEEPER.id}')} textarea")
    expect(box).to_have_value(work["draft"])
    assert_no_error(page)


@dataclass(frozen=True)
class Learner:
    """Who went through the lesson, and what they left where."""

    name: str
    klass: str
    link: str  # their resume link, as the page showed it
    work: dict[str, str]


def first_hour(browser: Browser, srv: Server, shot: Shots, size: str) -> Learner:
    """The whole lesson as a new student, joined, by the pages' own links and forms."""
    width, height = SIZES[size]
    klass, name = "H" + uuid.uuid4().hex[:8], f"Hana{width}"
    trained = f"# {name}'s model, as trained\n{KERAS.solution}"
    work = {
        "keras": f"# {name}: the same, looked at again after the run\n{trained}",
        "numpy_mark": f"# {name}'s inverted dropout",
        "draft": "Too few units survive at 0.8: the network underfits",
    }
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        link = join_on_the_overview(page, srv, name, klass, shot)
        sidebar = page.locator('[data-testid="stSidebar"]')
        expect(sidebar).to_be_visible(visible=size == "desktop")  # folded away on a phone
        explore(page)
        shot(page, "explore")
        assert follow_next(page, "explore") == "read"
        answer_the_first_check(page)
        shot(page, "read")
        assert follow_next(page, "read") == "build"
        train_the_keras_lab(page, trained)
        editor.paste_code(page, "Keras code", work["keras"])  # edited after the run: kept too
        settle(page)
        shot(page, "build")
        grade_the_numpy_lab(page, f"{work['numpy_mark']}\n{NUMPY.solution}")
        shot(page, "numpy")
        assert follow_next(page, "build") == "compare"
        expect(page.locator('[data-testid="stPlotlyChart"]').first).to_be_visible()
        shot(page, "compare")
        assert follow_next(page, "compare") == "reflect"
        page.wait_for_function(READY["reflect"], timeout=300_000)
        settle(page)
        draft_without_leaving(page, srv, klass, name, work["draft"])
        shot(page, "reflect")
    finally:
        context.close()
    return Learner(name, klass, link, work)


@on_server("light")
@pytest.mark.parametrize("size", sorted(SIZES))
def test_a_joined_learner_goes_through_the_lesson_and_finds_all_their_work_again(
    browser: Browser, artifacts, size: str
) -> None:
    srv = server("light")
    width, height = SIZES[size]
    learner = first_hour(browser, srv, Shots(artifacts, "light", size), size)
    fresh = browser.new_context(viewport={"width": width, "height": height})  # nothing shared
    try:
        every_piece_comes_back(fresh.new_page(), srv, learner.link, learner.work)
    finally:
        fresh.close()


@on_server("dark")
@pytest.mark.parametrize("size", sorted(SIZES))
def test_the_first_hour_and_the_class_in_the_dark_theme(
    browser: Browser, artifacts, size: str
) -> None:
    """The same journey on a dark server, photographed, then the instructor's dashboard with
    the learner's class shown."""
    srv = server("dark")
    width, height = SIZES[size]
    shot = Shots(artifacts, "dark", size)
    learner = first_hour(browser, srv, shot, size)
    instructor = browser.new_context(viewport={"width": width, "height": height})
    try:
        desk = instructor.new_page()
        sign_in(desk, srv, learner.klass)
        expect(desk.locator(MAIN).get_by_text(learner.name).first).to_be_attached()  # a cell
        assert_no_error(desk)
        shot(desk, "dashboard")
    finally:
        instructor.close()
