"""Nothing a learner does is lost (issue 23) under AppTest: a joined learner's NumPy code and
grades, the Keras code as typed and a reflection come back in a fresh session opened with their
resume link; the dashboard and its CSVs show the NumPy results; a learner who has not joined is
told on the page what a reload loses."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
from streamlit.testing.v1 import AppTest

from dropout_lab.lesson import lessons
from dropout_lab.lesson.labs import load_lab
from dropout_lab.ui import session
from tests.app.test_dashboard import csv_out, own_client, signed_in, token  # noqa: F401
from tests.sandbox_required import require_sandbox  # noqa: F401  (autouse)
from tests.support import editor
from tests.support.harness import MAIN

DROPOUT, BACKPROP, KERAS = (
    load_lab("numpy_dropout"),
    load_lab("numpy_backprop"),
    load_lab("overfit"),
)
NOT_JOINED = "Not joined"


def joined(name: str, klass: str) -> AppTest:
    at = AppTest.from_file(str(MAIN), default_timeout=120)
    at.query_params["learner"], at.query_params["class"] = name, klass
    at.run()
    assert not at.exception, at.exception
    return at


def lab(at: AppTest, which: str) -> AppTest:
    at.switch_page("steps/build.py").run()
    at.radio(key=session.BUILD_LAB).set_value(which).run()
    assert not at.exception, at.exception
    return at


def grade(at: AppTest, which: str) -> None:
    at.button(key=f"build.{which}_grade").click().run()
    assert not at.exception, at.exception


def resume_code(at: AppTest) -> str:
    value = at.query_params.get("resume")
    return value[-1] if isinstance(value, list) else value


def store():
    from dropout_lab.store import Store

    return Store()  # the app's database (the test session's DROPOUT_LAB_DATA_DIR)


def test_a_joined_learners_work_comes_back_on_their_resume_link() -> None:
    at = joined("Ada", "W" + uuid.uuid4().hex[:8])
    me = at.session_state[session.LEARNERS_LEARNER]
    lab(at, "numpy")
    assert not [i for i in at.info if NOT_JOINED in i.value]  # joined: nothing to warn about
    assert store().work(me.id) == {}  # the untouched starter is not work
    editor.type_code(at, "build.numpy_code", DROPOUT.solution)
    grade(at, "numpy")
    typed = DROPOUT.solution + "\n# still thinking\n"
    editor.type_code(at, "build.numpy_code", typed)  # typed after the grade
    lab(at, "backprop")
    editor.type_code(at, "build.backprop_code", BACKPROP.starter + "\n# half done\n")
    grade(at, "backprop")  # the starter's gaps: a failed property
    lab(at, "keras")
    keras = KERAS.starter + "# my own line\n"
    editor.type_code(at, "build.code", keras)  # never trained: kept as typed all the same
    question = lessons.load_reflect_questions()[1]
    at.switch_page("steps/reflect.py").run()
    at.text_area(key=session.REFLECT_ANSWER.of(question.id)).set_value("A first draft").run()
    assert not at.exception, at.exception

    got = store().work(me.id)
    assert got["numpy_dropout"]["text"] == typed and got["numpy_dropout"]["grade"]["passed"]
    assert got["numpy_backprop"]["grade"]["passed"] is False
    assert got["overfit"]["text"] == keras

    back = AppTest.from_file(str(MAIN), default_timeout=120)  # a fresh browser, the same link
    back.query_params["resume"] = resume_code(at)
    back.run()
    assert not back.exception, back.exception
    assert back.session_state[session.LEARNERS_LEARNER] == me
    assert back.session_state[session.REFLECT_ANSWERS] == {question.id: "A first draft"}
    assert back.session_state[session.BUILD_NUMPY_PASSED_CODE] == DROPOUT.solution  # Explore's
    lab(back, "numpy")
    assert editor.shown(back, "build.numpy_code") == typed
    assert any("Every property holds" in s.value for s in back.success)
    assert len([m for m in back.markdown if m.value.startswith("✅")]) == len(DROPOUT.goals)
    assert any("changed the code since it was graded" in c.value for c in back.caption)
    lab(back, "backprop")
    assert editor.shown(back, "build.backprop_code") == BACKPROP.starter + "\n# half done\n"
    assert [m for m in back.markdown if m.value.startswith("❌")]  # the failed grade, as left
    lab(back, "keras")
    assert editor.shown(back, "build.code") == keras


def test_the_dashboard_and_its_csvs_show_each_learners_numpy_results(token, csv_out) -> None:  # noqa: F811
    code = "W" + uuid.uuid4().hex[:8]
    s = store()
    ada, bob, cy = s.join("Ada", code), s.join("Bob", code), s.join("Cy", code)
    failed = {"label": "Drops a fraction", "passed": False, "name": "drops"}
    s.save_grade(ada.id, "numpy_dropout", "def dropout_forward(): ...", {"passed": True,
                 "code": "def dropout_forward(): ...", "checks": []})  # fmt: skip
    s.save_grade(bob.id, "numpy_dropout", "def nope(): ...", {"passed": False,
                 "code": "def nope(): ...", "checks": [failed]})  # fmt: skip
    s.save_grade(bob.id, "numpy_backprop", "x", {"passed": True, "code": "x", "checks": []})
    s.save_work(cy.id, "numpy_dropout", "typed, never graded")
    at = signed_in(code)
    table = at.dataframe[0].value
    assert list(table["Learner"]) == ["Ada", "Bob", "Cy"]
    assert list(table["NumPy dropout"]) == ["passed", "failed", ""]
    assert list(table["NumPy backprop"]) == ["", "passed", ""]
    assert any(c.value.startswith("NumPy dropout · failed: Drops a fraction") for c in at.caption)
    assert any(c.value == "def nope(): ..." for c in at.code)
    progress = next(t for t in csv_out if t.startswith("Learner,"))
    rows = list(csv.DictReader(io.StringIO(progress)))
    assert [r["NumPy dropout"] for r in rows] == ["passed", "failed", ""]
    work = next(t for t in csv_out if t.startswith("learner,kind,"))
    labs = [r for r in csv.DictReader(io.StringIO(work)) if r["kind"] == "numpy lab"]
    assert [(r["learner"], r["item"], r["correct"]) for r in labs] == [
        ("Ada", "numpy_dropout", "True"),
        ("Bob", "numpy_dropout", "False"),
        ("Bob", "numpy_backprop", "True"),
    ]
    assert "failed: Drops a fraction" in labs[1]["detail"]


@pytest.mark.parametrize("which", ["keras", "numpy", "backprop"])
def test_a_learner_who_has_not_joined_is_told_what_a_reload_loses(which: str) -> None:
    at = lab(AppTest.from_file(str(MAIN), default_timeout=60).run(), which)
    notes = [i.value for i in at.info if NOT_JOINED in i.value]
    assert len(notes) == 1 and "reload" in notes[0] and "join your class" in notes[0]
