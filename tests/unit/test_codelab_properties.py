"""Property-based: nothing the learner types makes the reader raise; valid models round-trip."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dropout_lab.codelab.reader import parse_code, verdict
from dropout_lab.lesson.spec import LayerSpec, ModelSpec
from tests.support.codelab import (
    COMPILE,
    LAB,
    assert_verdict_shape,
    ok_spec,
)

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
