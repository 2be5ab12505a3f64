"""Learners under AppTest: joining by deep link or the sidebar form, the resume link (shown
once, kept in the address, the only way back to a learner's work), the sidebar's progress marks
from the database, restoring a returning learner's work, lesson locks (privacy, limits and codes:
test_learners_private.py)."""

from __future__ import annotations

import uuid

import pytest
from streamlit.testing.v1 import AppTest

from dropout_lab.lesson import lessons, md
from dropout_lab.ui import session
from tests.support import editor, wait
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


def test_a_deep_link_joins_the_learner_and_keeps_their_resume_link() -> None:
    code = new_class()
    at = start(learner="Ada", **{"class": code})
    assert not at.exception, at.exception
    me = at.session_state[session.LEARNERS_LEARNER]
    assert (me.name, me.class_code) == ("Ada", code)
    mine = resume_code(at)  # the address is the learner's own link now, without name or class
    assert "learner" not in at.query_params and "class" not in at.query_params
    assert store().resume(mine, "test:check").value.learner == me
    assert any("Ada" in m.value for m in at.sidebar.markdown)
    at.switch_page("steps/explore.py").run()  # switching pages keeps the learner
    assert at.session_state[session.LEARNERS_LEARNER] == me
    assert resume_code(at) == mine


def test_the_resume_link_is_shown_once_with_a_copy_button_and_a_line_to_keep_it() -> None:
    at = start(learner="Kim", **{"class": new_class()})
    mine = resume_code(at)
    (block,) = [c for c in at.code if mine in c.value]  # st.code: it has a copy button
    assert block.value == f"/?resume={mine}"
    assert any("Keep it somewhere safe" in m.value for m in at.markdown)
    assert any("do not share it" in c.value for c in at.caption)
    at.switch_page("steps/explore.py").run()
    assert any(mine in c.value for c in at.code)  # until the learner says it is kept
    at.button(key=session.LEARNERS_KEPT).click().run()
    assert not any(mine in c.value for c in at.code)
    assert resume_code(at) == mine  # still the address
    again = start(resume=mine)  # a reload: the learner has it, it is not shown again
    assert not any(mine in c.value for c in again.code)


def test_explore_criteria_mark_the_sidebar_and_survive_a_new_session() -> None:
    code = new_class()
    at = start(learner="Ada", **{"class": code})
    at.switch_page("steps/explore.py").run()
    links = step_links(at)
    assert "✓" not in links["explore"].label
    assert "⬜ Moved the dropout rate" in links["explore"].help
    at.session_state["explore.rate"] = 0.5  # what the live view's settled rate does
    at.run()
    assert not at.exception, at.exception
    assert "◐" in step_links(at)["explore"].label  # one of two criteria
    at.toggle(key="explore.inference").set_value(True).run()
    links = step_links(at)
    assert links["explore"].label.endswith("Explore ✓")
    assert "✅ Moved the dropout rate" in links["explore"].help
    assert "✅ Looked at inference mode" in links["explore"].help
    assert "1 of 5 steps done" in at.sidebar.get("progress")[0].proto.text
    # A reload or a bookmark: a new session, the same link.
    again = start(resume=resume_code(at))
    assert step_links(again)["explore"].label.endswith("Explore ✓")
    assert "✓" not in step_links(again)["read"].label


def test_the_read_quiz_is_stored_marks_read_and_is_restored() -> None:
    code = new_class()
    at = start(learner="Quinn", **{"class": code}, step="read")
    at.switch_page("steps/read.py").run()
    for slug in SLUGS:
        items = [q for q in QUIZ if q.section == slug]
        if not items:
            continue
        at.radio(key="read.section").set_value(slug).run()
        for item in items:
            at.radio(key=f"read.quiz.{item.id}").set_value(item.answer).run()
    assert not at.exception, at.exception
    assert step_links(at)["read"].label.endswith("Read ✓")
    me = at.session_state[session.LEARNERS_LEARNER]
    stored = store().quiz_answers(me.id)
    assert set(stored) == {q.id for q in QUIZ}
    assert all(correct for _, correct in stored.values())
    again = start(resume=resume_code(at))
    again.switch_page("steps/read.py").run()
    assert again.session_state["read.quiz_score"]["correct"] == len(QUIZ)


