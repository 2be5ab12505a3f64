"""What the code lab's reader tests share: the lab, a valid model with one free slot, and small
helpers to read a spec and a verdict."""

from __future__ import annotations

import json
import textwrap

from dropout_lab.codelab.reader import parse_code
from dropout_lab.lesson.labs import load_lab
from dropout_lab.lesson.spec import ModelSpec

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
