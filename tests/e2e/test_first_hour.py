"""The first hour (issue 23), in a real browser, and every page's accessibility on the way: a new
student opens the overview, joins a class from the form on the page, and goes through the whole
lesson by each step's own "next step" link (never the sidebar, folded away on a phone): Explore (a
new mask), Read (a check answered, a section with figures), Build (the Keras code edited and
trained: the lesson's stored runs make it instant; then edited again), a NumPy lab (code graded),
Compare (a chart's data table opened), Reflect (a think-deeper answer typed without leaving its
box; a model answer revealed), then the instructor's dashboard with the class shown. Their resume
link, opened in a fresh browser context (no cookies, no storage), brings back every piece of work:
the Keras code as last typed, the NumPy lab's code and grade, the Read answer, the Reflect draft.

One journey per theme (a light server, a dark one through STREAMLIT_THEME_BASE) and width (1366 px
and 390 px). In every state on the way (each page before and after its main interaction): no
serious or critical axe-core violation, nothing scrolls sideways, no chart title, legend or label
overlaps another (`layout_problems`); the failure lists every problem by state, theme and width.
A full-page screenshot of each step: tests/e2e/artifacts/first-hour-<step>-<theme>-<width>.png.
Both servers run over a copy of the lesson's trained runs (a11y_support.server)."""

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
from tests.support.axe import audit, describe
from tests.support.harness import Server, full_screenshot

from .a11y_support import (
    READY,
    SIZES,
    layout_problems,
    on_server,
    open_first_data_table,
    server,
    settle,
    sign_in,
    visit,
)
from .conftest import assert_no_error
from .test_work import NUMPY_LABEL, _server_store, choose_lab, resume_code

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
# Read's section with figures (the variants' pictures and their summaries).
FIGURES = "read?section=06-variants"


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


class Looks:
    """What one journey checks in each state it passes: axe-core (serious and critical) and the
    layout (`layout_problems`), gathered so that one failure lists them all; and, for a step's
    state, no link with its label cut short and a full-page screenshot,
    first-hour-<step>-<theme>-<width>.png."""

    def __init__(self, artifacts, theme: str, size: str) -> None:
        self.artifacts, self.theme = artifacts, theme
        self.width, self.height = SIZES[size]
        self.problems: list[str] = []

    def __call__(self, page: Page, state: str, shot: str | None = None) -> None:
        where = f"{self.theme} {self.width}px {state}"
        violations = audit(page)
        if violations:
            self.problems.append(describe(where, violations))
        self.problems.extend(layout_problems(page, where))
        if shot:
            self.photograph(page, shot)

    def photograph(self, page: Page, step: str) -> None:
        assert page.evaluate(CUT_LINKS) == [], f"{step} at {self.width} px"
        # From the page's top: a page taller than the screenshot's ceiling (Reflect on a phone)
        # would otherwise be photographed from wherever the learner last typed.
        page.evaluate(f"() => document.querySelector('{MAIN}').scrollTo(0, 0)")
        name = f"first-hour-{step}-{self.theme}-{self.width}.png"
        full_screenshot(page, str(self.artifacts / name), width=self.width)
        page.set_viewport_size({"width": self.width, "height": self.height})

    def assert_clean(self) -> None:
        assert not self.problems, (
            "axe-core violations (serious or critical) and layout problems:\n"
            + "\n".join(self.problems)
        )


def join_on_the_overview(page: Page, srv: Server, name: str, klass: str, look: Looks) -> str:
    """Open the overview, join from the form on it; returns the resume link the page shows."""
    page.goto(srv.url)
    settle(page)
    assert_no_error(page)
    strip = page.locator(box_of("lesson.join_strip"))
    expect(strip).to_contain_text("Join your class first")
    look(page, "overview", shot="overview")
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


def explore(page: Page, look: Looks) -> None:
    """Explore, reached from the overview's own list of steps: a new mask."""
    first = LESSON.steps[0]
    page.locator(MAIN).get_by_role("link", name=f"1. {first.title}").click()
    page.wait_for_url(re.compile(rf"/{first.id}(\?|$)"), timeout=90_000)
    settle(page)
    assert_no_error(page)
    expect(page.locator(box_of("lesson.join_strip"))).to_have_count(0)  # on every step too
    look(page, "explore")
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
    choose_lab(page, NUMPY_LABEL)
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
    choose_lab(page, NUMPY_LABEL)
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