def test_a_quiz_below_the_pass_mark_does_not_complete_read() -> None:
    code = new_class()
    at = start(learner="Rex", **{"class": code})
    at.switch_page("steps/read.py").run()
    item = next(q for q in QUIZ if q.section == SLUGS[0])
    wrong = (item.answer + 1) % len(item.choices)
    at.radio(key=f"read.quiz.{item.id}").set_value(wrong).run()
    assert "✓" not in step_links(at)["read"].label
    me = at.session_state[session.LEARNERS_LEARNER]
    assert store().quiz_answers(me.id) == {item.id: (wrong, False)}


def stored_run(rate: float) -> tuple[str, dict, dict]:
    """A finished run put into the app's runs cache: (key, spec dict, config dict)."""
    import numpy as np

    from dropout_lab.lesson.spec import RunResult, TrainConfig, lesson_spec, run_key
    from dropout_lab.training.runstore import RunStore

    spec, config = lesson_spec(rate), TrainConfig(epochs=1, seed=int(uuid.uuid4().int % 1000))
    history = {k: [0.5] for k in ("loss", "accuracy", "val_loss", "val_accuracy")}
    key = run_key(spec, config)
    run = RunResult(key, spec, config, history, 1, False, 1, 0.1,
                    [np.zeros((10, 4), "float32")], 1000, 2000)  # fmt: skip
    RunStore().put(run)
    from dataclasses import asdict

    return key, spec.to_dict(), asdict(config)


def test_a_returning_learner_gets_reflections_and_latest_submission_back() -> None:
    code = new_class()
    s = store()
    me, mine = linked("Grace", code)
    s.save_reflection(me.id, "q1", "Dropout stays on in MC dropout.")
    key, spec, config = stored_run(0.3)
    summary = {"run_key": key, "rates": [0.3], "val_accuracy": 0.9, "config": config}
    s.save_submission(me.id, "overfit", "model = 'old'", spec, {"run_key": "gone", "config": {}})
    s.save_submission(me.id, "overfit", "model = 'mine'", spec, summary)
    s.record(me.id, "build", "trained")
    at = start(resume=mine)
    assert not at.exception, at.exception
    assert at.session_state["reflect.answers"] == {"q1": "Dropout stays on in MC dropout."}
    assert at.session_state["build.code"] == "model = 'mine'"  # the latest submission
    assert at.session_state["build.latest"]["config"].epochs == 1
    assert at.session_state["build.runs"] == [{"label": "Your model", "key": key}]
    assert step_links(at)["build"].label.endswith("Build ✓")
    assert any("Welcome back" in str(m.value) for m in at.main.success)
    at.switch_page("steps/build.py").run()
    assert not at.exception, at.exception
    assert editor.shown(at, "build.code") == "model = 'mine'"  # the editor takes it over


def test_a_submission_whose_run_is_gone_restores_the_code_only() -> None:
    code = new_class()
    s = store()
    me, mine = linked("Hal", code)
    s.save_submission(me.id, "overfit", "model = 'x'", None, {"run_key": "gone0", "config": {}})
    at = start(resume=mine)
    assert not at.exception, at.exception
    assert at.session_state["build.code"] == "model = 'x'"
    assert "build.runs" not in at.session_state


def test_the_page_form_joins_and_leave_forgets() -> None:
    code = new_class()
    at = start()
    assert session.LEARNERS_LEARNER not in at.session_state
    at.text_input(key=session.LEARNERS_NAME).set_value("Lin")
    at.text_input(key=session.LEARNERS_CODE).set_value(code)
    at.button(key="learners.join").click().run()
    assert not at.exception, at.exception
    assert at.session_state[session.LEARNERS_LEARNER].name == "Lin"
    mine = resume_code(at)
    at.button(key="learners.leave").click().run()
    assert session.LEARNERS_LEARNER not in at.session_state
    assert "resume" not in at.query_params and session.LEARNERS_RESUME not in at.session_state
    at.text_input(key=session.LEARNERS_RESUME_CODE).set_value(mine)
    at.button(key=session.LEARNERS_RESUME_GO).click().run()  # back with the resume code
    assert at.session_state[session.LEARNERS_LEARNER].name == "Lin"
    assert resume_code(at) == mine


