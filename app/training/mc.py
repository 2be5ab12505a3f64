"""Monte Carlo dropout's passes: dropout left on at inference, many passes in one batched call.

Keras and NumPy, no Streamlit. The Reflect step uses it on the learner's trained model; what
the passes say (mean, spread, flip rate, rejection curves) is in `findings/mc_stats.py`, the
figures in `charts/mc.py`.

* `mc_predict(model, x, passes, seed)` runs `passes` stochastic forward passes of every row of
  `x` in ONE batched call (x tiled `passes` times) and returns P(malicious) as `(passes, n)`.
  The noise layers (Dropout, AlphaDropout, GaussianNoise, ...) run as in training; every other
  layer runs as at inference. For a model without BatchNormalization that is exactly
  `model(np.tile(x, (passes, 1)), training=True)` after `seed_noise_layers(model, seed)`; with
  BatchNormalization it differs on purpose: `training=True` would normalise with the tiled
  batch's statistics and update the moving averages, which is not MC dropout.
* Seeding is reproducible: each noise layer's seed generator is set to a state derived from
  `seed` and the layer's position before the call, under a lock (the layer's state is the only
  thing mutated, and a model is shared by the sessions of a server for inference only).
* `mc_logits(model, x, passes, seed)`: the same passes before the final sigmoid (the logits,
  `(passes, n)`): their spread is not squeezed near P = 0 and 1 (`findings/mc_spread.py`).
  `mc_predict_and_logits` gives both from one set of passes.
* `deterministic_predict(model, x)`: dropout off, as `predict` and production use it.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import keras

MAX_PASSES = 500
# Rows of one batched call are passes × connections; above this the passes are split into
# chunks (T = 500 over 2,000 connections would otherwise hold 1M × 256 floats per layer).
MAX_ROWS_PER_CALL = 100_000

_LOCK = threading.Lock()  # seeding and calling a shared model's noise layers is one step


def noise_layers(model: keras.Model) -> list[tuple[int, keras.layers.Layer]]:
    """(position, layer) of the layers that are random in training: they own a seed generator."""
    return [(i, layer) for i, layer in enumerate(model.layers) if hasattr(layer, "seed_generator")]


def has_dropout(model: keras.Model) -> bool:
    """True when some layer of `model` is random in training (so MC passes can differ)."""
    return any(getattr(layer, "rate", 0) or getattr(layer, "stddev", 0) for _, layer in
               noise_layers(model))  # fmt: skip


def noise_seed(seed: int, index: int) -> int:
    """The seed of the noise layer at position `index` for the MC seed `seed` (fits in int32)."""
    state = np.random.SeedSequence([int(seed), int(index), 0x3C]).generate_state(1)[0]
    return int(state) & 0x7FFFFFFF


def seed_noise_layers(model: keras.Model, seed: int) -> None:
    """Put every noise layer's seed generator in the state `seed` determines."""
    for i, layer in noise_layers(model):
        state = layer.seed_generator.state
        value = np.array([noise_seed(seed, i), 0])
        state.assign(value.astype(state.dtype))


def _check(x: np.ndarray, passes: int) -> np.ndarray:
    if not isinstance(passes, (int, np.integer)) or isinstance(passes, bool) or passes < 1:
        raise ValueError(f"passes must be a positive integer, got {passes!r}")
    if passes > MAX_PASSES:
        raise ValueError(f"passes must be at most {MAX_PASSES}, got {passes}")
    x = np.asarray(x, dtype=np.float32)
    if x.ndim != 2 or x.shape[0] < 1:
        raise ValueError(f"x must be a non-empty 2-D array (connections, features), got {x.shape}")
    return x


def _sigmoid_head(model: keras.Model) -> bool:
    """The last layer is a Dense layer with a sigmoid: its pre-activation is the logit."""
    import keras

    last = model.layers[-1]
    return isinstance(last, keras.layers.Dense) and last.activation is keras.activations.sigmoid


