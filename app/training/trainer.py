"""Train a `ModelSpec` on the lesson's data, fast and reproducibly.

The experiment is exactly what `model.fit(x, y, validation_data=..., epochs=E, batch_size=B)`
does — same model, data, optimizer (Adam as `fused_adam.FusedAdam`, a Keras optimizer on the
public API), batch size, per-epoch shuffling, and Keras' metric
semantics (training loss/accuracy are the sample-weighted means over the epoch's batches,
validation is measured on the whole validation set after the epoch). Only the machinery
differs:

* one `tf.function` call per epoch runs every mini-batch step in a graph loop, with static
  shapes (the full batches as one `(n_batches, B, d)` tensor, the partial last batch
  separately) and the validation pass folded into the same call;
* data are tensors built once per run, shuffles come from a seeded NumPy generator;
* the traced functions are kept between runs: a small pool of "trainers" keyed by the
  architecture holds a built model, its optimizer and its traced epoch function. A new run
  takes a free trainer and resets it *deterministically* from the run's seed (weights,
  optimizer slots, dropout seed states), so it costs no tracing and reproduces a freshly
  built model bit for bit. A trainer is used by one run at a time (concurrent runs of the
  same architecture get separate trainers).

Every random thing has an explicit seed derived from `TrainConfig.seed`: kernel initialisers,
Dropout / AlphaDropout / GaussianNoise seed generators, and the shuffle order. The same spec
and config therefore give bit-identical histories across calls, threads and processes (on the
same machine and TensorFlow build).

Why this loop and not `model.fit` (issue 24, part 9): `dropout-lab bench --only fit`
(tests/bench/fit_bench.py) runs the lesson run (no dropout, 50 epochs, warm) both ways, fit set
up to reproduce the loop — the same FusedAdam, the same batches in the same order through
tf.data, a progress/Stop callback, `EarlyStopping(restore_best_weights=True)`, and
`steps_per_execution` = one epoch's 32 steps. The histories agree to 6e-8 at every epoch (five
seeds; early stopping ends both at the same epoch), but on this 2-core machine (load 1.9, not
niced) fit took 35.2 ms per epoch against the loop's 22.0 (1.60×), and 76.3 ms (3.5×) with
Keras' default `steps_per_execution=1`: Keras' own epoch bookkeeping (callbacks, a separate
evaluate pass and its iterator, metric variables, logs brought back to Python) costs more than
half of the lesson's whole epoch. The issue's bar was within 15%, so the loop stays. It reads
no private Keras field: the old fused Adam read Adam's `_momentums`, `_velocities` and
`_get_variable_index`; `FusedAdam` gives the same numbers bit for bit in the same time.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from dropout_lab.lesson.spec import (
    HISTORY_KEYS,
    MAX_EPOCHS,
    ModelSpec,
    RunResult,
    TrainConfig,
    run_key,
)
from dropout_lab.lesson.traffic import TrafficData, load_lesson_data
from dropout_lab.training import models

OnEpoch = Callable[[int, dict[str, float]], None]
ShouldStop = Callable[[], bool]


# --------------------------------------------------------------------------- the fast loop


class _Trainer:
    """A built model + optimizer + traced epoch function for one architecture and data shape."""

    def __init__(self, spec: ModelSpec, n_train: int, n_val: int, batch_size: int) -> None:
        self.spec = spec
        self.model = models.build_model(spec, 0)
        self.optimizer = self.model.optimizer
        self.optimizer.build(self.model.trainable_variables)
        self.optimizer_initial = [v.numpy() for v in self.optimizer.variables]
        self.loss_fn = keras.losses.get(spec.loss)
        self.n_train, self.n_val, self.batch_size = n_train, n_val, batch_size
        self.n_full, self.n_rest = divmod(n_train, batch_size)
        self.epoch_fn = tf.function(self._epoch, jit_compile=_JIT, autograph=False)

    def reset(self, seed: int) -> None:
        models.reset_model(self.model, self.spec, seed)
        for var, value in zip(self.optimizer.variables, self.optimizer_initial, strict=True):
            var.assign(value)

    def _loss(self, y, p):
        loss = tf.reduce_mean(self.loss_fn(y, p))
        for extra in self.model.losses:  # L2 penalties, like Model.compute_loss
            loss = loss + tf.cast(extra, loss.dtype)
        return loss

    def _step(self, xb, yb):
        model = self.model
        with tf.GradientTape() as tape:
            p = model(xb, training=True)
            loss = self._loss(yb, p)
        variables = model.trainable_variables
        grads = tape.gradient(loss, variables)
        self.optimizer.apply(grads, variables)
        correct = tf.reduce_sum(tf.cast(tf.equal(yb, tf.cast(p > 0.5, yb.dtype)), tf.float32))
        return loss, correct

    def _epoch(self, x, y, perm, xv, yv):
        """One epoch of mini-batch steps, then validation → [loss, acc, val_loss, val_acc]."""
        bs, n_full, n_rest = self.batch_size, self.n_full, self.n_rest
        totals = (tf.constant(0.0), tf.constant(0.0))  # sum of loss × batch size, correct count
        if n_full:
            idx = tf.reshape(perm[: n_full * bs], (n_full, bs))
            xs, ys = tf.gather(x, idx), tf.gather(y, idx)  # (n_full, bs, d): static batch shape

            def body(i, loss_sum, correct):
                loss, c = self._step(xs[i], ys[i])
                return i + 1, loss_sum + loss * bs, correct + c

            _, *totals = tf.while_loop(
                lambda i, *_: i < n_full, body, (tf.constant(0), *totals), parallel_iterations=1
            )
        loss_sum, correct = totals
        if n_rest:
            rest = perm[n_full * bs :]
            loss, c = self._step(tf.gather(x, rest), tf.gather(y, rest))
            loss_sum, correct = loss_sum + loss * n_rest, correct + c
        pv = self.model(xv, training=False)
        val_loss = self._loss(yv, pv)
        val_acc = tf.reduce_mean(tf.cast(tf.equal(yv, tf.cast(pv > 0.5, yv.dtype)), tf.float32))
        n = float(self.n_train)
        return tf.stack([loss_sum / n, correct / n, val_loss, val_acc])


# XLA (jit_compile) measured ~2 ms/epoch faster here, but compiling the epoch loop took 1.5-4 s:
# more than a whole run. Kept off; both flags are part of the pool key.
_JIT = False

_POOL_LOCK = threading.Lock()
_POOL: OrderedDict[str, list[_Trainer]] = OrderedDict()  # architecture → idle trainers
_POOL_MAX_ARCHITECTURES = 12
_POOL_MAX_IDLE = 2


def _pool_key(spec: ModelSpec, n_train: int, n_val: int, batch_size: int) -> str:
    return json.dumps(
        [spec.identity(), n_train, n_val, batch_size, models.FUSED_ADAM, _JIT], sort_keys=True
    )


def _acquire(spec: ModelSpec, n_train: int, n_val: int, batch_size: int) -> tuple[str, _Trainer]:
    key = _pool_key(spec, n_train, n_val, batch_size)
    with _POOL_LOCK:
        idle = _POOL.get(key)
        if idle:
            _POOL.move_to_end(key)
            return key, idle.pop()
    return key, _Trainer(spec, n_train, n_val, batch_size)


def _release(key: str, trainer: _Trainer) -> None:
    with _POOL_LOCK:
        idle = _POOL.setdefault(key, [])
        _POOL.move_to_end(key)
        if len(idle) < _POOL_MAX_IDLE:
            idle.append(trainer)
        while len(_POOL) > _POOL_MAX_ARCHITECTURES:
            _POOL.popitem(last=False)


def _check_config(config: TrainConfig) -> None:
    if not 1 <= config.epochs <= MAX_EPOCHS:
        raise ValueError(f"epochs must be between 1 and {MAX_EPOCHS}, got {config.epochs}")
    if config.batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {config.batch_size}")
    patience = config.early_stopping_patience
    if patience is not None and patience < 1:
        raise ValueError(f"early_stopping_patience must be at least 1, got {patience}")


def train(
    spec: ModelSpec,
    config: TrainConfig,
    *,
    on_epoch: OnEpoch | None = None,
    should_stop: ShouldStop | None = None,
    data: TrafficData | None = None,
) -> RunResult:
    """Train `spec` as `config` says; report each epoch; stop early on request.

    `on_epoch(epoch, logs)` gets the 1-based epoch and the four HISTORY_KEYS as floats.
    `should_stop()` is asked after every epoch; True ends the run keeping the epochs done.
    With `config.early_stopping_patience`, the run ends once val_loss has not improved for that
    many epochs and the weights of the best epoch are restored (Keras' EarlyStopping with
    `restore_best_weights=True`, except that the restore happens only when early stopping
    fires: Keras 3.15's also restores them at the end of a run it did not stop).
    """
    _check_config(config)
    data = data if data is not None else load_lesson_data(config.data_seed)
    n_train, n_val = int(data.x_train.shape[0]), int(data.x_val.shape[0])
    if data.x_train.shape[1] != spec.input_dim:
        raise ValueError(
            f"model expects {spec.input_dim} features, data has {data.x_train.shape[1]}"
        )

    t0 = time.perf_counter()
    key, trainer = _acquire(spec, n_train, n_val, config.batch_size)
    # A run that raises (e.g. from on_epoch) drops its trainer instead of returning it to the pool.
    trainer.reset(config.seed)
    history, stopped, early_stopped = _fit(trainer, data, config, on_epoch, should_stop)
    weights = [np.array(v.numpy()) for v in trainer.model.weights]
    seconds = time.perf_counter() - t0
    _release(key, trainer)

    return RunResult(
        key=run_key(spec, config),
        spec=spec,
        config=config,
        history=history,
        epochs_done=len(history["loss"]),
        stopped=stopped,
        best_epoch=_best_epoch(history["val_loss"]),
        train_seconds=seconds,
        weights=weights,
        n_train=n_train,
        n_val=n_val,
        early_stopped=early_stopped,
    )


class _EarlyStopping:
    """Keras' EarlyStopping(monitor="val_loss", restore_best_weights=True), after each epoch."""

    def __init__(self, patience: int, variables: list) -> None:
        self.patience, self.variables = patience, variables
        self.best_loss, self.best_weights, self.wait = np.inf, None, 0

    def update(self, val_loss: float) -> None:
        if val_loss < self.best_loss:
            self.best_loss, self.wait = val_loss, 0
            self.best_weights = [v.numpy() for v in self.variables]
            return
        self.wait += 1
        if self.best_weights is None:  # never improved (NaN): Keras keeps the first epoch's
            self.best_weights = [v.numpy() for v in self.variables]

    def fires(self, epoch: int) -> bool:
        """True (and the best weights restored) once patience is exhausted after epoch 1."""
        if self.wait < self.patience or epoch <= 1:
            return False
        for v, value in zip(self.variables, self.best_weights, strict=True):
            v.assign(value)
        return True


def _fit(
    trainer: _Trainer,
    data: TrafficData,
    config: TrainConfig,
    on_epoch: OnEpoch | None,
    should_stop: ShouldStop | None,
) -> tuple[dict[str, list[float]], bool, bool]:
    """The epochs of one run on a reset trainer → (history, stopped, early_stopped)."""
    n_train, n_val = trainer.n_train, trainer.n_val
    x, y = tf.constant(data.x_train), tf.constant(data.y_train.reshape(n_train, -1))
    xv, yv = tf.constant(data.x_val), tf.constant(data.y_val.reshape(n_val, -1))
    shuffle_rng = np.random.default_rng([int(config.seed), 0x5F1])
    history: dict[str, list[float]] = {k: [] for k in HISTORY_KEYS}
    patience = config.early_stopping_patience
    early = _EarlyStopping(patience, trainer.model.weights) if patience is not None else None
    for epoch in range(1, config.epochs + 1):
        perm = tf.constant(shuffle_rng.permutation(n_train).astype(np.int32))
        values = trainer.epoch_fn(x, y, perm, xv, yv).numpy().tolist()
        logs = dict(zip(HISTORY_KEYS, values, strict=True))
        for k in HISTORY_KEYS:
            history[k].append(logs[k])
        if early is not None:
            early.update(logs["val_loss"])
        if on_epoch is not None:
            on_epoch(epoch, dict(logs))
        if early is not None and early.fires(epoch):
            return history, False, True
        if should_stop is not None and should_stop():
            return history, True, False
    return history, False, False


def _best_epoch(val_loss: list[float]) -> int:
    """1-based epoch of the lowest val_loss (the first one on ties; NaN epochs never win)."""
    losses = np.asarray(val_loss, dtype=float)
    if not np.isfinite(losses).any():
        return len(losses)
    return int(np.nanargmin(np.where(np.isfinite(losses), losses, np.nan))) + 1


def train_cli_payload(run: RunResult) -> dict[str, Any]:
    """The JSON `dropout-lab train --json` prints."""
    return {
        "history": {k: [float(v) for v in run.history[k]] for k in HISTORY_KEYS},
        "train_seconds": float(run.train_seconds),
        "n_train": int(run.n_train),
        "n_val": int(run.n_val),
    }
