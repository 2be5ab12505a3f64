"""The NumPy lab on the Build page under AppTest: a wrong then a right submission."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from dropout_lab.lesson.labs import load_lab
from tests.sandbox_required import require_sandbox  # noqa: F401  (autouse)
from tests.support.harness import MAIN

LAB = load_lab("numpy_dropout")


def numpy_page() -> AppTest:
    at = AppTest.from_file(str(MAIN), default_timeout=60).run()
    at.switch_page("steps/build.py").run()
    assert at.radio(key="build.lab").value == "keras"
    at.radio(key="build.lab").set_value("numpy").run()
    assert not at.exception, at.exception
    return at


def lines(at: AppTest, mark: str) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith(mark)]


def test_wrong_then_right_submission_changes_the_feedback() -> None:
    at = numpy_page()
    assert at.text_area(key="build.numpy_code").value == LAB.starter
    assert len(lines(at, "⬜")) == len(LAB.goals)
    at.button(key="build.numpy_grade").click().run()
    assert not at.exception
    failed = lines(at, "❌")
    assert any("Drops a fraction" in line for line in failed), failed
    assert any(c.value.startswith("Hint:") for c in at.caption)
    assert "build.numpy_passed_code" not in at.session_state

    at.text_area(key="build.numpy_code").set_value(LAB.solution).run()
    at.button(key="build.numpy_grade").click().run()
    assert not at.exception
    assert lines(at, "❌") == []
    assert len(lines(at, "✅")) == len(LAB.goals)
    assert any("Every property holds" in s.value for s in at.success)
    assert at.session_state["build.numpy_passed_code"] == LAB.solution


def test_solution_reveal_and_the_keras_lab_is_still_there() -> None:
    at = numpy_page()
    at.toggle(key="build.numpy_show_solution").set_value(True).run()
    assert any(c.value.strip() == LAB.solution.strip() for c in at.code)
    at.radio(key="build.lab").set_value("keras").run()
    assert at.text_area(key="build.code").value == load_lab("overfit").starter
