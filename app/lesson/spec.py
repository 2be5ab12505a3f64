"""Model and training specifications: plain data, shared by the code-lab parser and the trainer.

A `ModelSpec` is what the learner's code *means*; it never holds code. Everything here is
hashable and JSON-serialisable so a run can be identified by what determines it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

# The layer kinds are declared once, in `layers`; both names stay importable from here.
from dropout_lab.lesson.layers import DROPOUT_KINDS as DROPOUT_KINDS
from dropout_lab.lesson.layers import KINDS
from dropout_lab.lesson.layers import LAYER_KINDS as LAYER_KINDS


@dataclass(frozen=True)
class LayerSpec:
    """One layer. Only the fields that apply to `kind` are set; the rest stay None."""

    kind: str
    units: int | None = None  # Dense
    activation: str | None = None  # Dense: a name from the allow-list, or None for linear
    rate: float | None = None  # Dropout, AlphaDropout: probability of dropping a unit
    stddev: float | None = None  # GaussianNoise
    l2: float | None = None  # Dense: L2 kernel_regularizer factor
    line: int | None = None  # source line in the learner's code, for messages

    def describe(self) -> str:
        """A short human label, e.g. 'Dense(256, relu)' or 'Dropout(0.3)'."""
        kind = KINDS.get(self.kind)
        return kind.describe(vars(self)) if kind is not None else f"{self.kind}()"

    def identity(self) -> dict[str, Any]:
        """The fields that change what is trained (not the source line)."""
        d = asdict(self)
        d.pop("line")
        return d


@dataclass(frozen=True)
class ModelSpec:
    """A Sequential binary classifier: input width, layers in order, compile settings."""

    input_dim: int
    layers: tuple[LayerSpec, ...]
    optimizer: str = "adam"
    learning_rate: float | None = None  # None: the optimizer's Keras default
    loss: str = "binary_crossentropy"
    metrics: tuple[str, ...] = ("accuracy",)

    def identity(self) -> dict[str, Any]:
        return {
            "input_dim": self.input_dim,
            "layers": [layer.identity() for layer in self.layers],
            "optimizer": self.optimizer,
            "learning_rate": self.learning_rate,
            "loss": self.loss,
            "metrics": list(self.metrics),
        }

    def to_dict(self) -> dict[str, Any]:
        d = self.identity()
        d["layers"] = [asdict(layer) for layer in self.layers]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ModelSpec:
        return cls(
            input_dim=int(d["input_dim"]),
            layers=tuple(LayerSpec(**layer) for layer in d["layers"]),
            optimizer=d.get("optimizer", "adam"),
            learning_rate=d.get("learning_rate"),
            loss=d.get("loss", "binary_crossentropy"),
            metrics=tuple(d.get("metrics", ("accuracy",))),
        )

    def dropout_rates(self) -> list[float]:
        return [layer.rate for layer in self.layers if layer.kind in DROPOUT_KINDS]

    def describe(self) -> str:
        return " → ".join(layer.describe() for layer in self.layers)


@dataclass(frozen=True)
class TrainConfig:
    """How a model is trained. With the spec, it determines a run completely."""

    epochs: int = 50
    batch_size: int = 32
    seed: int = 0
    data_seed: int = 0
    early_stopping_patience: int | None = None  # None: no early stopping


MAX_EPOCHS = 300
HISTORY_KEYS = ("loss", "accuracy", "val_loss", "val_accuracy")


@dataclass
class RunResult:
    """What a finished (or stopped) run produced."""

    key: str
    spec: ModelSpec
    config: TrainConfig
    history: dict[str, list[float]]  # HISTORY_KEYS → one Python float per epoch done
    epochs_done: int
    stopped: bool  # the user stopped it (should_stop returned True)
    best_epoch: int  # 1-based epoch of the lowest val_loss
    train_seconds: float
    weights: list[np.ndarray] = field(repr=False)
    n_train: int = 0
    n_val: int = 0
    early_stopped: bool = False  # early stopping ended it (weights restored to best_epoch)


def lesson_spec(rate: float = 0.0, l2: float | None = None) -> ModelSpec:
    """The lesson's overfit model (10→256→256→256→1), with Dropout(rate) after each hidden layer."""
    layers: list[LayerSpec] = []
    for _ in range(3):
        layers.append(LayerSpec("Dense", units=256, activation="relu", l2=l2))
        if rate > 0:
            layers.append(LayerSpec("Dropout", rate=rate))
    layers.append(LayerSpec("Dense", units=1, activation="sigmoid"))
    return ModelSpec(input_dim=10, layers=tuple(layers))


def run_key(spec: ModelSpec, config: TrainConfig) -> str:
    """A stable id for the run that `spec` and `config` determine."""
    payload = json.dumps(
        {"spec": spec.identity(), "config": asdict(config)}, sort_keys=True, default=str
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class ParseError:
    """A refusal: where it is and what to do about it."""

    line: int | None
    message: str


@dataclass(frozen=True)
class ParseResult:
    spec: ModelSpec | None
    errors: tuple[ParseError, ...] = field(default=())
    # Informational remarks, not refusals (e.g. "model.fit(...) is ignored"); same shape as errors.
    notes: tuple[ParseError, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.spec is not None and not self.errors
