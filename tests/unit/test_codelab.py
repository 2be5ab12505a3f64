"""The code lab's reader: valid Keras accepted, everything else refused clearly, never run."""

from __future__ import annotations

import builtins
import json
import subprocess
import sys
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dropout_lab.codelab import goals
from dropout_lab.codelab import reader as codelab
from dropout_lab.codelab.reader import MAX_CHARS, check_goals, parse_code, verdict
from dropout_lab.lesson.labs import GOAL_CHECKS, load_lab
from dropout_lab.lesson.spec import LayerSpec, ModelSpec, lesson_spec

LAB = load_lab("overfit")

COMPILE = 'model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])'

# A valid model with one free slot, {hidden}, on line 6.
TEMPLATE = """import keras

model = keras.Sequential(
    [
        keras.layers.Dense(256, activation="relu", input_shape=(10,)),
        {hidden}
        keras.layers.Dense(1, activation="sigmoid"),
    ]
)
{compile}
"""
SLOT_LINE = 6


def with_layer(hidden: str, compile_line: str = COMPILE) -> str:
    return TEMPLATE.format(hidden=hidden, compile=compile_line)


VALID = with_layer("keras.layers.Dropout(0.3),")


def dedent(code: str) -> str:
    return textwrap.dedent(code).lstrip("\n")


def ok_spec(code: str) -> ModelSpec:
    result = parse_code(code)
    assert result.errors == (), result.errors
    assert result.ok
    assert result.spec is not None
    return result.spec


def kinds(spec: ModelSpec) -> list[str]:
    return [layer.kind for layer in spec.layers]


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


# ------------------------------------------------------------------------------------------------
# Accepted variants
# ------------------------------------------------------------------------------------------------

