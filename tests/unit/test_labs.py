"""Lab definitions load from `labs/` and broken ones are refused with clear messages."""

from __future__ import annotations

import ast
import dataclasses
import shutil
from pathlib import Path

import pytest

from dropout_lab.lesson.labs import GOAL_CHECKS, LABS_DIR, Goal, Lab, LabError, list_labs, load_lab
from dropout_lab.lesson.spec import MAX_EPOCHS, TrainConfig

GOOD_TOML = """
title = "A lab"

[train]
epochs = 20

[[goals]]
id = "g1"
label = "Some dropout"
check = "dropout_rate"
rate = 0.5
hint = "Use Dropout(0.5)."
"""


def make_lab(root: Path, toml: str = GOOD_TOML, name: str = "mini") -> Path:
    lab = root / name
    lab.mkdir(parents=True)
    (lab / "lab.toml").write_text(toml, encoding="utf-8")
    (lab / "starter.py").write_text("import keras\n", encoding="utf-8")
    (lab / "solution.py").write_text("import keras\n", encoding="utf-8")
    return lab


def test_overfit_lab_loads():
    lab = load_lab()
    assert isinstance(lab, Lab)
    assert lab.name == "overfit"
    assert lab.title
    assert lab.intro
    assert lab.starter.count("keras.layers.Dense(256") == 3
    assert "Dropout" not in lab.starter.split('"""')[-1]  # only in the docstring
    assert lab.solution.count("keras.layers.Dropout(0.5)") == 3
    assert lab.config == TrainConfig(epochs=50, batch_size=32, seed=0, data_seed=0)
    assert [g.id for g in lab.goals] == [
        "dropout_between_hidden",
        "no_dropout_after_output",
        "val_loss_near_best",
        "not_memorising",
    ]
    for goal in lab.goals:
        assert goal.label and goal.hint and goal.check in GOAL_CHECKS
        assert "\n" not in goal.hint and "\n" not in goal.hints[1]
    assert [g.on_run for g in lab.goals] == [False, False, True, True]
    assert lab.goals[2].param("within") == 0.15
    assert lab.goals[0].param("rate", "none") == "none"
    assert [v.id for v in lab.variants] == ["lower_first", "higher_first"]


def test_lab_is_frozen_and_hashable():
    lab = load_lab("overfit")
    with pytest.raises(dataclasses.FrozenInstanceError):
        lab.title = "x"  # type: ignore[misc]
    hash(lab)
    assert load_lab("overfit") == lab


def test_labs_dir_is_the_repository_labs_folder():
    assert Path(__file__).resolve().parents[2] / "labs" == LABS_DIR
    assert "overfit" in list_labs()


def test_starter_and_solution_are_real_python_files():
    for name in ("starter.py", "solution.py"):
        ast.parse((LABS_DIR / "overfit" / name).read_text(), name)


def test_custom_root(tmp_path):
    make_lab(tmp_path)
    lab = load_lab("mini", root=tmp_path)
    assert lab.title == "A lab"
    assert lab.intro == ""
    assert lab.config == TrainConfig(epochs=20)
    assert lab.goals == (
        Goal(
            id="g1",
            label="Some dropout",
            check="dropout_rate",
            hint="Use Dropout(0.5).",
            params=(("rate", 0.5),),
        ),
    )
    assert list_labs(tmp_path) == ["mini"]
    assert list_labs(tmp_path / "nowhere") == []


@pytest.mark.parametrize("name", ["../overfit", "overfit/../x", "/etc", "", "Overfit", "a b", 3])
def test_bad_names_are_refused(name):
    with pytest.raises(LabError, match="not valid"):
        load_lab(name)  # type: ignore[arg-type]


def test_missing_lab(tmp_path):
    make_lab(tmp_path)
    with pytest.raises(LabError, match=r"No lab named 'nope'.*mini"):
        load_lab("nope", root=tmp_path)


def test_missing_code_file(tmp_path):
    lab = make_lab(tmp_path)
    (lab / "solution.py").unlink()
    with pytest.raises(LabError, match=r"solution\.py is missing"):
        load_lab("mini", root=tmp_path)


def test_code_must_be_utf8(tmp_path):
    lab = make_lab(tmp_path)
    (lab / "starter.py").write_bytes(b"\xff\xfe")
    with pytest.raises(LabError, match="UTF-8"):
        load_lab("mini", root=tmp_path)