def test_a_bad_name_is_refused_with_a_clear_message() -> None:
    at = start(learner="<script>", **{"class": new_class()})
    assert not at.exception, at.exception
    assert session.LEARNERS_LEARNER not in at.session_state
    assert at.main.warning and "could not be joined" in at.main.warning[0].value


def test_learners_never_see_each_others_progress() -> None:
    code = new_class()
    ada = start(learner="Ada", **{"class": code})
    ada.switch_page("steps/explore.py").run()
    ada.toggle(key="explore.inference").set_value(True).run()
    assert "◐" in step_links(ada)["explore"].label
    bob = start(learner="Bob", **{"class": code})
    assert bob.session_state[session.LEARNERS_PROGRESS] == {}
    assert all("✓" not in p.label and "◐" not in p.label for p in step_links(bob).values())
    other = start(learner="Ada", **{"class": new_class()})  # same name, other class
    assert other.session_state[session.LEARNERS_PROGRESS] == {}
    classmate = start(learner="Ada", **{"class": code})  # Ada's name and class: not Ada's work
    assert session.LEARNERS_LEARNER not in classmate.session_state
    assert session.LEARNERS_PROGRESS not in classmate.session_state
    assert all("◐" not in p.label for p in step_links(classmate).values())


def test_anonymous_learners_get_the_lesson_and_nothing_is_stored() -> None:
    at = start()
    at.switch_page("steps/explore.py").run()
    at.session_state["explore.rate"] = 0.5  # what the live view's settled rate does
    at.run()
    at.switch_page("steps/read.py").run()  # visited, nothing done: no mark (issue 23)
    assert not step_links(at)["read"].label.endswith("✓")
    at.switch_page("steps/explore.py").run()
    at.toggle(key="explore.inference").set_value(True).run()
    assert not at.exception, at.exception
    assert at.session_state[session.LEARNERS_PROGRESS] == {"explore": {"rate", "inference"}}
    link = step_links(at)["explore"]  # ✓ is the criteria met, as the tooltip says
    assert link.label.endswith("Explore ✓") and "⬜" not in link.help
    assert "1 of 5 steps done" in at.sidebar.get("progress")[0].proto.text
    assert session.LEARNERS_LEARNER not in at.session_state  # and nothing stored: no learner


def test_criteria_met_before_joining_are_the_new_learners() -> None:
    code = new_class()
    at = start()
    at.switch_page("steps/explore.py").run()
    at.session_state["explore.rate"] = 0.5  # what the live view's settled rate does
    at.run()
    at.toggle(key="explore.inference").set_value(True).run()
    at.text_input(key=session.LEARNERS_NAME).set_value("Ines")
    at.text_input(key=session.LEARNERS_CODE).set_value(code)
    at.button(key=session.LEARNERS_JOIN).click().run()
    assert not at.exception, at.exception
    me = at.session_state[session.LEARNERS_LEARNER]
    assert store().progress(me.id) == {"explore": {"rate", "inference"}}
    assert step_links(at)["explore"].label.endswith("Explore ✓")


def test_a_lesson_file_closes_steps_and_caps_epochs(tmp_path, monkeypatch) -> None:
    lesson = tmp_path / "lesson.toml"
    lesson.write_text('[steps]\nopen = ["explore", "build"]\n[build]\nmax_epochs = 20\n'
                      'epochs = 10\nseed = 7\n')  # fmt: skip
    monkeypatch.setenv("DROPOUT_LAB_LESSON", str(lesson))
    at = start()
    assert step_links(at)["read"].disabled and not step_links(at)["build"].disabled
    at.switch_page("steps/read.py").run()
    assert not at.exception
    assert "not opened this step" in at.info[0].value
    assert not at.title  # the page itself did not run