VALID_VARIANTS = {
    "tf.keras": """
        import tensorflow as tf

        model = tf.keras.Sequential([
            tf.keras.layers.Dense(256, activation="relu", input_shape=(10,)),
            tf.keras.layers.Dropout(0.3),
            tf.keras.layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    """,
    "from tensorflow import keras": """
        from tensorflow import keras

        model = keras.Sequential([
            keras.layers.Dense(256, activation="relu", input_shape=(10,)),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    """,
    "from keras import layers": """
        import keras
        from keras import layers

        model = keras.Sequential([
            layers.Dense(256, activation="relu", input_shape=(10,)),
            layers.Dropout(0.3),
            layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    """,
    "from tensorflow.keras import layers, models": """
        from tensorflow.keras import layers, models

        model = models.Sequential([
            layers.Dense(256, activation="relu", input_shape=(10,)),
            layers.Dropout(0.3),
            layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    """,
    "from keras.layers import Dense, Dropout": """
        from keras.layers import Dense, Dropout
        from keras.models import Sequential

        model = Sequential([
            Dense(256, activation="relu", input_shape=(10,)),
            Dropout(0.3),
            Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    """,
    "aliases": """
        import keras
        from keras import layers as L

        model = keras.Sequential([
            L.Dense(256, activation="relu", input_shape=(10,)),
            L.Dropout(0.3),
            L.Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    """,
    "add form": """
        import keras

        model = keras.Sequential()
        model.add(keras.layers.Dense(256, activation="relu", input_shape=(10,)))
        model.add(keras.layers.Dropout(0.3))
        model.add(keras.layers.Dense(1, activation="sigmoid"))
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    """,
    "Input first": """
        import keras

        model = keras.Sequential([
            keras.Input(shape=(10,)),
            keras.layers.Dense(256, activation="relu"),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    """,
    "add Input": """
        import keras

        model = keras.Sequential()
        model.add(keras.Input(shape=(10,)))
        model.add(keras.layers.Dense(256, activation="relu"))
        model.add(keras.layers.Dropout(0.3))
        model.add(keras.layers.Dense(1, activation="sigmoid"))
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    """,
    "layers.Input positional": """
        from keras import layers, models

        model = models.Sequential([layers.Input((10,)), layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    """,
    "GaussianNoise": """
        import keras

        model = keras.Sequential([
            keras.Input(shape=(10,)),
            keras.layers.GaussianNoise(0.1),
            keras.layers.Dense(256, activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    """,
    "BatchNormalization": """
        import keras

        model = keras.Sequential([
            keras.Input(shape=(10,)),
            keras.layers.Dense(256, activation="relu"),
            keras.layers.BatchNormalization(),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    """,
    "AlphaDropout with selu": """
        import keras

        model = keras.Sequential([
            keras.Input(shape=(10,)),
            keras.layers.Dense(256, activation="selu"),
            keras.layers.AlphaDropout(0.1),
            keras.layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    """,
    "l2 regulariser": """
        import keras

        model = keras.Sequential([
            keras.layers.Dense(256, activation="relu", input_shape=(10,),
                               kernel_regularizer=keras.regularizers.l2(0.001)),
            keras.layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    """,
    "regularizers.L2(l2=...)": """
        import keras
        from keras import regularizers

        model = keras.Sequential([
            keras.layers.Dense(256, "relu", input_shape=(10,),
                               kernel_regularizer=regularizers.L2(l2=0.001)),
            keras.layers.Dense(1, "sigmoid"),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    """,
    "optimizer object": """
        import keras

        model = keras.Sequential([
            keras.layers.Dense(256, activation="relu", input_shape=(10,)),
            keras.layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(
            optimizer=keras.optimizers.Adam(learning_rate=0.001),
            loss=keras.losses.BinaryCrossentropy(),
            metrics=["accuracy", "auc", "precision", "recall"],
        )
    """,
    "positional compile and optimizer": """
        import keras

        model = keras.Sequential([keras.Input(shape=(10,)), keras.layers.Dense(1, "sigmoid")])
        model.compile(keras.optimizers.SGD(0.01), "binary_crossentropy", metrics=["acc"])
    """,
    "comments docstrings summary": '''
        """My model."""
        # a comment
        import keras  # the only import needed
        import numpy as np

        model = keras.Sequential([
            # first hidden layer
            keras.layers.Dense(256, activation="relu", input_shape=(10,)),  # wide
            keras.layers.Dropout(0.3),
            keras.layers.Dense(1, activation="sigmoid"),
        ])
        "a string used as a comment"
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
        model.summary()
    ''',
    "fit ignored": """
        import keras

        model = keras.Sequential([
            keras.layers.Dense(256, activation="relu", input_shape=(10,)),
            keras.layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
        history = model.fit(x_train, y_train, epochs=500, batch_size=32,
                            validation_data=(x_val, y_val))
        model.evaluate(x_val, y_val)
    """,
    "seed and name": """
        import keras

        model = keras.Sequential([
            keras.layers.Dense(256, activation="relu", input_shape=(10,), name="hidden"),
            keras.layers.Dropout(0.3, seed=42, name="drop"),
            keras.layers.GaussianNoise(0.1, seed=None),
            keras.layers.Dense(1, activation="sigmoid", name="out"),
        ], name="my_model")
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    """,
    "global seeds": """
        import keras
        import numpy as np
        import tensorflow as tf

        keras.utils.set_random_seed(42)
        tf.random.set_seed(42)
        np.random.seed(42)
        model = keras.Sequential([keras.Input(shape=(10,)), keras.layers.Dense(1, "sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    """,
    "keyword units and legacy input_dim": """
        import keras

        model = keras.Sequential(layers=[
            keras.layers.Dense(units=256, activation="tanh", input_dim=10),
            keras.layers.Dense(units=1, activation="sigmoid"),
        ])
        model.compile(optimizer="rmsprop", loss="binary_crossentropy")
    """,
    "no input shape": """
        import keras

        model = keras.Sequential([
            keras.layers.Dense(256, activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    """,
    "input dropout first": """
        import keras

        model = keras.Sequential([
            keras.layers.Dropout(0.2, input_shape=(10,)),
            keras.layers.Dense(64, activation="gelu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer="AdamW", loss="BinaryCrossentropy", metrics=("accuracy",))
    """,
    "caps exactly": """
        import keras

        model = keras.Sequential([
            keras.Input(shape=(10,)),
            keras.layers.Dense(2048, activation="relu"),
            keras.layers.Dense(8, activation="elu"),
            keras.layers.Dense(8, activation="swish"),
            keras.layers.Dense(8, activation="linear"),
            keras.layers.Dense(8, activation=None),
            keras.layers.Dense(8, activation="softmax"),
            keras.layers.Dense(8),
            keras.layers.Dropout(0),
            keras.layers.Dropout(0.99),
            keras.layers.BatchNormalization(),
            keras.layers.GaussianNoise(0),
            keras.layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer="adagrad", loss=keras.losses.binary_crossentropy)
    """,
}


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


