"""The code lab's names used without an import, and its rules and words as data (the layer
and optimizer tables, lessons/codelab.toml)."""

from __future__ import annotations

import pytest

from dropout_lab.codelab import reader as codelab
from dropout_lab.codelab.reader import parse_code, verdict
from dropout_lab.lesson.spec import lesson_spec
from tests.support.codelab import (
    LAB,
    dedent,
    ok_spec,
    with_layer,
)
from tests.support.codelab_refused import TOP
from tests.support.codelab_valid import VALID_VARIANTS

# ------------------------------------------------------------------------------------------------
# Names used without an import: keras, tf and layers (issue "Learn by doing", part 4)
# ------------------------------------------------------------------------------------------------

# The seed lesson's model, as the lesson prints it: no import line.
SEED_LESSON_CODE = """model = keras.Sequential([
    keras.layers.Dense(256, activation='relu', input_shape=(10,)),
    keras.layers.Dropout(0.3),       # drop 30% after first hidden layer
    keras.layers.Dense(256, activation='relu'),
    keras.layers.Dropout(0.3),       # drop 30% after second hidden layer
    keras.layers.Dense(256, activation='relu'),
    keras.layers.Dropout(0.3),       # drop 30% after third hidden layer
    keras.layers.Dense(1, activation='sigmoid'),
])

model.compile(optimizer='adam', loss='binary_crossentropy',
              metrics=['accuracy'])
"""


def implicit_notes(result) -> list:
    return [n for n in result.notes if "without being imported" in n.message]


def test_seed_lesson_code_is_accepted_without_import_keras():
    result = parse_code(SEED_LESSON_CODE)
    assert result.ok, result.errors
    assert result.spec.identity() == lesson_spec(0.3).identity()
    (note,) = result.notes
    assert note.line == 1
    assert "`keras`" in note.message and "`import keras`" in note.message
    out = verdict(SEED_LESSON_CODE)
    assert out["ok"] is True and all(g["met"] for g in out["goals"])


def test_tf_and_layers_are_read_as_their_usual_imports():
    code = dedent("""
        model = tf.keras.Sequential([
            layers.Dense(256, activation="relu", input_shape=(10,)),
            layers.Dropout(0.3),
            tf.keras.layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer=tf.keras.optimizers.Adam(0.001), loss="binary_crossentropy")
    """)
    spec = ok_spec(code)
    assert spec.identity() == ok_spec(with_layer("keras.layers.Dropout(0.3),")).identity() | {
        "learning_rate": 0.001,
        "metrics": [],
    }
    notes = {n.line: n.message for n in implicit_notes(parse_code(code))}
    assert set(notes) == {1, 2}  # one note per name, at its first use
    assert "import tensorflow as tf" in notes[1]
    assert "from keras import layers" in notes[2]


def test_an_import_written_in_the_code_gives_no_note():
    for code in (LAB.solution, dedent(VALID_VARIANTS["tf.keras"])):
        assert implicit_notes(parse_code(code)) == []
    only_keras = dedent(VALID_VARIANTS["from keras import layers"]).replace(
        "from keras import layers\n", ""
    )
    notes = implicit_notes(parse_code(only_keras))
    assert [("`layers`" in n.message) for n in notes] == [True]


def test_implicit_names_do_not_hide_refusals():
    code = SEED_LESSON_CODE.replace("Dropout(0.3),       # drop 30% after first", "Dropout(1.5), #")
    result = parse_code(code)
    assert not result.ok
    assert [e.line for e in result.errors] == [3]
    assert implicit_notes(result)
    result = parse_code("keras.layers.Dense(8)\n")
    assert not result.ok and "on its own" in result.errors[0].message


@pytest.mark.parametrize(
    ("name", "keyword"),
    [
        ("np", "import numpy as np"),
        ("tensorflow", "import tensorflow as tf"),
        ("models", "from keras import models"),
        ("Dense", "from keras.layers import Dense"),
        ("Sequential", "write keras.Sequential"),
        ("x", "Unknown name `x`"),
        ("Keras", "Unknown name `Keras`"),
    ],
)
def test_other_names_still_need_an_import(name, keyword):
    result = parse_code(with_layer(f"{name}.Dropout(0.3),"))
    assert not result.ok
    assert any(keyword in e.message and e.line == TOP for e in result.errors), result.errors
    assert implicit_notes(result) == []


