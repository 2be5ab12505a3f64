"""The code lab's reader on the lab's own code (starter, solution, source lines, goal
schema); its other readings are in test_codelab_*.py."""

from __future__ import annotations

from dropout_lab.codelab import goals
from dropout_lab.lesson.labs import GOAL_CHECKS
from dropout_lab.lesson.spec import lesson_spec
from tests.support.codelab import (
    LAB,
    ok_spec,
)

# ------------------------------------------------------------------------------------------------
# The lab's own code
# ------------------------------------------------------------------------------------------------


def test_starter_parses_to_the_lesson_model_without_dropout():
    spec = ok_spec(LAB.starter)
    assert spec.identity() == lesson_spec(0.0).identity()


def test_solution_parses_to_the_lesson_model_with_dropout_05():
    spec = ok_spec(LAB.solution)
    assert spec.identity() == lesson_spec(0.5).identity()
    assert spec.describe().count("Dropout(0.5)") == 3


def test_layers_keep_their_source_lines():
    spec = ok_spec(LAB.solution)
    lines = LAB.solution.splitlines()
    for layer in spec.layers:
        assert layer.kind in lines[layer.line - 1]


def test_goal_checks_match_the_lab_schema():
    # One registry: the lab loader's names and parameters are the code lab's checks.
    every = {**goals.CHECKS, **goals.RUN_CHECKS}
    assert {name: check.params for name, check in every.items()} == GOAL_CHECKS
    assert all(goal.check in every for goal in LAB.goals)