# ------------------------------------------------------------------------------------------------
# Refused: (code, line, keyword that the message must contain)
# ------------------------------------------------------------------------------------------------

TOP = SLOT_LINE  # the free slot's line in TEMPLATE
LAST = VALID.count("\n") + 1  # a line appended after VALID

REFUSED = {
    # hostile code
    "os.system": ("import os; os.system('touch /tmp/x')\n" + VALID, 1, "import os"),
    "open": ("open('/tmp/pwned_by_lab', 'w')\n" + VALID, 1, "open"),
    "__import__": ("__import__('os')\n" + VALID, 1, "__import__"),
    "subclasses": ("().__class__.__bases__[0].__subclasses__()\n" + VALID, 1, "underscore"),
    "lambda": ("f = lambda x: x\n" + VALID, 1, "Lambda"),
    "lambda layer": (with_layer("lambda x: x,"), TOP, "Lambda"),
    "comprehension": (
        "import keras\nmodel = keras.Sequential([keras.layers.Dense(8) for _ in range(3)])\n"
        + COMPILE,
        2,
        "Comprehension",
    ),
    "eval": ("eval('1 + 1')\n" + VALID, 1, "eval"),
    "exec": ("exec('import os')\n" + VALID, 1, "exec"),
    "getattr": (with_layer("getattr(keras.layers, 'Dropout')(0.3),"), TOP, "getattr"),
    "import subprocess": ("import subprocess\n" + VALID, 1, "subprocess"),
    "from os import system": ("from os import system\nsystem('ls')\n" + VALID, 1, "from os"),
    "import keras.src": ("import keras.src\n" + VALID, 1, "keras.src"),
    "dunder attribute": (with_layer("keras.__dict__,"), TOP, "underscore"),
    "dunder name": ("__builtins__ = None\n" + VALID, 1, "double underscore"),
    "f-string": (with_layer('keras.layers.Dense(8, activation=f"relu"),'), TOP, "f-string"),
    "starred": (with_layer("keras.layers.Dense(*[8]),"), TOP, "*"),
    "double starred": (with_layer("keras.layers.Dense(8, **{}),"), TOP, "**"),
    "subscript": (with_layer("keras.layers.Dense([8][0]),"), TOP, "Indexing"),
    "for loop": (
        VALID + "for i in range(3):\n    model.add(keras.layers.Dense(8))\n",
        LAST,
        "for loops",
    ),
    "while loop": (VALID + "while True:\n    pass\n", LAST, "while"),
    "def": ("def f():\n    return 1\n" + VALID, 1, "function"),
    "class": ("class A:\n    pass\n" + VALID, 1, "class"),
    "with": (VALID + "with open('x') as f:\n    pass\n", LAST, "with"),
    "try": (VALID + "try:\n    pass\nexcept Exception:\n    pass\n", LAST, "try"),
    "walrus": (with_layer("keras.layers.Dense((n := 8)),"), TOP, ":="),
    "unknown variable": (with_layer("keras.layers.Dense(n),"), TOP, "Unknown name `n`"),
    "other assignment": ("x = 3\n" + VALID, 1, "Only the model"),
    "model.save": (VALID + "model.save('m.keras')\n", LAST, "model.save"),
    "np.random.rand": (VALID + "import numpy as np\nnp.random.rand(3)\n", LAST + 1, "numpy"),
    "seed not an int": (VALID + "keras.utils.set_random_seed('x')\n", LAST, "seed"),
    "keras.utils": (
        VALID + "keras.utils.get_file('x', 'http://example.com')\n",
        LAST,
        "keras.utils",
    ),
    "fit with eval": (VALID + "model.fit(x, y, epochs=eval('5'))\n", LAST, "eval"),
    "bytes": (with_layer("keras.layers.Dense(8, name=b'x'),"), TOP, "Byte"),
    "from keras import *": ("from keras import *\n" + VALID, 1, "import *"),
    # units
    "units 0": (with_layer("keras.layers.Dense(0),"), TOP, "positive"),
    "units -5": (with_layer("keras.layers.Dense(-5),"), TOP, "positive"),
    "units True": (with_layer("keras.layers.Dense(True),"), TOP, "not True"),
    "units 2.5": (with_layer("keras.layers.Dense(2.5),"), TOP, "whole number"),
    "units '256'": (with_layer("keras.layers.Dense('256'),"), TOP, "quotes"),
    "units 10**9": (with_layer("keras.layers.Dense(10**9),"), TOP, "Arithmetic"),
    "units 1e9 literal": (with_layer("keras.layers.Dense(1000000000),"), TOP, "2,048"),
    "units 2049": (with_layer("keras.layers.Dense(units=2049),"), TOP, "2,048"),
    "units missing": (with_layer("keras.layers.Dense(activation='relu'),"), TOP, "units"),
    # rates
    "Dropout(1.0)": (with_layer("keras.layers.Dropout(1.0),"), TOP, "below 1"),
    "Dropout(-0.1)": (with_layer("keras.layers.Dropout(-0.1),"), TOP, "at least 0"),
    "Dropout('0.3')": (with_layer("keras.layers.Dropout('0.3'),"), TOP, "quotes"),
    "Dropout(nan)": (with_layer("keras.layers.Dropout(float('nan')),"), TOP, "float"),
    "Dropout(inf)": (with_layer("keras.layers.Dropout(1e999),"), TOP, "finite"),
    "Dropout(None)": (with_layer("keras.layers.Dropout(None),"), TOP, "number"),
    "Dropout()": (with_layer("keras.layers.Dropout(),"), TOP, "rate"),
    "AlphaDropout(2)": (with_layer("keras.layers.AlphaDropout(2),"), TOP, "below 1"),
    "Dropout seed string": (with_layer("keras.layers.Dropout(0.3, seed='x'),"), TOP, "seed"),
    "Dropout noise_shape": (
        with_layer("keras.layers.Dropout(0.3, noise_shape=(1, 10)),"),
        TOP,
        "noise_shape",
    ),
    "GaussianNoise(-1)": (with_layer("keras.layers.GaussianNoise(-1),"), TOP, "stddev"),
    # other layer arguments
    "use_bias": (with_layer("keras.layers.Dense(8, use_bias=False),"), TOP, "use_bias"),
    "BatchNormalization(momentum)": (
        with_layer("keras.layers.BatchNormalization(momentum=0.9),"),
        TOP,
        "momentum",
    ),
    "activation case": (with_layer("keras.layers.Dense(8, activation='ReLU'),"), TOP, "lower case"),
    "activation unknown": (with_layer("keras.layers.Dense(8, activation='mish'),"), TOP, "mish"),
    "activation object": (
        with_layer("keras.layers.Dense(8, activation=keras.activations.relu),"),
        TOP,
        "string",
    ),
    "L1 regulariser": (
        with_layer("keras.layers.Dense(8, kernel_regularizer=keras.regularizers.L1(0.01)),"),
        TOP,
        "L1",
    ),
    "l2 too big": (
        with_layer("keras.layers.Dense(8, kernel_regularizer=keras.regularizers.l2(5)),"),
        TOP,
        "L2",
    ),
    "unknown layer": (with_layer("keras.layers.Conv2D(8, 3),"), TOP, "Conv2D"),
    "layer without parentheses": (with_layer("keras.layers.Dropout,"), TOP, "parentheses"),
    "nested Sequential": (with_layer("keras.Sequential(),"), TOP, "not a layer"),
    # structure
    "dropout after output": (
        VALID.replace('"sigmoid"),\n', '"sigmoid"),\n        keras.layers.Dropout(0.3),\n'),
        8,
        "after the output",
    ),
    "wrong input width": (
        with_layer("").replace("input_shape=(10,)", "input_shape=(12,)"),
        5,
        "10 features",
    ),
    "input_shape not a tuple": (
        with_layer("").replace("input_shape=(10,)", "input_shape=(10)"),
        5,
        "comma",
    ),
    "Input width": (
        "import keras\nmodel = keras.Sequential([keras.Input(shape=(12,)), "
        "keras.layers.Dense(1, activation='sigmoid')])\n" + COMPILE,
        2,
        "10 features",
    ),
    "Input not first": (with_layer("keras.Input(shape=(10,)),"), TOP, "first"),
    "input_shape on a later layer": (
        with_layer("keras.layers.Dense(8, input_shape=(10,)),"),
        TOP,
        "first layer",
    ),
    "2-unit softmax output": (
        VALID.replace('Dense(1, activation="sigmoid")', 'Dense(2, activation="softmax")'),
        7,
        "softmax",
    ),
    "relu output": (
        VALID.replace('Dense(1, activation="sigmoid")', 'Dense(1, activation="relu")'),
        7,
        "sigmoid",
    ),
    "linear output": (VALID.replace('Dense(1, activation="sigmoid")', "Dense(1)"), 7, "sigmoid"),
    "1-unit softmax": (
        VALID.replace('Dense(1, activation="sigmoid")', 'Dense(1, activation="softmax")'),
        7,
        "1.0",
    ),
    "13 layers": (with_layer("keras.layers.Dense(8),\n" * 11), 18, "at most 12"),
    "no layers": ("import keras\nmodel = keras.Sequential([])\n" + COMPILE, 2, "no layers"),
    "no model": ("import keras\n", None, "No model"),
    "missing compile": (with_layer("", ""), 3, "compile"),
    "compile twice": (VALID + COMPILE + "\n", LAST, "already"),
    "second model": (VALID + "model2 = keras.Sequential()\n", LAST, "second model"),
    # keras, tf and layers may be used without an import (see "Names used without an import")
    "models not imported": (
        VALID.replace("import keras\n", "\n").replace("keras.Sequential", "models.Sequential"),
        3,
        "from keras import models",
    ),
    "tensorflow not imported": (
        VALID.replace("import keras\n", "\n").replace("keras.", "tensorflow.keras."),
        3,
        "import tensorflow as tf",
    ),
    "np not imported": (VALID + "np.random.seed(1)\n", LAST, "import numpy as np"),
    "Dense not imported": (with_layer("Dense(8),"), TOP, "from keras.layers import Dense"),
    "Sequential not imported": (
        VALID.replace("keras.Sequential", "Sequential"),
        3,
        "write keras.Sequential",
    ),
    # compile settings
    "unknown optimizer": (
        with_layer("", "model.compile(optimizer='adamax', loss='binary_crossentropy')"),
        10,
        "adamax",
    ),
    "lr=": (
        with_layer(
            "",
            "model.compile(optimizer=keras.optimizers.Adam(lr=0.01), loss='binary_crossentropy')",
        ),
        10,
        "learning_rate",
    ),
    "learning_rate 0": (
        with_layer(
            "",
            "model.compile(optimizer=keras.optimizers.Adam(learning_rate=0), "
            "loss='binary_crossentropy')",
        ),
        10,
        "learning rate",
    ),
    "wrong loss": (
        with_layer("", "model.compile(optimizer='adam', loss='mse')"),
        10,
        "binary_crossentropy",
    ),
    "from_logits": (
        with_layer(
            "",
            "model.compile(optimizer='adam', "
            "loss=keras.losses.BinaryCrossentropy(from_logits=True))",
        ),
        10,
        "from_logits",
    ),
    "unknown metric": (
        with_layer(
            "", "model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['f1'])"
        ),
        10,
        "metric",
    ),
    "metrics not a list": (
        with_layer(
            "", "model.compile(optimizer='adam', loss='binary_crossentropy', metrics='accuracy')"
        ),
        10,
        "list",
    ),
    "compile extra kwarg": (
        with_layer(
            "", "model.compile(optimizer='adam', loss='binary_crossentropy', run_eagerly=True)"
        ),
        10,
        "run_eagerly",
    ),
    # unreadable input
    "syntax error": (
        "import keras\nmodel = keras.Sequential([\n" + COMPILE + "\n",
        2,
        "Syntax error",
    ),
    "unclosed string": ("import keras\nx = 'abc\n", 2, "string"),
    "indentation": ("import keras\n    model = 1\n", 2, "indent"),
    "20,001 characters": ("#" * 20_001, None, "20,000"),
    "5 MB": ("x = 1\n" * 900_000, None, "20,000"),
    "deep parentheses": ("(" * 100_000, None, "20,000"),
    "deep brackets": ("[" * 5000 + "]" * 5000, 1, "nest"),
    "deep but tokenisable": ("x = " + "[" * 150 + "]" * 150, 1, "nested too deeply"),
    "deep operators": ("x = " + "-" * 15_000 + "1", None, "nested too deeply"),
    "huge integer": ("x = " + "9" * 5000, 1, "digits"),
    "null byte": ("import keras\nmodel\x00 = 1\n", 2, "null"),
    "lone surrogate": ("import keras\n# \udcff\n", 2, "not valid text"),
    "empty": ("   \n\n", None, "empty"),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_with_a_clear_message(name):
    code, line, keyword = REFUSED[name]
    result = parse_code(code)
    assert not result.ok
    assert result.errors, "a refusal must say why"
    matching = [e for e in result.errors if keyword.lower() in e.message.lower()]
    assert matching, f"no message mentions {keyword!r}: {result.errors}"
    assert matching[0].line == line, result.errors
    for error in result.errors:
        assert len(error.message) > 20
        assert "Traceback" not in error.message


def test_errors_are_collected_and_sorted_by_line():
    code = with_layer(
        "keras.layers.Dense(0),\n        keras.layers.Dropout(2),",
        "model.compile(optimizer='nope', loss='mse')",
    )
    result = parse_code("import os\n" + code)
    lines = [e.line for e in result.errors]
    assert lines == sorted(lines)
    assert len(result.errors) >= 5
    assert {1, 7, 8, 12} <= set(lines)


def test_errors_are_capped():
    code = VALID + "x\n" * 200
    result = parse_code(code)
    assert len(result.errors) == codelab.MAX_ERRORS
    assert "more problems" in result.errors[-1].message


def test_dropout_after_output_still_gives_a_reading_for_the_checklist():
    code = REFUSED["dropout after output"][0]
    result = parse_code(code)
    assert not result.ok
    assert result.spec is not None
    goals = {g.id: g.met for g in check_goals(result.spec, LAB)}
    assert goals["no_dropout_after_output"] is False


def test_length_is_checked_before_parsing(monkeypatch):
    import ast

    def boom(*args, **kwargs):
        raise AssertionError("ast.parse must not see over-long input")

    monkeypatch.setattr(ast, "parse", boom)
    result = parse_code("x" * (MAX_CHARS + 1))
    assert "20,000" in result.errors[0].message


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


# ------------------------------------------------------------------------------------------------
# Never run
# ------------------------------------------------------------------------------------------------

HOSTILE_TEMPLATES = [
    "open({path!r}, 'w').write('x')",
    "import os; os.system('touch {path}')",
    "__import__('os').system('touch {path}')",
    "import subprocess; subprocess.run(['touch', {path!r}])",
    "import pathlib; pathlib.Path({path!r}).touch()",
    "exec(\"open({path!r}, 'w')\")",
    "eval(\"open({path!r}, 'w')\")",
    "model = keras.Sequential([keras.layers.Dense(open({path!r}, 'w'))])",
    "().__class__.__base__.__subclasses__()[0]({path!r})",
    "model.fit(open({path!r}, 'w'))",
    "class A:\n    x = open({path!r}, 'w')",
    "def f():\n    open({path!r}, 'w')\nf()",
    "[open({path!r}, 'w') for _ in range(1)]",
    "import keras\nkeras.utils.get_file({path!r}, 'file:///etc/hostname')",
]


@pytest.mark.parametrize("template", HOSTILE_TEMPLATES)
def test_hostile_code_creates_no_file(tmp_path, template):
    target = tmp_path / "pwned_by_lab"
    code = template.format(path=str(target))
    for source in (code, VALID + code, code + "\n" + VALID):
        result = parse_code(source)
        assert not result.ok
        verdict(source)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_only_ast_parse_touches_the_code(monkeypatch):
    import ast

    def forbidden(*args, **kwargs):
        raise AssertionError("the parser must never evaluate or execute the code")

    real_compile = builtins.compile
    calls = []

    def only_ast(source, filename, mode, flags=0, *args, **kwargs):
        calls.append(flags)
        assert flags & ast.PyCF_ONLY_AST, "compile may only be used to build a syntax tree"
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    monkeypatch.setattr(builtins, "compile", only_ast)
    for source in [LAB.starter, LAB.solution, *(code for code, _, _ in REFUSED.values())]:
        parse_code(source)
    assert calls  # ast.parse went through compile(..., PyCF_ONLY_AST)


def test_codelab_imports_no_heavy_modules():
    code = (
        "import sys, dropout_lab.codelab.reader as c; "
        "c.verdict(open('labs/overfit/solution.py').read()); "
        "heavy = [m for m in ('tensorflow', 'keras', 'streamlit') if m in sys.modules]; "
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


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


def assert_verdict_shape(out: dict) -> None:
    assert set(out) == {"ok", "errors", "layers", "goals"}
    assert isinstance(out["ok"], bool)
    for error in out["errors"]:
        assert set(error) == {"line", "message"}
        assert error["line"] is None or isinstance(error["line"], int)
        assert isinstance(error["message"], str) and error["message"]
    assert all(isinstance(layer, str) for layer in out["layers"])
    assert out["ok"] == (not out["errors"])
    json.dumps(out)


# ------------------------------------------------------------------------------------------------
# Property-based: nothing raises, valid models round-trip
# ------------------------------------------------------------------------------------------------

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.text())
def test_random_text_never_raises(text):
    result = parse_code(text)
    assert not result.ok or result.spec is not None
    assert_verdict_shape(verdict(text))


@FAST
@given(st.binary())
def test_random_bytes_never_raise(data):
    parse_code(data)  # type: ignore[arg-type]


NAMES = st.sampled_from(
    ["keras", "tf", "layers", "model", "os", "eval", "open", "__import__", "Dense", "x", "np"]
)
ATTRS = st.sampled_from(
    ["layers", "Dense", "Dropout", "keras", "Sequential", "Input", "add", "compile", "fit",
     "system", "__class__", "__subclasses__", "regularizers", "l2", "optimizers", "Adam"]
)  # fmt: skip
LEAVES = st.one_of(
    NAMES,
    st.integers(-(10**12), 10**12).map(str),
    st.floats(allow_nan=False).map(repr),
    st.sampled_from(["'relu'", "'sigmoid'", "None", "True", "(10,)", "0.3", "1e999", "b'x'"]),
)


def _compound(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    args = st.lists(
        st.one_of(
            inner,
            st.tuples(
                st.sampled_from(
                    [
                        "units",
                        "rate",
                        "activation",
                        "input_shape",
                        "seed",
                        "name",
                        "l2",
                        "learning_rate",
                    ]
                ),
                inner,
            ).map("=".join),
        ),
        max_size=3,
    ).map(", ".join)
    return st.one_of(
        st.tuples(inner, ATTRS).map(".".join),
        st.tuples(inner, args).map(lambda t: f"{t[0]}({t[1]})"),
        st.lists(inner, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.lists(inner, max_size=3).map(lambda xs: "(" + ", ".join(xs) + ",)"),
        st.tuples(inner, inner).map(lambda t: f"{t[0]}[{t[1]}]"),
        inner.map(lambda e: f"-{e}"),
        inner.map(lambda e: f"lambda: {e}"),
        inner.map(lambda e: f"[{e} for _ in range(3)]"),
        st.tuples(inner, inner).map(lambda t: f"{t[0]} ** {t[1]}"),
        inner.map(lambda e: f"*{e}"),
    )


EXPRESSIONS = st.recursive(LEAVES, _compound, max_leaves=12)
STATEMENTS = st.one_of(
    EXPRESSIONS,
    st.tuples(st.sampled_from(["model", "x", "history"]), EXPRESSIONS).map(" = ".join),
    st.sampled_from(
        [
            "import keras",
            "import tensorflow as tf",
            "from keras import layers",
            "import os",
            "from keras.layers import Dense, Dropout",
            "from tensorflow.keras import layers, models",
            "model = keras.Sequential()",
            "pass",
            "for i in range(3):\n    pass",
        ]
    ),
    EXPRESSIONS.map(lambda e: f"model.add({e})"),
    EXPRESSIONS.map(lambda e: f"model.compile(optimizer={e}, loss='binary_crossentropy')"),
)


@FAST
@given(st.lists(STATEMENTS, min_size=1, max_size=8))
def test_random_programs_never_raise(statements):
    source = "\n".join(statements) + "\n"
    result = parse_code(source)
    assert all(isinstance(e.message, str) and e.message for e in result.errors)
    assert_verdict_shape(verdict(source))


@FAST
@given(st.data())
def test_mutated_solution_never_raises(data):
    source = LAB.solution
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(source)))
        action = data.draw(st.sampled_from(["insert", "delete", "replace"]))
        chunk = data.draw(
            st.sampled_from(
                [
                    "(",
                    ")",
                    "[",
                    "]",
                    ",",
                    "'",
                    '"',
                    "\n",
                    " ",
                    "0",
                    "-",
                    "__",
                    ".",
                    ":",
                    "*",
                    "x",
                    "lambda ",
                    "\x00",
                    "\t",
                ]
            )
        )
        if action == "insert":
            source = source[:at] + chunk + source[at:]
        elif action == "delete":
            source = source[:at] + source[at + len(chunk) :]
        else:
            source = source[:at] + chunk + source[at + 1 :]
    assert_verdict_shape(verdict(source))


LAYER_SPECS = st.one_of(
    st.builds(
        lambda u, a: LayerSpec("Dense", units=u, activation=a),
        st.integers(1, 2048),
        st.sampled_from(
            [None, "relu", "sigmoid", "tanh", "elu", "selu", "gelu", "swish", "softmax"]
        ),
    ),
    st.builds(
        lambda u, l2: LayerSpec("Dense", units=u, activation="relu", l2=l2),
        st.integers(1, 2048),
        st.floats(1e-6, 1.0),
    ),
    st.builds(lambda r: LayerSpec("Dropout", rate=r), st.floats(0.0, 0.999)),
    st.builds(lambda r: LayerSpec("AlphaDropout", rate=r), st.floats(0.0, 0.999)),
    st.builds(lambda s: LayerSpec("GaussianNoise", stddev=s), st.floats(0.0, 10.0)),
    st.just(LayerSpec("BatchNormalization")),
)


def render(layer: LayerSpec, prefix: str) -> str:
    if layer.kind == "Dense":
        reg = f", kernel_regularizer=keras.regularizers.l2({layer.l2!r})" if layer.l2 else ""
        return f"{prefix}Dense({layer.units}, activation={layer.activation!r}{reg})"
    if layer.kind in ("Dropout", "AlphaDropout"):
        return f"{prefix}{layer.kind}({layer.rate!r})"
    if layer.kind == "GaussianNoise":
        return f"{prefix}GaussianNoise(stddev={layer.stddev!r})"
    return f"{prefix}BatchNormalization()"


@FAST
@given(
    st.lists(LAYER_SPECS, max_size=11),
    st.sampled_from(["list", "add"]),
    st.sampled_from(
        [
            ("import keras", "keras.layers."),
            ("import tensorflow as tf\nimport keras", "tf.keras.layers."),
            ("import keras\nfrom keras import layers", "layers."),
        ]
    ),
)
def test_valid_models_round_trip(hidden, form, spelling):
    header, prefix = spelling
    layers = [*hidden, LayerSpec("Dense", units=1, activation="sigmoid")]
    rendered = [render(layer, prefix) for layer in layers]
    if form == "list":
        body = "model = keras.Sequential([\n    keras.Input(shape=(10,)),\n"
        body += "".join(f"    {r},\n" for r in rendered) + "])\n"
    else:
        body = "model = keras.Sequential()\nmodel.add(keras.Input(shape=(10,)))\n"
        body += "".join(f"model.add({r})\n" for r in rendered)
    code = f"{header}\n\n{body}{COMPILE}\n"
    spec = ok_spec(code)
    expected = ModelSpec(input_dim=10, layers=tuple(layers))
    assert spec.identity() == expected.identity()
