"""Keras' own `model.fit` against the trainer's hand-written loop (issue 24, part 9).

The run is the lesson's: `lesson_spec(0.0)` on the lesson's data, 50 epochs, batch size 32,
Adam, shuffled every epoch. Both sides are warm (traced once before the timed runs), report
every epoch to a progress callback and ask a Stop callback after it, as a training worker does:

* loop — `training.trainer.train(spec, config, on_epoch=..., should_stop=...)`: one
  `tf.function` call per epoch, Adam applied by `training.fused_adam.FusedAdam`;
* fit — one compiled model reused across runs (weights and optimizer reset the way the trainer
  resets its pooled models), `model.fit` on a `tf.data` pipeline of the trainer's batches in
  the trainer's order (`np.random.default_rng([seed, 0x5F1])` per epoch), validation
  on the whole validation set after each epoch, a `keras.callbacks.Callback` for progress and
  Stop, `EarlyStopping(restore_best_weights=True)` when the config asks for it, the same
  `FusedAdam`, and `steps_per_execution` either Keras' default (1) or one epoch's steps (one
  graph call per epoch, as the loop makes).

Printed: milliseconds per epoch (median of `repeats` interleaved runs), fit's time over the
loop's, and the largest difference between the two histories (every epoch, all four keys); the
same difference for `model.fit` with Keras' own Adam, which is what the exported script used to
run; and an early-stopping run on both sides (epochs done, largest difference).

`python -m tests.bench.fit_bench [repeats]` or `dropout-lab bench --only fit`. The machine is
shared: compare the figures of one call, and read them with the load it reports.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from dropout_lab.lesson.spec import HISTORY_KEYS, TrainConfig, lesson_spec
from dropout_lab.lesson.traffic import TrafficData, load_lesson_data
from dropout_lab.training import models, trainer
from dropout_lab.training.fused_adam import FusedAdam

EPOCHS = 50
BATCH_SIZE = 32
EARLY_PATIENCE = 3
SPEC = lesson_spec(0.0)


class Progress(keras.callbacks.Callback):
    """What a worker needs from a run: each epoch's four figures, and Stop asked after it."""

    def __init__(self, on_epoch: Callable[[int, dict], None], should_stop: Callable[[], bool]):
        super().__init__()
        self.on_epoch, self.should_stop = on_epoch, should_stop

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.on_epoch(epoch + 1, {k: float(logs[k]) for k in HISTORY_KEYS})
        if self.should_stop():
            self.model.stop_training = True


class FitRunner:
    """One compiled model whose `model.fit` is traced once, reset for every run."""

    def __init__(self, data: TrafficData, steps_per_execution: int, optimizer: Any) -> None:
        self.n = int(data.x_train.shape[0])
        self.steps = math.ceil(self.n / BATCH_SIZE)
        self.x, self.y = data.x_train, data.y_train.reshape(self.n, 1)
        xv, yv = data.x_val, data.y_val.reshape(-1, 1)
        self.validation = tf.data.Dataset.from_tensors((xv, yv))  # one batch, after each epoch
        self.model = models.build_model(SPEC, 0)
        self.model.compile(
            optimizer=optimizer,
            loss=SPEC.loss,
            metrics=list(SPEC.metrics),
            steps_per_execution=steps_per_execution,
        )
        self.model.optimizer.build(self.model.trainable_variables)
        self.initial = [v.numpy() for v in self.model.optimizer.variables]

    def batches(self, seed: int, epochs: int) -> tf.data.Dataset:
        """Every epoch's batches in the trainer's order (batches never cross an epoch), the
        rows gathered up front (measured faster than gathering them in the pipeline)."""
        rng = np.random.default_rng([int(seed), 0x5F1])
        orders = np.stack([rng.permutation(self.n) for _ in range(epochs)])

        def epoch(x: tf.Tensor, y: tf.Tensor) -> tf.data.Dataset:
            return tf.data.Dataset.from_tensor_slices((x, y)).batch(BATCH_SIZE)

        rows = tf.data.Dataset.from_tensor_slices((self.x[orders], self.y[orders]))
        return rows.flat_map(epoch).prefetch(2)

    def run(self, config: TrainConfig) -> tuple[float, dict[str, list[float]]]:
        """Seconds and history of one run of `config`."""
        models.reset_model(self.model, SPEC, config.seed)
        for variable, value in zip(self.model.optimizer.variables, self.initial, strict=True):
            variable.assign(value)
        callbacks: list[keras.callbacks.Callback] = [Progress(lambda e, logs: None, lambda: False)]
        if config.early_stopping_patience is not None:
            callbacks.append(
                keras.callbacks.EarlyStopping(
                    monitor="val_loss",
                    patience=config.early_stopping_patience,
                    restore_best_weights=True,
                )
            )
        t = time.perf_counter()
        fit = self.model.fit(
            self.batches(config.seed, config.epochs),
            epochs=config.epochs,
            steps_per_epoch=self.steps,
            validation_data=self.validation,
            callbacks=callbacks,
            shuffle=False,
            verbose=0,
        )
        seconds = time.perf_counter() - t
        return seconds, {k: [float(v) for v in fit.history[k]] for k in HISTORY_KEYS}


