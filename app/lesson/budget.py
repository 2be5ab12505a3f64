"""The compute budget: what a run should cost, estimated from its size before it is queued.

A run's time is, on this kind of machine (2 cores, one core per training worker), about

    startup + epochs × (epoch overhead + k(P) × P × rows)

with P the model's parameters and rows the training rows. k was measured (seconds per
parameter × row × epoch; figures in lessons/class-example.toml's comment); above a few million
parameters the weights no longer fit in the processor's caches and k grows. The estimate is
deliberately a little pessimistic: a run over the budget is refused before it takes a worker.

Pure: no TensorFlow, no Streamlit. The one budget rule: the lesson file holds the allowance
(`lesson/train_settings.py` reads it), this module estimates and says why a run is refused (words
in lessons/budget.toml); the code lab's verdict, the Build step and `dropout-lab train` say it,
the training client refuses the run with the same sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

from dropout_lab.lesson.content import step_text
from dropout_lab.lesson.spec import ModelSpec, TrainConfig
from dropout_lab.lesson.traffic import N_TRAIN

DEFAULT_BUDGET_SECONDS = 60.0  # the largest allowed run trains in about a minute

K_SMALL = 1.3e-10  # s per parameter × row × epoch, models that fit in cache (≤ 4M parameters)
CACHE_PARAMS = 4_000_000  # above this, k grows as (P / CACHE_PARAMS) ** CACHE_EXPONENT
CACHE_EXPONENT = 0.45
EPOCH_OVERHEAD = 0.004  # s per epoch: the graph call, the shuffle, validation bookkeeping
STARTUP = 0.3  # s: building the model and tracing its epoch function ...
STARTUP_PER_LAYER = 0.1  # ... which grows with the layers


def count_params(spec: ModelSpec) -> int:
    """The model's parameters (trainable and not), as Keras counts them."""
    total, width = 0, spec.input_dim
    for layer in spec.layers:
        if layer.kind == "Dense":
            total += (width + 1) * int(layer.units or 0)
            width = int(layer.units or 0)
        elif layer.kind == "BatchNormalization":
            total += 4 * width
    return total


def seconds_per_epoch(params: int, rows: int = N_TRAIN) -> float:
    k = K_SMALL * max(1.0, params / CACHE_PARAMS) ** CACHE_EXPONENT
    return EPOCH_OVERHEAD + k * params * rows


def estimate_seconds(spec: ModelSpec, config: TrainConfig, rows: int = N_TRAIN) -> float:
    """About how long the run takes in one training worker here, in seconds."""
    startup = STARTUP + STARTUP_PER_LAYER * len(spec.layers)
    return startup + max(0, config.epochs) * seconds_per_epoch(count_params(spec), rows)


@dataclass(frozen=True)
class Overrun:
    """A run over the budget: what it would cost, what is allowed, what would fit."""

    seconds: float
    allowed: float
    epochs: int
    epochs_that_fit: int  # with this model (0: not even one epoch)
    params: int
    widest: int  # the widest Dense layer's units


def over_budget(
    spec: ModelSpec, config: TrainConfig, allowed: float | None, rows: int = N_TRAIN
) -> Overrun | None:
    """None when the run fits the budget `allowed` (seconds; None: no budget)."""
    if allowed is None:
        return None
    seconds = estimate_seconds(spec, config, rows)
    if seconds <= allowed:
        return None
    params = count_params(spec)
    startup = seconds - config.epochs * seconds_per_epoch(params, rows)
    fit = int(max(0.0, allowed - startup) // seconds_per_epoch(params, rows))
    units = [int(layer.units or 0) for layer in spec.layers if layer.kind == "Dense"]
    return Overrun(seconds, float(allowed), config.epochs, fit, params, max(units or [0]))


def refusal(over: Overrun) -> str:
    """The sentence that says why the run does not fit, and what to shrink (lessons/budget.toml)."""
    words = step_text("budget")
    template = words["over" if over.epochs_that_fit else "over_one_epoch"]
    return " ".join(template.split()).format(
        seconds=over.seconds, epochs=over.epochs, params=over.params, allowed=over.allowed,
        fit=over.epochs_that_fit, widest=over.widest)  # fmt: skip


def message(spec: ModelSpec, config: TrainConfig, allowed: float | None) -> str | None:
    """None when the run fits `allowed` seconds; else the sentence that says why it does not."""
    over = over_budget(spec, config, allowed)
    return None if over is None else refusal(over)
