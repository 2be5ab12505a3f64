"""The code lab's goals and verdict."""

from __future__ import annotations

import json

from dropout_lab.codelab.reader import check_goals, parse_code, verdict
from tests.support.codelab import (
    LAB,
)

# ------------------------------------------------------------------------------------------------
# Goals and verdict
# ------------------------------------------------------------------------------------------------


def goal_map(code: str) -> dict[str, bool]:
    return {g.id: g.met for g in check_goals(parse_code(code).spec, LAB)}


def test_goals_for_starter_and_solution():
    """The checklist's goals about the code (the outcome goals are judged on a run:
    tests/unit/test_lab_outcomes.py)."""
    assert goal_map(LAB.starter) == {
        "dropout_between_hidden": False,
        "no_dropout_after_output": True,
    }
    assert all(goal_map(LAB.solution).values())


def test_goals_met_by_more_than_one_layout():
    one_dropout = LAB.starter.replace(
        'keras.layers.Dense(256, activation="relu"),\n        keras.layers.Dense(1',
        'keras.layers.Dense(256, activation="relu"),\n        keras.layers.Dropout(0.3),\n'
        "        keras.layers.Dense(1",
    )
    assert all(goal_map(one_dropout).values())
    other_rate = LAB.solution.replace("layers.Dropout(0.5)", "layers.Dropout(0.2)", 1)
    assert all(goal_map(other_rate).values())
    with_bn = LAB.solution.replace(
        "keras.layers.Dropout(0.5),",
        "keras.layers.BatchNormalization(),\n        keras.layers.Dropout(0.5),",
    )
    assert all(goal_map(with_bn).values())


def test_goals_unmet_when_unreadable():
    results = check_goals(None, LAB)
    assert [g.id for g in results] == [g.id for g in LAB.goals if not g.on_run]
    assert not any(g.met for g in results)
    assert all(g.hint for g in results)


def test_verdict_shape():
    out = verdict(LAB.solution)
    assert json.loads(json.dumps(out)) == out
    assert list(out) == ["ok", "errors", "layers", "goals"]
    assert out["ok"] is True
    assert out["errors"] == []
    assert out["layers"] == [
        "Dense(256, relu)",
        "Dropout(0.5)",
        "Dense(256, relu)",
        "Dropout(0.5)",
        "Dense(256, relu)",
        "Dropout(0.5)",
        "Dense(1, sigmoid)",
    ]
    for goal in out["goals"]:
        assert list(goal) == ["id", "label", "met", "hint"]
        assert goal["met"] is True


def test_verdict_ok_does_not_depend_on_goals():
    out = verdict(LAB.starter)
    assert out["ok"] is True
    assert [g["met"] for g in out["goals"]] == [False, True]


def test_verdict_on_refused_code():
    out = verdict("import os\nos.system('rm -rf /')\n")
    assert out["ok"] is False
    assert out["errors"][0] == {"line": 1, "message": out["errors"][0]["message"]}
    assert "import os" in out["errors"][0]["message"]
    assert out["layers"] == []
    assert [g["met"] for g in out["goals"]] == [False, False]
    json.dumps(out)