BROKEN = {
    "not toml": ("title = ", "not valid TOML"),
    "unknown top key": ("colour = 'red'\n" + GOOD_TOML, "unknown key.*colour"),
    "no title": (GOOD_TOML.replace('title = "A lab"', ""), "title"),
    "empty title": (GOOD_TOML.replace('"A lab"', '"  "'), "title"),
    "no goals": ('title = "x"\n', "at least one goal"),
    "train not a table": (
        GOOD_TOML.replace("[train]\nepochs = 20", "train = 3"),
        r"\[train\] must be a table",
    ),
    "unknown train key": (GOOD_TOML.replace("epochs = 20", "epoch = 20"), "unknown.*epoch"),
    "epochs 0": (GOOD_TOML.replace("epochs = 20", "epochs = 0"), "between 1 and"),
    "epochs too many": (
        GOOD_TOML.replace("epochs = 20", f"epochs = {MAX_EPOCHS + 1}"),
        "between 1 and",
    ),
    "epochs string": (GOOD_TOML.replace("epochs = 20", 'epochs = "20"'), "whole number"),
    "epochs bool": (GOOD_TOML.replace("epochs = 20", "epochs = true"), "whole number"),
    "epochs float": (GOOD_TOML.replace("epochs = 20", "epochs = 20.0"), "whole number"),
    "batch size 0": (GOOD_TOML.replace("epochs = 20", "batch_size = 0"), "batch_size"),
    "negative seed": (GOOD_TOML.replace("epochs = 20", "seed = -1"), "seed"),
    "patience 0": (
        GOOD_TOML.replace("epochs = 20", "early_stopping_patience = 0"),
        "early_stopping_patience",
    ),
    "goal without hint": (GOOD_TOML.replace('hint = "Use Dropout(0.5)."', ""), "hint"),
    "unknown check": (
        GOOD_TOML.replace('check = "dropout_rate"', 'check = "magic"'),
        "unknown check",
    ),
    "unknown param": (GOOD_TOML.replace("rate = 0.5", "rate = 0.5\nunits = 3"), "takes rate"),
    "rate out of range": (GOOD_TOML.replace("rate = 0.5", "rate = 1.5"), "rate must be"),
    "rate string": (GOOD_TOML.replace("rate = 0.5", 'rate = "0.5"'), "rate must be"),
    "duplicate id": (
        GOOD_TOML + GOOD_TOML[GOOD_TOML.index("[[goals]]") :],
        "used twice",
    ),
    "goal not a table": ('title = "x"\ngoals = [1]\n', "must be a table"),
    "code hint without a pointer": (GOOD_TOML + 'code = "x = 1"\n', "code.*needs the hint levels"),
    "empty pointer": (GOOD_TOML + 'pointer = " "\n', "pointer"),
    "within out of range": (
        GOOD_TOML.replace(
            'check = "dropout_rate"\nrate = 0.5', 'check = "val_loss_near_best"\nwithin = 2'
        ),
        "within must be",
    ),
    "variants not a list": ("variants = 3\n" + GOOD_TOML, "variants"),
    "variant without rates": (
        GOOD_TOML + '[[variants]]\nid = "v"\nlabel = "V"\n',
        "variant 1 needs exactly",
    ),
    "variant rate of 1": (
        GOOD_TOML + '[[variants]]\nid = "v"\nlabel = "V"\nrates = [0.2, 1.0]\n',
        "each rate must be",
    ),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_lab_files_are_refused(tmp_path, case):
    toml, pattern = BROKEN[case]
    make_lab(tmp_path, toml)
    with pytest.raises(LabError, match=pattern) as info:
        load_lab("mini", root=tmp_path)
    assert "lab.toml" in str(info.value)


def test_copy_of_the_real_lab_loads(tmp_path):
    shutil.copytree(LABS_DIR / "overfit", tmp_path / "copy")
    copy = load_lab("copy", root=tmp_path)
    assert dataclasses.replace(copy, name="overfit") == load_lab("overfit")


def test_unknown_check_is_reported_with_the_registered_ones(tmp_path):
    """The goal checks are defined once (dropout_lab.lesson.goals); the loader names them."""
    from dropout_lab.lesson.goals import CHECKS, RUN_CHECKS

    every = {**CHECKS, **RUN_CHECKS}
    assert {name: check.params for name, check in every.items()} == GOAL_CHECKS
    make_lab(tmp_path, GOOD_TOML.replace('check = "dropout_rate"', 'check = "dropout_rat"'))
    with pytest.raises(LabError, match=r"goal 1: unknown check 'dropout_rat'") as info:
        load_lab("mini", root=tmp_path)
    assert all(name in str(info.value) for name in every)


def test_hint_levels_and_variants_load(tmp_path):
    toml = (
        GOOD_TOML
        + 'pointer = """\nAfter each\nhidden layer."""\ncode = """\n```python\n  x = 1\n```"""\n'
    )
    toml += '[[variants]]\nid = "v"\nlabel = "V"\nrates = [0.2, 0]\n'
    make_lab(tmp_path, toml)
    lab = load_lab("mini", root=tmp_path)
    goal = lab.goals[0]
    assert goal.hints == (
        "Use Dropout(0.5).",
        "After each hidden layer.",
        "```python\n  x = 1\n```",
    )
    assert lab.variants[0].rates == (0.2, 0.0)
    assert [lab.hint_level(n) for n in (0, 1, 2)] == [1, 2, 3]


def test_every_project_lab_names_known_checks():
    from dropout_lab.lesson.labs import NUMPY_BACKWARD_CHECKS, NUMPY_CHECKS

    for name in list_labs():
        lab = load_lab(name)
        known = NUMPY_CHECKS + NUMPY_BACKWARD_CHECKS if lab.kind == "numpy" else GOAL_CHECKS
        assert lab.goals and all(goal.check in known for goal in lab.goals), name
