"""The code lab's reader accepts valid Keras in its many spellings and reads every layer and
setting."""

from __future__ import annotations

import pytest

from dropout_lab.codelab.reader import parse_code
from dropout_lab.lesson.spec import LayerSpec, lesson_spec
from tests.support.codelab import (
    LAB,
    dedent,
    kinds,
    ok_spec,
    with_layer,
)
from tests.support.codelab_valid import VALID_VARIANTS

# ------------------------------------------------------------------------------------------------
# Accepted variants
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(VALID_VARIANTS))
def test_valid_variant_is_accepted(name):
    spec = ok_spec(dedent(VALID_VARIANTS[name]))
    assert spec.input_dim == 10
    assert (
        spec.layers[-1].identity() == LayerSpec("Dense", units=1, activation="sigmoid").identity()
    )


def test_spellings_mean_the_same_model():
    reference = ok_spec(dedent(VALID_VARIANTS["tf.keras"])).identity()
    for name in (
        "from tensorflow import keras",
        "from keras import layers",
        "from tensorflow.keras import layers, models",
        "from keras.layers import Dense, Dropout",
        "aliases",
        "add form",
        "Input first",
        "add Input",
    ):
        assert ok_spec(dedent(VALID_VARIANTS[name])).identity() == reference, name


def test_extra_layers_and_settings_are_read():
    spec = ok_spec(dedent(VALID_VARIANTS["GaussianNoise"]))
    assert kinds(spec) == ["GaussianNoise", "Dense", "Dense"]
    assert spec.layers[0].stddev == 0.1
    spec = ok_spec(dedent(VALID_VARIANTS["AlphaDropout with selu"]))
    assert spec.layers[1].identity()["rate"] == 0.1
    assert spec.dropout_rates() == [0.1]
    assert ok_spec(dedent(VALID_VARIANTS["l2 regulariser"])).layers[0].l2 == 0.001
    assert ok_spec(dedent(VALID_VARIANTS["regularizers.L2(l2=...)"])).layers[0].l2 == 0.001
    spec = ok_spec(dedent(VALID_VARIANTS["optimizer object"]))
    assert (spec.optimizer, spec.learning_rate) == ("adam", 0.001)
    assert spec.metrics == ("accuracy", "auc", "precision", "recall")
    spec = ok_spec(dedent(VALID_VARIANTS["positional compile and optimizer"]))
    assert (spec.optimizer, spec.learning_rate, spec.metrics) == ("sgd", 0.01, ("accuracy",))
    spec = ok_spec(dedent(VALID_VARIANTS["input dropout first"]))
    assert spec.optimizer == "adamw"
    assert kinds(spec) == ["Dropout", "Dense", "Dense"]
    spec = ok_spec(dedent(VALID_VARIANTS["caps exactly"]))
    assert len(spec.layers) == 12
    assert [layer.activation for layer in spec.layers[1:7]] == [
        "elu",
        "swish",
        None,
        None,
        "softmax",
        None,
    ]


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "rmsprop", "adamw", "adagrad", "Adam"])
def test_optimizer_names(optimizer):
    spec = ok_spec(
        with_layer("", f'model.compile(optimizer="{optimizer}", loss="binary_crossentropy")')
    )
    assert spec.optimizer == optimizer.lower()


@pytest.mark.parametrize("cls", ["Adam", "SGD", "RMSprop", "AdamW", "Adagrad"])
def test_optimizer_objects(cls):
    code = with_layer(
        "",
        f"model.compile(optimizer=keras.optimizers.{cls}(learning_rate=0.01), "
        "loss='binary_crossentropy')",
    )
    spec = ok_spec(code)
    assert spec.optimizer == cls.lower()
    assert spec.learning_rate == 0.01


def test_ignored_things_leave_notes():
    result = parse_code(dedent(VALID_VARIANTS["fit ignored"]))
    assert result.ok
    assert any("below the editor" in n.message and n.line == 8 for n in result.notes)
    result = parse_code(dedent(VALID_VARIANTS["seed and name"]))
    assert result.ok
    assert any("seed" in n.message.lower() for n in result.notes)
    result = parse_code(dedent(VALID_VARIANTS["global seeds"]))
    assert [n.line for n in result.notes] == [5]
    result = parse_code(dedent(VALID_VARIANTS["no input shape"]))
    assert result.ok
    assert any("10 features" in n.message for n in result.notes)
    assert parse_code(LAB.solution).notes == ()


def test_windows_line_endings_and_bom():
    code = "\ufeff" + LAB.solution.replace("\n", "\r\n")
    assert ok_spec(code).identity() == lesson_spec(0.5).identity()


def test_bytes_are_decoded():
    assert parse_code(LAB.solution.encode()).ok
    result = parse_code(b"import keras\n\xff\xfe")
    assert not result.ok and result.errors[0].line == 2 and "UTF-8" in result.errors[0].message
