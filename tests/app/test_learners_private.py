"""A learner's work is theirs, under AppTest: a classmate with the same name and class sees and
changes nothing, a taken name offers the resume code, wrong codes and joins by link are limited
per client, an instructor's new code ends the old link, roster and access settings."""

from __future__ import annotations

import re
import uuid

import pytest
from streamlit.testing.v1 import AppTest

from dropout_lab.lesson import lessons
from dropout_lab.ui import session
from tests.support.harness import MAIN
from tests.support.learners_app import (  # noqa: F401  (own_client: autouse)
    linked,
    new_class,
    own_client,
    param,
    resume_code,
    start,
    step_links,
    store,
)

SLUGS = [s.slug for s in lessons.load_sections()]
# Read asks every check but those drawn from a stored run (Reflect's review asks those)
QUIZ = [q for q in lessons.load_quiz(sections=SLUGS) if not q.needs_runs]


def test_a_classmate_with_the_name_and_class_sees_and_changes_nothing_of_theirs() -> None:
    questions = lessons.load_reflect_questions()
    code = new_class()
    ada = AppTest.from_file(str(MAIN), default_timeout=120)
    ada.query_params["learner"], ada.query_params["class"] = "Ada", code
    ada.run()
    ada.switch_page("steps/reflect.py").run()
    ada.text_area(key=f"reflect.answer.{questions[0].id}").set_value("Ada's own answer").run()
    me = ada.session_state[session.LEARNERS_LEARNER]
    assert store().reflections(me.id) == {questions[0].id: "Ada's own answer"}

    other = AppTest.from_file(str(MAIN), default_timeout=120)
    other.query_params["learner"], other.query_params["class"] = "Ada", code
    other.run()
    other.switch_page("steps/reflect.py").run()
    assert not other.exception, other.exception
    assert session.LEARNERS_LEARNER not in other.session_state
    box = other.text_area(key=f"reflect.answer.{questions[0].id}")
    assert box.value in ("", None)  # none of Ada's answers
    assert any("already a learner" in w.value for w in other.main.warning)
    assert other.text_input(key=session.LEARNERS_RESUME_CODE) is not None  # offered: the code
    assert other.text_input(key=session.LEARNERS_NAME) is not None  # or another name
    box.set_value("overwritten by a classmate").run()
    assert store().reflections(me.id) == {questions[0].id: "Ada's own answer"}  # unchanged

    back = AppTest.from_file(str(MAIN), default_timeout=120)
    back.query_params["resume"] = resume_code(ada)  # Ada's own link still shows them
    back.run()
    back.switch_page("steps/reflect.py").run()
    assert back.text_area(key=f"reflect.answer.{questions[0].id}").value == "Ada's own answer"


def test_a_taken_name_offers_the_resume_code_or_another_name() -> None:
    code = new_class()
    me, mine = linked("Noor", code)
    store().save_reflection(me.id, "q1", "Noor's")
    at = start()
    at.text_input(key=session.LEARNERS_NAME).set_value("noor")
    at.text_input(key=session.LEARNERS_CODE).set_value(code)
    at.button(key=session.LEARNERS_JOIN).click().run()
    assert session.LEARNERS_LEARNER not in at.session_state
    assert "reflect.answers" not in at.session_state
    assert any("already a learner" in w.value for w in at.main.warning)
    at.text_input(key=session.LEARNERS_NAME).set_value("Noor B")  # another name
    at.button(key=session.LEARNERS_JOIN).click().run()
    assert at.session_state[session.LEARNERS_LEARNER].name == "Noor B"
    assert "reflect.answers" not in at.session_state  # nothing of Noor's
    assert not any("already a learner" in w.value for w in at.main.warning)
    at.button(key=session.LEARNERS_LEAVE).click().run()
    at.text_input(key=session.LEARNERS_RESUME_CODE).set_value(f"  {mine.lower()} ")  # as typed
    at.button(key=session.LEARNERS_RESUME_GO).click().run()
    assert at.session_state[session.LEARNERS_LEARNER] == me
    assert at.session_state["reflect.answers"] == {"q1": "Noor's"}


def test_wrong_resume_codes_are_limited_and_never_keep_the_right_one_out(
    own_client: str,  # noqa: F811  (the fixture imported above)
) -> None:
    from dropout_lab.store.limits import LIMIT

    me, mine = linked("Vic", new_class())
    wrong = f"{me.id}-" + "0" * 20
    at = start()
    for n in range(LIMIT.per_window):
        at.text_input(key=session.LEARNERS_RESUME_CODE).set_value(wrong)
        at.button(key=session.LEARNERS_RESUME_GO).click().run()
        errors = [e.value for e in at.main.error]
        if n < LIMIT.per_window - 1:
            assert errors and "not right" in errors[0], errors
        assert at.text_input(key=session.LEARNERS_RESUME_CODE).value == ""  # not left in the box
    assert "Too many wrong resume codes" in errors[0] and "60 seconds" in errors[0]
    link = start(resume=mine)  # Vic, from the same address: the right code opens at once
    assert link.session_state[session.LEARNERS_LEARNER] == me
    at.text_input(key=session.LEARNERS_RESUME_CODE).set_value(mine)  # and in the guesser's too
    at.button(key=session.LEARNERS_RESUME_GO).click().run()
    assert at.session_state[session.LEARNERS_LEARNER] == me