def _forward(model: keras.Model, x: np.ndarray, logits: bool = False):
    """One call: noise layers as in training, the rest as at inference. Returns the output
    tensor, or with `logits` the last Dense layer's value before its sigmoid."""
    import keras

    h = x
    layers = model.layers[:-1] if logits else model.layers
    for layer in layers:
        h = layer(h, training=hasattr(layer, "seed_generator"))
    if logits:
        last = model.layers[-1]
        h = keras.ops.matmul(h, last.kernel)
        h = h + last.bias if last.use_bias else h
    return h


def _column(h, rows: int) -> np.ndarray:
    """A model output tensor as (rows,) float64."""
    return np.asarray(h, dtype=np.float64).reshape(rows, -1)[:, 0]


def mc_predict(model: keras.Model, x: np.ndarray, passes: int, seed: int) -> np.ndarray:
    """P(malicious) of `passes` stochastic passes over the rows of `x`: shape (passes, n).

    One batched model call on x tiled `passes` times (row p*n + i is pass p of connection i);
    when passes × n exceeds MAX_ROWS_PER_CALL the passes are split into equal chunks, each
    seeded from (`seed`, chunk). Same model, x, passes and seed: the same array. A model with
    nothing random in it returns `passes` identical copies of its deterministic prediction.
    The first k passes of T (k < T) are the k passes: the masks are drawn row by row.
    """
    return _passes(model, x, passes, seed, logits=False)[0]


def mc_logits(model: keras.Model, x: np.ndarray, passes: int, seed: int) -> np.ndarray:
    """The passes of `mc_predict` (the same masks for the same seed) before the final sigmoid:
    shape (passes, n). A model whose last layer is not a sigmoid Dense is refused."""
    return mc_predict_and_logits(model, x, passes, seed)[1]


def mc_predict_and_logits(
    model: keras.Model, x: np.ndarray, passes: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """`mc_predict` and `mc_logits` of the same passes, computed once: the logits, and the
    model's own sigmoid of them (the same numbers as `mc_predict`, bit for bit). Reflect needs
    both; apart, the logits cost a second set of passes (50 passes: 0.92 CPU-s, 2026-12-07)."""
    if not _sigmoid_head(model):
        raise ValueError("the model's last layer is not a Dense layer with a sigmoid")
    return _passes(model, x, passes, seed, logits=True)


def _passes(model: keras.Model, x: np.ndarray, passes: int, seed: int,
            logits: bool) -> tuple[np.ndarray, np.ndarray | None]:  # fmt: skip
    """(P(malicious), the logits when `logits`) of the passes, each (passes, n)."""
    x = _check(x, passes)
    n = x.shape[0]
    if not has_dropout(model):
        # Nothing random to switch on: every pass is the same network, so compute it once.
        # (A tiled batch would differ only by float rounding between batch positions, ~1e-8.)
        probs, raw = _both(model, x, logits) if logits else (deterministic_predict(model, x), None)
        return np.tile(probs, (passes, 1)), None if raw is None else np.tile(raw, (passes, 1))
    per_call = max(1, MAX_ROWS_PER_CALL // n)
    chunks = [min(per_call, passes - start) for start in range(0, passes, per_call)]
    probs, raws = [], []
    with _LOCK:
        for c, size in enumerate(chunks):
            seed_noise_layers(model, seed if c == 0 else noise_seed(seed, 1000 + c))
            p, raw = _both(model, np.tile(x, (size, 1)), logits)
            probs.append(p.reshape(size, n))
            raws.append(None if raw is None else raw.reshape(size, n))
    return np.concatenate(probs), np.concatenate(raws) if logits else None


def _both(model: keras.Model, x: np.ndarray, logits: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """One forward call's P(malicious), and with `logits` the values before the final sigmoid
    (the sigmoid then applied as the model's last layer applies it)."""
    if not logits:
        return _column(_forward(model, x), x.shape[0]), None
    raw = _forward(model, x, logits=True)
    return _column(model.layers[-1].activation(raw), x.shape[0]), _column(raw, x.shape[0])


def deterministic_predict(model: keras.Model, x: np.ndarray) -> np.ndarray:
    """P(malicious) with dropout off, as `predict` and production use it: shape (n,)."""
    x = np.asarray(x, dtype=np.float32)
    return _column(model(x, training=False), x.shape[0])
