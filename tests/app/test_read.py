"""The Read page under AppTest: sections, links to the steps, and misconception checks."""

from __future__ import annotations

import uuid

from streamlit.testing.v1 import AppTest

from dropout_lab.lesson import lessons
from tests.helpers import fresh_python
from tests.support.harness import MAIN

SECTIONS = lessons.load_sections()
SLUGS = [s.slug for s in SECTIONS]
QUIZ = [q for q in lessons.load_quiz(sections=SLUGS) if not q.needs_runs]  # Read's own


def read_page(**query: str) -> AppTest:
    at = AppTest.from_file(str(MAIN), default_timeout=30)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("steps/read.py").run()
    assert not at.exception, at.exception
    return at


def open_section(at: AppTest, slug: str) -> None:
    at.radio(key="read.section").set_value(slug).run()
    assert not at.exception, at.exception


def step_link_labels(at: AppTest) -> list[str]:
    return [p.proto.label for p in at.get("page_link") if p.proto.label.startswith("Open ")]


def test_the_page_opens_on_the_first_section_with_reading_times() -> None:
    at = read_page()
    nav = at.radio(key="read.section")
    assert nav.value == SLUGS[0]
    assert nav.options == [f"{n}. {s.title}" for n, s in enumerate(SECTIONS, start=1)]
    captions = list(nav.proto.captions)
    for section, caption in zip(SECTIONS, captions, strict=True):
        assert caption.startswith(f"{section.minutes} min read")
    assert at.session_state["read.quiz_score"] == {
        "correct": 0,
        "answered": 0,
        "total": len(QUIZ),
    }


def test_every_section_renders_with_its_step_links_and_checks() -> None:
    at = read_page()
    for section in SECTIONS:
        open_section(at, section.slug)
        assert section.title in at.header[0].value
        shown = " ".join(m.value for m in at.markdown)
        first_line = section.body.strip().splitlines()[0]
        assert first_line[:40] in shown or first_line.startswith(("|", "$$", "```"))
        labels = step_link_labels(at)
        for step in section.step_links:
            if step == "read":  # the takeaways' link back to Read needs no button on Read
                continue
            assert any(label.startswith(f"Open {step.title()}") for label in labels), step
        keys = {r.key for r in at.radio}
        for item in QUIZ:
            assert (f"read.quiz.{item.id}" in keys) == (item.section == section.slug)
        if section.figures:
            assert len(at.get("plotly_chart")) == len(section.figures)


def test_deep_link_opens_a_section_by_number_or_slug() -> None:
    assert read_page(section="3").radio(key="read.section").value == "03-the-maths"
    at = read_page(section="06-variants")
    assert at.radio(key="read.section").value == "06-variants"
    assert read_page(section="nonsense").radio(key="read.section").value == SLUGS[0]


def test_next_and_previous_buttons() -> None:
    at = read_page()
    at.button(key="read.next").click().run()
    assert at.radio(key="read.section").value == SLUGS[1]
    at.button(key="read.prev").click().run()
    assert at.radio(key="read.section").value == SLUGS[0]


def test_right_answer_shows_success_with_the_explanation_and_scores() -> None:
    item = QUIZ[0]
    at = read_page()
    open_section(at, item.section)
    at.radio(key=f"read.quiz.{item.id}").set_value(item.answer).run()
    assert not at.exception, at.exception
    assert len(at.success) == 1 and not at.error
    assert item.explanation in at.success[0].value
    assert at.session_state["read.quiz_score"] == {
        "correct": 1,
        "answered": 1,
        "total": len(QUIZ),
    }


def test_wrong_answer_shows_error_and_the_right_choice() -> None:
    item = next(q for q in QUIZ if q.id == "rate-meaning")
    wrong = (item.answer + 1) % len(item.choices)
    at = read_page()
    open_section(at, item.section)
    at.radio(key=f"read.quiz.{item.id}").set_value(wrong).run()
    assert len(at.error) == 1 and not at.success
    assert item.choices[item.answer] in at.error[0].value
    assert item.explanation in at.error[0].value
    assert at.session_state["read.quiz_score"]["correct"] == 0
    assert at.session_state["read.quiz_score"]["answered"] == 1


def test_answers_and_score_survive_section_changes_and_reset() -> None:
    right, wrong = QUIZ[0], next(q for q in QUIZ if q.section != QUIZ[0].section)
    at = read_page()
    open_section(at, right.section)
    at.radio(key=f"read.quiz.{right.id}").set_value(right.answer).run()
    open_section(at, wrong.section)
    at.radio(key=f"read.quiz.{wrong.id}").set_value((wrong.answer + 1) % 2).run()
    assert at.session_state["read.quiz_score"]["answered"] == 2
    open_section(at, right.section)  # the answered check still shows its feedback
    assert any(right.explanation in s.value for s in at.success)
    at.switch_page("steps/explore.py").run()
    at.switch_page("steps/read.py").run()
    assert at.session_state["read.quiz_score"]["answered"] == 2
    at.button(key="read.reset").click().run()
    assert at.session_state["read.quiz_score"] == {
        "correct": 0,
        "answered": 0,
        "total": len(QUIZ),
    }


def test_every_check_gives_correct_feedback() -> None:
    """For every item: the right choice gets success, a wrong one gets error, both explained.
    A section's items are answered together: right, then (after a reset) wrong."""
    at = read_page()
    sections = dict.fromkeys(item.section for item in QUIZ)
    for section in sections:
        open_section(at, section)
        items = [item for item in QUIZ if item.section == section]
        for right in (True, False):
            for item in items:
                choice = item.answer if right else (item.answer + 1) % len(item.choices)
                at.radio(key=f"read.quiz.{item.id}").set_value(choice).run()
                assert not at.exception, at.exception
                feedback = at.success if right else at.error
                assert [f for f in feedback if item.explanation in f.value], (item.id, choice)
            at.button(key="read.reset").click().run()


