"""The layer kinds and optimizers the lab understands, declared once.

Everything else derives from these two tables: the code-lab reader's allow-list and its generic
per-argument checks, `LayerSpec.describe`, the trainer's seeding, the exports and the Compare
step's wording. Adding a kind means adding one `LayerKind` here (and, where it builds Keras
objects, teaching the trainer and the export how). The learner-facing sentences about these
arguments live in `lessons/codelab.toml`, keyed by the argument's name.

Pure data: no TensorFlow, Keras or Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Arg:
    """One argument of a layer kind, as the lab reads it.

    `type` says how the reader checks it: "int" and "float" are numbers within [low, high]
    (`low_open` / `high_open`: that bound excluded); "activation", "l2", "seed" have their own
    readers. `field` is the `LayerSpec` field it fills (None: read, checked and ignored), with
    `default` when the code leaves an optional argument out.
    `shown` formats the value in a layer's short description (None: not shown; `show_zero`:
    show a zero value too).
    """

    name: str
    type: str
    field: str | None = None
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    required: bool = False
    default: Any = None
    shown: str | None = None
    show_zero: bool = True

    def below(self, value: float) -> bool:
        """Whether `value` is under the allowed range."""
        return self.low is not None and (value <= self.low if self.low_open else value < self.low)

    def above(self, value: float) -> bool:
        """Whether `value` is over the allowed range."""
        return self.high is not None and (
            value >= self.high if self.high_open else value > self.high
        )

    def within(self, value: float) -> bool:
        """Whether `value` lies in the allowed range."""
        return not self.below(value) and not self.above(value)

    def show(self, value: Any) -> str:
        """This argument's part of a short description, e.g. ', relu' ('' when not shown)."""
        if self.shown is None or value is None or (not value and not self.show_zero):
            return ""
        return self.shown.format(value)


@dataclass(frozen=True)
class LayerKind:
    """A layer the lab accepts: its Keras class, its arguments, what kind of layer it is."""

    name: str
    keras_class: str  # the class in keras.layers
    description: str
    args: tuple[Arg, ...] = ()
    positional: tuple[str, ...] = ()  # Keras' positional order (may name arguments the lab refuses)
    dropout: bool = False  # drops units at random: what the lesson's goals look for
    noise: bool = False  # adds random noise (seeded like a dropout layer)

    @property
    def seeded(self) -> bool:
        """Draws random numbers during training: the trainer seeds it."""
        return self.dropout or self.noise

    def arg(self, name: str) -> Arg:
        return next(a for a in self.args if a.name == name)

    def describe(self, values: dict[str, Any]) -> str:
        """A short label such as 'Dense(256, relu)' from a layer's field values."""
        parts = "".join(a.show(values.get(a.field)) for a in self.args if a.field)
        return f"{self.name}({parts})"


_SEED = Arg("seed", "seed")
_RATE = Arg("rate", "float", "rate", low=0.0, high=1.0, high_open=True, required=True, shown="{:g}")

KINDS: dict[str, LayerKind] = {
    kind.name: kind
    for kind in (
        LayerKind(
            "Dense",
            "Dense",
            "a fully connected layer: every unit sees every input",
            args=(
                Arg("units", "int", "units", low=1, high=2_048, required=True, shown="{}"),
                Arg("activation", "activation", "activation", shown=", {}", show_zero=False),
                Arg(
                    "kernel_regularizer",
                    "l2",
                    "l2",
                    low=0.0,
                    high=1.0,
                    shown=", l2={:g}",
                    show_zero=False,
                ),
            ),
            positional=("units", "activation"),
        ),
        LayerKind(
            "Dropout",
            "Dropout",
            "zeroes each unit with probability `rate` during training (inverted dropout)",
            args=(_RATE, _SEED),
            positional=("rate", "noise_shape", "seed"),
            dropout=True,
        ),
        LayerKind(
            "GaussianNoise",
            "GaussianNoise",
            "adds zero-mean Gaussian noise of standard deviation `stddev` during training",
            args=(
                Arg("stddev", "float", "stddev", low=0.0, high=10.0, required=True, shown="{:g}"),
                _SEED,
            ),
            positional=("stddev", "seed"),
            noise=True,
        ),
        LayerKind(
            "BatchNormalization",
            "BatchNormalization",
            "normalises each unit over the batch, then scales and shifts it",
        ),
        LayerKind(
            "AlphaDropout",
            "AlphaDropout",
            "dropout for SELU networks: keeps the mean and variance of its inputs",
            args=(_RATE, _SEED),
            positional=("rate", "noise_shape", "seed"),
            dropout=True,
        ),
    )
}

LAYER_KINDS: tuple[str, ...] = tuple(KINDS)
DROPOUT_KINDS: tuple[str, ...] = tuple(k for k, v in KINDS.items() if v.dropout)
NOISE_KINDS: tuple[str, ...] = tuple(k for k, v in KINDS.items() if v.noise)
SEEDED_KINDS: tuple[str, ...] = tuple(k for k, v in KINDS.items() if v.seeded)
# Kinds that are neither Dense nor dropout (the Compare step names them as "other layers").
OTHER_KINDS: tuple[str, ...] = tuple(
    k for k in LAYER_KINDS if k != "Dense" and k not in DROPOUT_KINDS
)


@dataclass(frozen=True)
class Optimizer:
    name: str  # the lab's name, as in compile(optimizer="adam")
    keras_class: str  # the class in keras.optimizers
    learning_rate: float  # Keras' default learning rate for this class
    # Applied with TensorFlow's fused kernel (training/fused_adam.py's FusedAdam: the same
    # formula, rounded differently), by the trainer and by the exported script alike.
    fused: bool = False


OPTIMIZERS: dict[str, Optimizer] = {
    o.name: o
    for o in (
        Optimizer("adam", "Adam", 0.001, fused=True),
        Optimizer("sgd", "SGD", 0.01),
        Optimizer("rmsprop", "RMSprop", 0.001),
        Optimizer("adamw", "AdamW", 0.001),
        Optimizer("adagrad", "Adagrad", 0.001),
    )
}


def layer_kind(name: str) -> LayerKind:
    """The kind called `name`; ValueError if the lab does not know it."""
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"unknown layer kind {name!r}") from None


def optimizer(name: str) -> Optimizer:
    """The optimizer called `name`; ValueError if the lab does not know it."""
    try:
        return OPTIMIZERS[name]
    except KeyError:
        raise ValueError(f"unknown optimizer {name!r}") from None
