"""The Build page under AppTest: edit, check, refuse, train a short real run, see the curves;
the lab asks for decisions (issue 25): outcome goals judged on the learner's run, hints that fade
with failed attempts, one solution only after a trained attempt, a variant to train and compare
(real histories of tests/data/overfit_histories.json, served from a run store)."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from dropout_lab.lesson.labs import load_lab
from dropout_lab.training.runstore import RunStore
from dropout_lab.training.service import TrainingService
from dropout_lab.ui import session, training
from tests.support import editor, overfit_runs, wait
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
    assert "⬜ Dropout after at least one hidden layer (you choose where, and the rate)" in (
        goal_lines(at)
    )


def test_solution_meets_every_goal_of_the_code() -> None:
    at = build_page()
    editor.type_code(at, "build.code", LAB.solution)
    assert not at.exception
    code_goals = [g.label for g in LAB.goals if not g.on_run]
    assert [f"✅ {label}" for label in code_goals] == goal_lines(at)[: len(code_goals)]
    assert all(line.startswith("⬜") for line in goal_lines(at)[len(code_goals) :])  # no run yet


def test_refused_input_shows_its_message_and_cannot_train() -> None:
    at = build_page()
    editor.type_code(at, "build.code", "import os\nos.system('rm -rf /')\n")
    assert not at.exception
    assert any(e.value.startswith("Line 1:") and "import os" in e.value for e in at.error)
    assert 1 in editor.marked_lines(at, "build.code")  # the editor marks the refused line
    train = next(b for b in at.button if b.label == "▶ Train mine")
    assert train.disabled


@pytest.fixture
def service(tmp_path, monkeypatch):
    svc = TrainingService(RunStore(tmp_path / "runs"), max_workers=1)
    monkeypatch.setattr(training, "service", lambda: svc)
    yield svc
    svc.shutdown()


def text_of(at: AppTest) -> str:
    kinds = ("markdown", "caption", "info", "success", "warning", "error")
    return "\n".join(str(e.value) for kind in kinds for e in at.get(kind))


def attempt(at: AppTest, store: RunStore, layout: str) -> None:
    """Type `layout`'s code and train it: its real 50-epoch run is served from the store."""
    overfit_runs.put(store, layout)
    editor.type_code(at, "build.code", overfit_runs.code_for(overfit_runs.LAYOUTS[layout]))
    next(b for b in at.button if b.label == "▶ Train mine").click().run()
    wait.rerun_until(at, lambda: any("Your model**: Done" in s.value for s in at.success),
                     what=f"the run of {layout}")  # fmt: skip
    at.run()  # the goals beside the editor judge the finished run


def test_the_solution_is_hidden_until_a_trained_attempt(service) -> None:
    at = build_page()
    assert not at.get("toggle") or session.BUILD_SHOW_SOLUTION not in [t.key for t in at.toggle]
    assert "One solution can be shown here after your first attempt" in text_of(at)
    assert not any(LAB.solution.strip() in c.value for c in at.code)
    attempt(at, service.store, "all_0.3")
    at.toggle(key=session.BUILD_SHOW_SOLUTION).set_value(True).run()
    assert any(c.value.strip() == LAB.solution.strip() for c in at.code)


def test_hints_fade_the_idea_first_code_only_after_failed_attempts(service) -> None:
    at = build_page()
    said = text_of(at)
    assert "💡 **Idea.**" in said and "👉" not in said and "🧩" not in said
    attempt(at, service.store, "all_0.3")  # the loss climbs: a failed attempt
    said = text_of(at)
    assert "⬜ Your run's final validation loss is within 15% of its lowest" in said
    assert "✅ Your run's final training accuracy is at most 92%" in said
    assert "👉 **Pointer.**" in said and "🧩" not in said
    attempt(at, service.store, "all_0.2")  # a second failed attempt: now the code
    said = text_of(at)
    assert "🧩 **Code.**" in said
    attempt(at, service.store, "swapped_0.5_0.5_0.2")  # another layout than the solution's
    said = text_of(at)
    assert "Your run reaches every goal" in said
    assert [line[0] for line in goal_lines(at)] == ["✅"] * len(LAB.goals)
    assert len(at.session_state[session.BUILD_ATTEMPTS][LAB.name]["failed"]) == 2


def test_a_short_run_is_no_attempt(service) -> None:
    at = build_page()
    editor.type_code(at, "build.code", LAB.solution)
    at.number_input(key="build.epochs").set_value(2).run()
    next(b for b in at.button if b.label == "▶ Train mine").click().run()
    wait.rerun_until(at, lambda: any("Done: 2 epochs" in s.value for s in at.success),
                     what="the 2-epoch run")  # fmt: skip
    at.run()
    assert "the outcomes are judged on a run of at least 50" in text_of(at)
    assert session.BUILD_SHOW_SOLUTION not in [t.key for t in at.toggle]


def test_a_variant_trains_and_is_compared_here_and_on_compare(service) -> None:
    at = build_page()
    attempt(at, service.store, "all_0.3")
    overfit_runs.put(service.store, "swapped_0.5_0.5_0.2")
    at.radio(key=session.BUILD_VARIANT).set_value("higher_first").run()
    at.button(key=session.BUILD_VARIANT_TRAIN).click().run()
    label = next(v.label for v in LAB.variants if v.id == "higher_first")
    wait.rerun_until(at, lambda: any(f"{label}**: Done" in s.value for s in at.success),
                     what="the variant's run")  # fmt: skip
    table = next(m.value for m in at.markdown if m.value.startswith("| Run |"))
    assert "| Your model | 1 of 2 |" in table and f"| {label} | 2 of 2 |" in table
    build_names = {t["name"] for t in json.loads(at.get("plotly_chart")[-1].proto.spec)["data"]}
    assert f"{label}: validation" in build_names
    at.switch_page("steps/compare.py").run()
    assert not at.exception, at.exception
    names = {t["name"] for c in at.get("plotly_chart") for t in json.loads(c.proto.spec)["data"]}
    assert f"{label}: validation" in names and "Your model: validation" in names


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


def test_train_both_updates_the_sidebar_when_the_runs_finish(service) -> None:
    """The sidebar is drawn before the page: the run that first shows the finished runs also
    records Build's criterion, and the sidebar says so in that same run (not one click later)."""
    overfit_runs.put(service.store, "all_0.3")
    overfit_runs.put(service.store, "none")  # the starter: both are stored, so both are instant
    at = build_page()
    (build_link,) = [p for p in at.sidebar.get("page_link") if "Build" in p.proto.label]
    assert "✓" not in build_link.proto.label
    editor.type_code(at, "build.code", overfit_runs.code_for(overfit_runs.LAYOUTS["all_0.3"]))
    next(b for b in at.button if b.label == "▶▶ Train both").click().run()
    wait.rerun_until(at, lambda: sum("**: Done" in s.value for s in at.success) == 2,
                     what="both runs")  # fmt: skip
    (build_link,) = [p for p in at.sidebar.get("page_link") if "Build" in p.proto.label]
    assert build_link.proto.label.endswith("Build ✓")
    assert "1 of 5 steps done" in at.sidebar.get("progress")[0].proto.text