def test_the_note_words_come_from_the_lesson_text():
    from dropout_lab.codelab.messages import say

    (note,) = parse_code(SEED_LESSON_CODE).notes
    assert note.message == say("notes.implicit_import", name="keras", statement="import keras")


# ------------------------------------------------------------------------------------------------
# The rules and words are data: the layer table, the optimizer table, lessons/codelab.toml
# ------------------------------------------------------------------------------------------------


def _message_ids_in_code() -> set[str]:
    import re
    from pathlib import Path

    ids: set[str] = set()
    for path in Path(codelab.__file__).parent.glob("*.py"):
        code = path.read_text(encoding="utf-8")
        ids |= set(re.findall(r'\bsay\(\s*"([a-z0-9_.]+)"', code))
        ids |= set(re.findall(r'\brefusal\(\s*[^,()]+(?:\([^()]*\))?,\s*"([a-z0-9_.]+)"', code))
    return ids


def _table_message_ids() -> set[str]:
    from dropout_lab.codelab import names, rules
    from dropout_lab.lesson.layers import KINDS

    ids = {f"builtins.{why}" for why in rules.BUILTINS.values()}
    ids |= {f"explain.{key}" for key in names._EXPLAIN.values()}
    problems = {"int": ("what", "fraction", "below", "above"), "float": ("what", "range")}
    problems["l2"] = ("what", "form", "only_l2", "range")
    for kind in KINDS.values():
        for arg in kind.args:
            ids |= {f"args.{arg.name}.{p}" for p in problems.get(arg.type, ())}
            if arg.required:
                ids.add(f"args.{arg.name}.missing")
    return ids


def test_every_message_the_reader_can_say_is_in_the_lesson_text():
    from dropout_lab.codelab.messages import text

    ids = _message_ids_in_code() | _table_message_ids()
    assert len(ids) > 100 and "units.above" not in ids and "args.units.above" in ids
    for key in sorted(ids):
        assert isinstance(text(key), str) and text(key).strip(), key


def test_statement_names_are_in_the_lesson_text():
    for code, words in [
        ("def f():\n    pass\n", "Function definitions (def) are not allowed"),
        ("x += 1\n", "Augmented assignments (+=, -=, ...) are not allowed"),
        ("try:\n    pass\nexcept* Exception:\n    pass\n", "TryStar statements are not allowed"),
    ]:
        assert parse_code(code).errors[0].message.startswith(words)


def test_reader_caps_come_from_the_layer_table():
    from dropout_lab.lesson import spec as spec_module
    from dropout_lab.lesson.layers import KINDS

    units = KINDS["Dense"].arg("units")
    assert (units.low, units.high) == (1, codelab.MAX_UNITS)
    assert KINDS["GaussianNoise"].arg("stddev").high == codelab.MAX_STDDEV
    assert KINDS["Dense"].arg("kernel_regularizer").high == codelab.MAX_L2
    assert tuple(k for k, v in KINDS.items() if v.dropout) == spec_module.DROPOUT_KINDS
    assert tuple(KINDS) == spec_module.LAYER_KINDS


def test_layer_and_optimizer_tables_match_keras():
    """Held against the reference: every class exists, positional order and defaults agree."""
    import inspect

    keras = pytest.importorskip("keras")
    from dropout_lab.lesson.layers import KINDS, OPTIMIZERS

    for kind in KINDS.values():
        cls = getattr(keras.layers, kind.keras_class)
        params = list(inspect.signature(cls).parameters)
        assert params[: len(kind.positional)] == list(kind.positional), kind.name
        for arg in kind.args:
            assert arg.name in params, (kind.name, arg.name)
    for name, opt in OPTIMIZERS.items():
        default = getattr(keras.optimizers, opt.keras_class)().learning_rate
        assert abs(float(default) - opt.learning_rate) < 1e-8, name