def loop_run(config: TrainConfig) -> tuple[float, dict[str, list[float]]]:
    """Seconds and history of one run of `config` through the trainer's loop."""
    t = time.perf_counter()
    run = trainer.train(SPEC, config, on_epoch=lambda e, logs: None, should_stop=lambda: False)
    return time.perf_counter() - t, run.history


def max_difference(a: dict[str, list[float]], b: dict[str, list[float]]) -> float:
    """The largest absolute difference, over every epoch and key (inf if the lengths differ)."""
    if any(len(a[k]) != len(b[k]) for k in HISTORY_KEYS):
        return math.inf
    return max(float(np.max(np.abs(np.subtract(a[k], b[k])))) for k in HISTORY_KEYS)


def run_fit_bench(repeats: int = 3, epochs: int = EPOCHS) -> dict[str, Any]:
    """Time the loop and `model.fit` on the lesson run; compare their histories."""
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}")
    load_before = os.getloadavg()[0]
    data = load_lesson_data(0)
    one_call = math.ceil(int(data.x_train.shape[0]) / BATCH_SIZE)
    fits = {1: FitRunner(data, 1, FusedAdam()), one_call: FitRunner(data, one_call, FusedAdam())}
    warm = TrainConfig(epochs=2, batch_size=BATCH_SIZE)
    loop_run(warm)
    for runner in fits.values():
        runner.run(warm)
    seconds: dict[str, list[float]] = {"loop": [], "fit": [], "fit_spe1": []}
    differences: list[float] = []
    for seed in range(1, repeats + 1):  # interleaved: load from other work hits all alike
        config = TrainConfig(epochs=epochs, batch_size=BATCH_SIZE, seed=seed)
        loop_seconds, loop_history = loop_run(config)
        fit_seconds, fit_history = fits[one_call].run(config)
        spe1_seconds, spe1_history = fits[1].run(config)
        seconds["loop"].append(loop_seconds)
        seconds["fit"].append(fit_seconds)
        seconds["fit_spe1"].append(spe1_seconds)
        differences += [
            max_difference(loop_history, fit_history),
            max_difference(loop_history, spe1_history),
        ]
    plain = TrainConfig(epochs=epochs, batch_size=BATCH_SIZE, seed=1)
    _, keras_adam_history = FitRunner(data, one_call, keras.optimizers.Adam()).run(plain)
    _, loop_history = loop_run(plain)
    early = TrainConfig(
        epochs=epochs, batch_size=BATCH_SIZE, early_stopping_patience=EARLY_PATIENCE
    )
    _, early_loop = loop_run(early)
    _, early_fit = fits[one_call].run(early)

    def ms_per_epoch(runs: list[float]) -> float:
        return round(1000 * statistics.median(runs) / epochs, 1)

    loop_ms, fit_ms = ms_per_epoch(seconds["loop"]), ms_per_epoch(seconds["fit"])
    return {
        "load_average_before": round(load_before, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
        "loop_ms_per_epoch": loop_ms,
        "fit_ms_per_epoch": fit_ms,
        "fit_steps_per_execution": one_call,
        "fit_spe1_ms_per_epoch": ms_per_epoch(seconds["fit_spe1"]),
        "fit_over_loop": round(fit_ms / loop_ms, 3),
        "max_history_difference": max(differences),
        "keras_adam_max_difference": max_difference(loop_history, keras_adam_history),
        "early_stopping_epochs": [len(early_loop["loss"]), len(early_fit["loss"])],
        "early_stopping_max_difference": max_difference(early_loop, early_fit),
        "loop_runs_seconds": [round(s, 3) for s in seconds["loop"]],
        "fit_runs_seconds": [round(s, 3) for s in seconds["fit"]],
        "fit_spe1_runs_seconds": [round(s, 3) for s in seconds["fit_spe1"]],
        "repeats": repeats,
        "epochs": epochs,
    }


if __name__ == "__main__":  # python -m tests.bench.fit_bench [repeats]
    print(json.dumps(run_fit_bench(int(sys.argv[1]) if len(sys.argv) > 1 else 3), indent=2))