def test_a_broken_lesson_file_stops_the_app_with_a_clear_error(tmp_path, monkeypatch) -> None:
    lesson = tmp_path / "lesson.toml"
    lesson.write_text("[build]\nmax_epochs = 0\n")
    monkeypatch.setenv("DROPOUT_LAB_LESSON", str(lesson))
    at = start()
    assert not at.exception
    assert md.text("[build] max_epochs must be") in at.error[0].value  # escaped: Markdown


@pytest.mark.parametrize("name", ["", "   "])
def test_an_empty_name_in_a_link_is_ignored(name: str) -> None:
    at = start(learner=name, **{"class": "C1"})
    assert not at.exception
    assert session.LEARNERS_LEARNER not in at.session_state


def test_training_a_model_with_dropout_marks_build_and_stores_the_submission() -> None:

    from dropout_lab.lesson.labs import load_lab

    lab = load_lab("overfit")
    code = new_class()
    at = start(learner="Bea", **{"class": code})
    at.switch_page("steps/build.py").run()
    editor.type_code(at, "build.code", lab.solution)
    at.number_input(key="build.epochs").set_value(2).run()
    next(b for b in at.button if b.label == "▶ Train mine").click().run()
    wait.rerun_until(
        at, lambda: any("Done: 2 epochs" in s.value for s in at.success), what="the 2-epoch run"
    )
    at.run()
    assert step_links(at)["build"].label.endswith("Build ✓")
    subs = store().submissions(at.session_state[session.LEARNERS_LEARNER].id)
    assert len(subs) == 1
    assert subs[0]["code"] == lab.solution and subs[0]["lab"] == "overfit"
    summary = subs[0]["summary"]
    assert summary["epochs"] == 2 and summary["rates"] and 0 <= summary["val_accuracy"] <= 1
    assert summary["run_key"] == at.session_state["build.runs"][-1]["key"]
    at.run()  # shown again: not saved twice
    assert len(store().submissions(at.session_state[session.LEARNERS_LEARNER].id)) == 1


def test_answering_every_reflect_question_marks_reflect_and_stores_the_answers() -> None:
    questions = lessons.load_reflect_questions()
    code = new_class()
    at = AppTest.from_file(str(MAIN), default_timeout=120)
    at.query_params["learner"], at.query_params["class"] = "Cy", code
    at.run()
    at.switch_page("steps/reflect.py").run()
    for n, q in enumerate(questions):
        at.text_area(key=f"reflect.answer.{q.id}").set_value(f"answer {n}").run()
        assert not at.exception, at.exception
        done = step_links(at)["reflect"].label.endswith("Reflect ✓")
        assert done == (n == len(questions) - 1)
    me = at.session_state[session.LEARNERS_LEARNER]
    assert store().reflections(me.id) == {q.id: f"answer {n}" for n, q in enumerate(questions)}


def test_a_step_in_the_link_opens_that_step_for_the_learner() -> None:
    code = new_class()
    at = start(learner="Sam", step="explore", rate="0.5", **{"class": code})
    assert not at.exception, at.exception
    assert at.session_state["explore.rate"] == 0.5
    assert at.session_state[session.LEARNERS_LEARNER].name == "Sam"
    assert resume_code(at)


def test_leaving_takes_the_learners_work_along_and_keeps_the_sessions() -> None:
    code = new_class()
    s = store()
    me, mine = linked("Lee", code)
    s.save_reflection(me.id, "q1", "mine")
    s.save_submission(me.id, "overfit", "model = 'lee'", None, None)
    at = start(resume=mine)
    at.switch_page("steps/explore.py").run()
    at.session_state["explore.rate"] = 0.5  # what the live view's settled rate does
    at.run()
    assert at.session_state["build.code"] == "model = 'lee'"
    assert at.session_state["reflect.answers"] == {"q1": "mine"}
    at.button(key="learners.leave").click().run()
    assert not at.exception, at.exception
    work = ("build.code", "reflect.answers", "learners.progress", "learners.learner",
            "learners.resume")  # fmt: skip
    assert [k for k in work if k in at.session_state] == []
    assert at.session_state["explore.rate"] == 0.5  # the page's own settings stay
    assert "explore" in at.session_state["lesson.visited"]
