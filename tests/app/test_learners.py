"""Learners under AppTest: joining by deep link or the sidebar form, the sidebar's progress
marks from the database, restoring a returning learner's work, privacy, lesson locks."""

from __future__ import annotations

import uuid

import pytest
from streamlit.testing.v1 import AppTest

from dropout_lab.lesson import lessons
from dropout_lab.ui import session
from tests.support import editor
from tests.support.harness import MAIN

SLUGS = [s.slug for s in lessons.load_sections()]
QUIZ = lessons.load_quiz(sections=SLUGS)


def new_class() -> str:
    return "T" + uuid.uuid4().hex[:8]


def start(**query: str) -> AppTest:
    at = AppTest.from_file(str(MAIN), default_timeout=60)
    for name, value in query.items():
        at.query_params[name] = value
    return at.run()


def param(at: AppTest, name: str) -> str | None:
    """A query parameter's value (AppTest keeps set ones as str, script-set ones as lists)."""
    value = at.query_params.get(name)
    return value[-1] if isinstance(value, list) else value


def store():
    from dropout_lab.store import Store

    return Store()  # the same database the app uses (DROPOUT_LAB_DATA_DIR of the test session)


def step_links(at: AppTest) -> dict[str, object]:
    """{step id: the sidebar's page link proto} for the five steps."""
    out = {}
    for link in at.sidebar.get("page_link"):
        proto = link.proto
        if proto.page and proto.page != "dashboard" and proto.label != "Overview":
            out[proto.page] = proto
    return out


def test_a_deep_link_joins_the_learner_and_keeps_the_link() -> None:
    code = new_class()
    at = start(learner="Ada", **{"class": code})
    assert not at.exception, at.exception
    me = at.session_state[session.LEARNERS_LEARNER]
    assert (me.name, me.class_code) == ("Ada", code)
    assert param(at, "learner") == "Ada" and param(at, "class") == code
    assert any("Ada" in m.value for m in at.sidebar.markdown)
    at.switch_page("steps/explore.py").run()  # switching pages keeps the learner
    assert at.session_state[session.LEARNERS_LEARNER] == me
    assert param(at, "learner") == "Ada"


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
    again = start(learner="Ada", **{"class": code})
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
    again = start(learner="Quinn", **{"class": code})
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
    me = s.join("Grace", code)
    s.save_reflection(me.id, "q1", "Dropout stays on in MC dropout.")
    key, spec, config = stored_run(0.3)
    summary = {"run_key": key, "rates": [0.3], "val_accuracy": 0.9, "config": config}
    s.save_submission(me.id, "overfit", "model = 'old'", spec, {"run_key": "gone", "config": {}})
    s.save_submission(me.id, "overfit", "model = 'mine'", spec, summary)
    s.record(me.id, "build", "trained")
    at = start(learner="Grace", **{"class": code})
    assert not at.exception, at.exception
    assert at.session_state["reflect.answers"] == {"q1": "Dropout stays on in MC dropout."}
    assert at.session_state["build.code"] == "model = 'mine'"  # the latest submission
    assert at.session_state["build.latest"]["config"].epochs == 1
    assert at.session_state["build.runs"] == [{"label": "Your model", "key": key}]
    assert step_links(at)["build"].label.endswith("Build ✓")
    assert any("Welcome back" in str(m.value) for m in at.sidebar.success)
    at.switch_page("steps/build.py").run()
    assert not at.exception, at.exception
    assert editor.shown(at, "build.code") == "model = 'mine'"  # the editor takes it over


def test_a_submission_whose_run_is_gone_restores_the_code_only() -> None:
    code = new_class()
    s = store()
    me = s.join("Hal", code)
    s.save_submission(me.id, "overfit", "model = 'x'", None, {"run_key": "gone0", "config": {}})
    at = start(learner="Hal", **{"class": code})
    assert not at.exception, at.exception
    assert at.session_state["build.code"] == "model = 'x'"
    assert "build.runs" not in at.session_state


def test_the_sidebar_form_joins_and_leave_forgets() -> None:
    code = new_class()
    at = start()
    assert session.LEARNERS_LEARNER not in at.session_state
    at.text_input(key=session.LEARNERS_NAME).set_value("Lin")
    at.text_input(key=session.LEARNERS_CODE).set_value(code)
    at.button(key="learners.join").click().run()
    assert not at.exception, at.exception
    assert at.session_state[session.LEARNERS_LEARNER].name == "Lin"
    assert param(at, "learner") == "Lin"
    at.button(key="learners.leave").click().run()
    assert session.LEARNERS_LEARNER not in at.session_state
    assert "learner" not in at.query_params


def test_a_bad_name_is_refused_with_a_clear_message() -> None:
    at = start(learner="<script>", **{"class": new_class()})
    assert not at.exception, at.exception
    assert session.LEARNERS_LEARNER not in at.session_state
    assert at.sidebar.warning and "could not be joined" in at.sidebar.warning[0].value


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


def test_anonymous_learners_get_the_lesson_and_nothing_is_stored() -> None:
    at = start()
    at.switch_page("steps/explore.py").run()
    at.session_state["explore.rate"] = 0.5  # what the live view's settled rate does
    at.run()
    at.toggle(key="explore.inference").set_value(True).run()
    assert not at.exception, at.exception
    assert session.LEARNERS_PROGRESS not in at.session_state
    assert step_links(at)["explore"].label.endswith("Explore ✓")  # visited, as before
    assert "steps visited" in at.sidebar.get("progress")[0].proto.text


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
    assert "[build] max_epochs must be" in at.error[0].value


@pytest.mark.parametrize("name", ["", "   "])
def test_an_empty_name_in_a_link_is_ignored(name: str) -> None:
    at = start(learner=name, **{"class": "C1"})
    assert not at.exception
    assert session.LEARNERS_LEARNER not in at.session_state


def test_training_a_model_with_dropout_marks_build_and_stores_the_submission() -> None:
    import time

    from dropout_lab.lesson.labs import load_lab

    lab = load_lab("overfit")
    code = new_class()
    at = start(learner="Bea", **{"class": code})
    at.switch_page("steps/build.py").run()
    editor.type_code(at, "build.code", lab.solution)
    at.number_input(key="build.epochs").set_value(2).run()
    next(b for b in at.button if b.label == "▶ Train mine").click().run()
    deadline = time.monotonic() + 180
    while not any("Done: 2 epochs" in s.value for s in at.success):
        assert time.monotonic() < deadline, "the run did not finish in 180 s"
        assert not at.exception, at.exception
        time.sleep(0.5)
        at.run()
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
    assert param(at, "learner") == "Sam" and param(at, "class") == code


def test_leaving_takes_the_learners_work_along_and_keeps_the_sessions() -> None:
    code = new_class()
    s = store()
    me = s.join("Lee", code)
    s.save_reflection(me.id, "q1", "mine")
    s.save_submission(me.id, "overfit", "model = 'lee'", None, None)
    at = start(learner="Lee", **{"class": code})
    at.switch_page("steps/explore.py").run()
    at.session_state["explore.rate"] = 0.5  # what the live view's settled rate does
    at.run()
    assert at.session_state["build.code"] == "model = 'lee'"
    assert at.session_state["reflect.answers"] == {"q1": "mine"}
    at.button(key="learners.leave").click().run()
    assert not at.exception, at.exception
    work = ("build.code", "reflect.answers", "learners.progress", "learners.learner")
    assert [k for k in work if k in at.session_state] == []
    assert at.session_state["explore.rate"] == 0.5  # the page's own settings stay
    assert "explore" in at.session_state["lesson.visited"]