def first_hour(browser: Browser, srv: Server, look: Looks, size: str) -> Learner:
    """The whole lesson as a new student, joined, by the pages' own links and forms, looked at
    in every state on the way."""
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
        link = join_on_the_overview(page, srv, name, klass, look)
        sidebar = page.locator('[data-testid="stSidebar"]')
        expect(sidebar).to_be_visible(visible=size == "desktop")  # folded away on a phone
        explore(page, look)
        look(page, "explore, a new mask", shot="explore")
        assert follow_next(page, "explore") == "read"
        look(page, "read")
        answer_the_first_check(page)
        look(page, "read, a check answered", shot="read")
        visit(page, srv, FIGURES)
        look(page, "read, a section with figures")
        assert follow_next(page, "read") == "build"
        look(page, "build")
        train_the_keras_lab(page, trained)
        editor.paste_code(page, "Keras code", work["keras"])  # edited after the run: kept too
        settle(page)
        look(page, "build, a trained pair shown", shot="build")
        grade_the_numpy_lab(page, f"{work['numpy_mark']}\n{NUMPY.solution}")
        look(page, "build, the NumPy lab graded", shot="numpy")
        assert follow_next(page, "build") == "compare"
        expect(page.locator('[data-testid="stPlotlyChart"]').first).to_be_visible()
        look(page, "compare, the learner's runs shown", shot="compare")
        open_first_data_table(page)
        look(page, "compare, a chart's data table open")
        assert follow_next(page, "compare") == "reflect"
        page.wait_for_function(READY["reflect"], timeout=300_000)
        settle(page)
        draft_without_leaving(page, srv, klass, name, work["draft"])
        look(page, "reflect, a draft typed", shot="reflect")
        reveal_a_model_answer(page)
        look(page, "reflect, a model answer revealed")
    finally:
        context.close()
    return Learner(name, klass, link, work)


def reveal_a_model_answer(page: Page) -> None:
    """Reflect: an answer to the lesson's own question, then its model answer revealed."""
    box = page.get_by_placeholder("Write your answer here", exact=False).first
    box.fill("No: predict runs with training=False, so every unit is used.")
    box.press("Control+Enter")
    settle(page)
    page.get_by_role("button", name="Reveal model answer").first.click()
    expect(page.get_by_text("Model answer.", exact=False).first).to_be_visible()
    settle(page)


def the_class_on_the_dashboard(browser: Browser, srv: Server, look: Looks, learner: Learner,
                               size: str) -> None:  # fmt: skip
    """A context of its own: Compare and Reflect as a visitor with no runs of their own sees
    them, then the instructor's dashboard asking for the token, then with the learner's class
    shown."""
    width, height = SIZES[size]
    instructor = browser.new_context(viewport={"width": width, "height": height})
    try:
        desk = instructor.new_page()
        for step in ("compare", "reflect"):
            visit(desk, srv, step)
            look(desk, f"{step}, with no run of one's own")
        visit(desk, srv, "dashboard")
        look(desk, "dashboard, asking for the token")
        sign_in(desk, srv, learner.klass)
        expect(desk.locator(MAIN).get_by_text(learner.name).first).to_be_attached()  # a cell
        assert_no_error(desk)
        look(desk, "dashboard, the class shown", shot="dashboard")
    finally:
        instructor.close()


@on_server("light")
@pytest.mark.parametrize("size", sorted(SIZES))
def test_a_joined_learner_goes_through_the_lesson_and_finds_all_their_work_again(
    browser: Browser, artifacts, size: str
) -> None:
    srv = server("light")
    width, height = SIZES[size]
    look = Looks(artifacts, "light", size)
    learner = first_hour(browser, srv, look, size)
    the_class_on_the_dashboard(browser, srv, look, learner, size)
    fresh = browser.new_context(viewport={"width": width, "height": height})  # nothing shared
    try:
        every_piece_comes_back(fresh.new_page(), srv, learner.link, learner.work)
    finally:
        fresh.close()
    look.assert_clean()


@on_server("dark")
@pytest.mark.parametrize("size", sorted(SIZES))
def test_the_first_hour_and_the_class_in_the_dark_theme(
    browser: Browser, artifacts, size: str
) -> None:
    """The same journey on a dark server, looked at and photographed, then the instructor's
    dashboard with the learner's class shown."""
    look = Looks(artifacts, "dark", size)
    srv = server("dark")
    learner = first_hour(browser, srv, look, size)
    the_class_on_the_dashboard(browser, srv, look, learner, size)
    look.assert_clean()