def test_the_read_page_never_imports_tensorflow() -> None:
    code = (
        "import json, sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        f"at = AppTest.from_file({str(MAIN)!r}, default_timeout=60).run()\n"
        "at.switch_page('steps/read.py').run()\n"
        "assert not at.exception, at.exception\n"
        "at.radio(key='read.section').set_value('06-variants').run()\n"
        "assert not at.exception, at.exception\n"
        "loaded = {m.split('.')[0] for m in sys.modules}\n"
        "print(json.dumps(sorted(loaded & {'tensorflow', 'keras'})))"
    )
    assert fresh_python(code) == []


# Choices in an order of the learner's own ------------------------------------------------------


def shown_options(at: AppTest, item: lessons.QuizItem) -> list[str]:
    return list(at.radio(key=f"read.quiz.{item.id}").options)


def test_each_session_sees_the_choices_in_its_own_stable_order() -> None:
    at = read_page()
    who = f"session:{at.session_state['read.quiz_order']}"
    items = [q for q in QUIZ if q.section == SLUGS[0]]
    for item in items:
        order = lessons.choice_order(item, who)
        assert shown_options(at, item) == [item.choices[i] for i in order]
    first = {q.id: shown_options(at, q) for q in items}
    at.button(key="read.next").click().run()
    at.button(key="read.prev").click().run()
    assert {q.id: shown_options(at, q) for q in items} == first  # the same on every rerun


def test_a_resumed_learner_sees_the_same_order_and_their_answer() -> None:
    code = "R" + uuid.uuid4().hex[:8]
    item = next(q for q in QUIZ if q.section == SLUGS[0] and len(q.choices) > 2)
    other = next(q for q in QUIZ if q.section == SLUGS[0] and q.id != item.id)
    wrong = next(i for i in lessons.choice_order(item, "x") if i != item.answer)
    at = read_page(learner="Iris", **{"class": code})
    me = at.session_state["learners.learner"]
    order = [other.choices[i] for i in lessons.choice_order(other, f"learner:{me.id}")]
    assert shown_options(at, other) == order
    at.radio(key=f"read.quiz.{item.id}").set_value(wrong).run()  # the value is the choice itself
    assert len(at.error) == 1

    own_link = at.session_state["learners.resume"]  # the address: the learner's resume link
    again = read_page(resume=own_link)  # a new session: a reload, a new day
    assert shown_options(again, other) == order
    answered = next(m.value for m in again.markdown if "(your answer)" in m.value)
    assert f":red[✘ {item.choices[wrong]}] *(your answer)*" in answered
    lines = answered.splitlines()  # the answered check keeps the learner's order too
    for line, i in zip(lines, lessons.choice_order(item, f"learner:{me.id}"), strict=True):
        assert item.choices[i] in line
    assert again.session_state["read.quiz_score"]["answered"] == 1
    assert again.session_state["read.quiz_score"]["correct"] == 0


def test_learners_see_different_orders() -> None:
    orders = {
        who: [lessons.choice_order(q, who) for q in QUIZ] for who in ("learner:1", "learner:2")
    }
    assert orders["learner:1"] != orders["learner:2"]


# Feedback that names the misconception, and answering again ---------------------------------


def test_a_wrong_answer_shows_the_misconception_behind_the_choice_made() -> None:
    item = next(q for q in QUIZ if q.id == "kept-value")
    at = read_page()
    open_section(at, item.section)
    for wrong in (i for i in range(len(item.choices)) if i != item.answer):
        at.radio(key=f"read.quiz.{item.id}").set_value(wrong).run()
        assert len(at.error) == 1, wrong
        shown = at.error[0].value
        assert item.misconception(wrong) in shown  # the belief behind this very choice
        others = [item.misconception(i) for i in range(len(item.choices)) if i != wrong]
        assert not [m for m in others if m and m in shown]
        at.button(key=f"read.retry.{item.id}").click().run()
    at.radio(key=f"read.quiz.{item.id}").set_value(item.answer).run()
    assert at.success and not at.error  # a right answer names no misconception


def test_a_check_can_be_answered_again_and_the_store_keeps_the_first_answer() -> None:
    from dropout_lab.store import Store

    code = "A" + uuid.uuid4().hex[:8]
    item = next(q for q in QUIZ if q.id == "misplaced-dropout")
    wrong = (item.answer + 1) % len(item.choices)
    at = read_page(learner="Ada", **{"class": code})
    me = at.session_state["learners.learner"]
    open_section(at, item.section)
    at.radio(key=f"read.quiz.{item.id}").set_value(wrong).run()
    assert at.error and at.session_state["read.quiz_score"]["correct"] == 0
    at.button(key=f"read.retry.{item.id}").click().run()
    assert not at.exception, at.exception
    assert at.radio(key=f"read.quiz.{item.id}").value is None  # open again
    at.radio(key=f"read.quiz.{item.id}").set_value(item.answer).run()
    assert at.success and not at.error
    assert at.session_state["read.quiz_score"]["correct"] == 1  # the page shows the latest
    store = Store()
    assert store.quiz_answers(me.id)[item.id] == (wrong, False)  # the class counts the first
    assert store.class_answers(code).quiz[me.id][item.id] == wrong
