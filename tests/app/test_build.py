"""The Build page under AppTest: edit, check, refuse, train a short real run, see the curves."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from dropout_lab.lesson.labs import load_lab
from tests.support import editor, wait
from tests.support.harness import MAIN

LAB = load_lab("overfit")


def build_page() -> AppTest:
    at = AppTest.from_file(str(MAIN), default_timeout=60).run()
    at.switch_page("steps/build.py").run()
    assert not at.exception, at.exception
    return at


def goal_lines(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if m.value[:1] in ("✅", "⬜")]


def test_starts_with_the_starter_and_unmet_goals() -> None:
    at = build_page()
    assert editor.shown(at, "build.code") == LAB.starter
    assert editor.marked_lines(at, "build.code") == []
    assert any("valid model" in s.value for s in at.success)
    assert "⬜ A Dropout after each hidden Dense layer" in goal_lines(at)


def test_solution_meets_every_goal() -> None:
    at = build_page()
    editor.type_code(at, "build.code", LAB.solution)
    assert not at.exception
    assert all(line.startswith("✅") for line in goal_lines(at)), goal_lines(at)


def test_refused_input_shows_its_message_and_cannot_train() -> None:
    at = build_page()
    editor.type_code(at, "build.code", "import os\nos.system('rm -rf /')\n")
    assert not at.exception
    assert any(e.value.startswith("Line 1:") and "import os" in e.value for e in at.error)
    assert 1 in editor.marked_lines(at, "build.code")  # the editor marks the refused line
    train = next(b for b in at.button if b.label == "▶ Train mine")
    assert train.disabled


def test_show_solution_reveals_the_reference() -> None:
    at = build_page()
    at.toggle(key="build.show_solution").set_value(True).run()
    assert any(c.value.strip() == LAB.solution.strip() for c in at.code)


def test_train_a_short_run_and_see_the_curves() -> None:
    at = build_page()
    editor.type_code(at, "build.code", LAB.solution)
    at.number_input(key="build.epochs").set_value(3).run()
    next(b for b in at.button if b.label == "▶ Train mine").click().run()
    assert not at.exception
    wait.rerun_until(
        at, lambda: any("Done: 3 epochs" in s.value for s in at.success), what="the 3-epoch run"
    )
    spec = json.loads(at.get("plotly_chart")[-1].proto.spec)
    names = {trace["name"] for trace in spec["data"]}
    assert {"Your model: training", "Your model: validation"} <= names
    curve = next(t for t in spec["data"] if t["name"] == "Your model: validation")
    assert len(curve["y"]) == 3
