"""A way through the lesson (issue 23) under AppTest: joining on the overview and on every step
until the learner has joined, each step's link to the next, Build's goals checked only once the
code is valid, and a stopped run that reads as a stop."""

from __future__ import annotations

import uuid

import pytest
from streamlit.testing.v1 import AppTest

from dropout_lab.lesson.labs import load_lab
from dropout_lab.lesson.steps import lesson
from dropout_lab.ui import session
from tests.support import editor, wait
from tests.support.harness import MAIN

LAB = load_lab("overfit")
PAGES = ["steps/overview.py", *(step.script for step in lesson().steps)]


@pytest.fixture(autouse=True)
def own_client(monkeypatch: pytest.MonkeyPatch) -> None:
    from dropout_lab.ui import links

    client = "test:" + uuid.uuid4().hex  # joins per client and minute are limited
    monkeypatch.setattr(links, "client", lambda: client)


def start() -> AppTest:
    at = AppTest.from_file(str(MAIN), default_timeout=90).run()
    assert not at.exception, at.exception
    return at


def join_form(at: AppTest) -> list:
    return [t for t in at.main.text_input if t.key == session.LEARNERS_NAME]


def test_joining_is_on_the_overview_and_every_step_until_the_learner_has_joined() -> None:
    at = start()
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        assert join_form(at), f"no join form on {page}"
        line = next(m.value for m in at.main.markdown if "Join your class first" in m.value)
        assert "The lesson takes about" in line and "minutes" in line, line
        assert not [t for t in at.sidebar.text_input if t.key == session.LEARNERS_NAME]
    at.text_input(key=session.LEARNERS_NAME).set_value("Pia")
    at.text_input(key=session.LEARNERS_CODE).set_value("W" + uuid.uuid4().hex[:6])
    at.button(key=session.LEARNERS_JOIN).click().run()  # on the last step: Reflect
    assert at.session_state[session.LEARNERS_LEARNER].name == "Pia"
    for page in PAGES:
        at.switch_page(page).run()
        assert not join_form(at) and not any("Join your class first" in m.value
                                             for m in at.main.markdown), page  # fmt: skip


def test_the_lessons_length_is_its_steps_and_its_readings() -> None:
    from dropout_lab.lesson import lessons
    from dropout_lab.ui import join

    reading = sum(s.minutes for s in lessons.load_sections() if not s.optional)
    total = sum(s.minutes for s in lesson().steps) + reading
    assert abs(join.lesson_minutes() - total) <= 2.5 and join.lesson_minutes() % 5 == 0


def test_each_step_ends_with_a_link_to_the_next() -> None:
    at = start()
    steps = lesson().steps
    for number, step in enumerate(steps, start=1):
        at.switch_page(step.script).run()
        assert not at.exception, (step.id, at.exception)
        last = at.main.get("page_link")[-1].proto  # the foot of the page
        if number < len(steps):
            after = steps[number]
            assert last.page == after.id, (step.id, last.page)
            assert last.label == f"Next: {number + 1}. {after.title}"
        else:
            assert last.label == "Back to the overview"


def test_builds_goals_are_checked_only_once_the_code_is_valid() -> None:
    at = start()
    at.switch_page("steps/build.py").run()
    hints = {c.value for c in at.caption}  # the starter is valid and misses goals: hints shown
    editor.type_code(at, "build.code", LAB.starter + "\nmodel.add(\n")
    assert not at.exception, at.exception
    assert at.error  # the problem is said beside the editor
    captions = {c.value for c in at.caption}
    assert any("checked once the code is valid" in c for c in captions), captions
    advice = hints - captions - {""}
    assert advice and not (advice & captions)  # no goal's advice about a model not there yet
    editor.type_code(at, "build.code", LAB.starter)
    assert not any("checked once the code is valid" in c.value for c in at.caption)


def test_a_stopped_run_reads_as_a_stop_not_a_success() -> None:
    at = start()
    at.switch_page("steps/build.py").run()
    editor.type_code(at, "build.code", LAB.solution)
    at.number_input(key="build.epochs").set_value(300).run()
    next(b for b in at.button if b.label == "▶ Train mine").click().run()
    next(b for b in at.button if b.label == "■ Stop").click().run()
    assert not at.exception, at.exception

    def stopped() -> bool:
        return any(w.value.startswith("**Your model**: Stopped") for w in at.warning)

    wait.rerun_until(at, stopped, what="the stop said")
    said = next(w.value for w in at.warning if "Stopped" in w.value)
    assert "Stopped before the first epoch" in said or " of 300 epochs" in said, said
    assert not any("Stopped" in s.value for s in at.success)