def test_joining_by_link_is_limited_per_client(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 22: one client opening `?learner=X&class=Y` links made 150 learners in 90 s. Now
    a client creates DROPOUT_LAB_JOINS_PER_MINUTE (here 3) a minute; another client joins."""
    from dropout_lab.ui import links

    monkeypatch.setenv("DROPOUT_LAB_JOINS_PER_MINUTE", "3")
    klass = new_class()
    for n in range(3):
        at = start(learner=f"Fake {n}", **{"class": klass})
        assert at.session_state[session.LEARNERS_LEARNER].name == f"Fake {n}"
    at = start(learner="Fake 3", **{"class": klass})
    assert session.LEARNERS_LEARNER not in at.session_state
    assert "Many learners have joined from this network address" in at.main.warning[0].value
    assert [p.name for p in store().class_learners(klass)] == ["Fake 0", "Fake 1", "Fake 2"]
    other = "test:" + uuid.uuid4().hex
    monkeypatch.setattr(links, "client", lambda: other)
    assert start(learner="Real", **{"class": klass}).session_state[session.LEARNERS_LEARNER]


def test_a_new_code_from_the_instructor_ends_the_old_links_pages() -> None:
    at = start(learner="Wren", **{"class": new_class()})
    me, old = at.session_state[session.LEARNERS_LEARNER], resume_code(at)
    new = store().issue_code(me.id)  # the instructor replaced it
    at.session_state[session.LEARNERS_CHECKED_AT] = 0.0  # the next check is due
    at.run()
    assert session.LEARNERS_LEARNER not in at.session_state and "resume" not in at.query_params
    assert "replaced by your instructor" in at.main.warning[0].value
    assert session.LEARNERS_LEARNER not in start(resume=old).session_state
    assert start(resume=new).session_state[session.LEARNERS_LEARNER] == me


@pytest.mark.parametrize("allowed", [False, True])
def test_learners_from_before_resume_links_claim_theirs_only_where_allowed(
    allowed: bool, tmp_path, monkeypatch
) -> None:
    lesson = tmp_path / "lesson.toml"
    lesson.write_text(f"[class]\nfirst_visit_link = {str(allowed).lower()}\n")
    monkeypatch.setenv("DROPOUT_LAB_LESSON", str(lesson))
    code = new_class()
    old = store().join("Olga", code)  # stored before resume links: no code
    store().save_reflection(old.id, "q1", "Olga's")
    at = start(learner="Olga", **{"class": code})
    assert not at.exception, at.exception
    if not allowed:
        assert session.LEARNERS_LEARNER not in at.session_state
        assert any("already a learner" in w.value for w in at.main.warning)
        return
    assert at.session_state[session.LEARNERS_LEARNER] == old
    assert at.session_state["reflect.answers"] == {"q1": "Olga's"}
    assert any(resume_code(at) in c.value for c in at.code)  # her link, shown once
    assert session.LEARNERS_LEARNER not in start(learner="Olga", **{"class": code}).session_state


def test_the_lesson_file_checks_the_roster_and_the_access_settings() -> None:
    from dropout_lab.lesson.lesson_config import LessonConfigError, parse

    table = {"code": "SOC-101", "roster": [" Ada  Lovelace", "Bob"], "first_visit_link": True}
    cfg = parse({"class": table, "dashboard": {"idle_minutes": 5}})
    assert cfg.roster == ("Ada Lovelace", "Bob") and cfg.first_visit_link
    assert cfg.idle_minutes == 5
    assert parse({}).roster == () and not parse({}).first_visit_link
    assert parse({}).idle_minutes == 30
    for bad, message in (
        ({"class": {"roster": ["Ada"]}}, "needs [class] code"),
        ({"class": {"code": "X", "roster": ["Ada", "ada"]}}, "names a learner twice"),
        ({"class": {"code": "X", "roster": ["<b>"]}}, "may contain only letters"),
        ({"class": {"code": "X", "roster": "Ada"}}, "a list of distinct learner names"),
        ({"class": {"first_visit_link": "yes"}}, "must be true or false"),
        ({"dashboard": {"idle_minutes": 0}}, "an integer 1..1440"),
        ({"dashboard": {"idle": 5}}, "unknown key"),
    ):
        with pytest.raises(LessonConfigError, match=re.escape(message)):
            parse(bad)


def test_welcome_back_stays_long_enough_to_be_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """A returning learner's 'Welcome back' survives the reruns that follow the first one (the
    page reporting its width and theme reruns it at once), then goes after a readable time."""
    import time

    from dropout_lab.ui import join, learners

    me, mine = linked("Wren", new_class())
    store().save_reflection(me.id, "q1", "Kept.")
    at = start(resume=mine)

    def welcomed() -> bool:
        return any("Welcome back, Wren" in str(m.value) for m in at.main.success)

    assert welcomed()
    at.run()  # what the view probe's report does, straight after the page opens
    assert welcomed()
    at.switch_page("steps/explore.py").run()
    assert welcomed()
    later = time.time() + learners.WELCOME_SECONDS + 1
    monkeypatch.setattr(join, "time", type("Clock", (), {"time": staticmethod(lambda: later)}))
    at.run()  # the first run after it still shows it (on screen until the next run)
    at.run()
    assert not at.exception, at.exception
    assert not welcomed()
