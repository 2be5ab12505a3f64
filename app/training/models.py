"""The lesson's Keras models: built from a `ModelSpec` with every initialiser and noise layer
seeded from the run's seed, reset to that state without rebuilding (the trainer's pool), and
rebuilt from a finished run's weights. TensorFlow's threads are set here at import."""

from __future__ import annotations

import os

import keras
import numpy as np
import tensorflow as tf

from dropout_lab.lesson.layers import SEEDED_KINDS, optimizer
from dropout_lab.lesson.spec import ModelSpec, RunResult
from dropout_lab.training.fused_adam import FusedAdam

# Adam runs as one fused kernel per variable (`fused_adam.FusedAdam`): 20.1 ms per epoch of the
# lesson run against 23.1 with keras.optimizers.Adam (2 cores, load < 3).
FUSED_ADAM = True


def configure_threads(intra_op: int = 1) -> bool:
    """Run each TensorFlow op on `intra_op` threads (0: TensorFlow's default, one per core).

    The lesson's ops are tiny (a 32×256 by 256×256 matmul takes tens of microseconds), so
    splitting them across cores costs more than it saves, and on a busy 2-core machine a split
    op waits for its slowest thread. One thread per op measured 1.3-1.7× faster per run than
    the default under load; results are bit-identical either way. Several runs in parallel
    still use several cores (inter-op parallelism and worker processes are untouched).
    Only possible before TensorFlow runs its first op: returns False (and changes nothing)
    when it is too late.
    """
    try:
        tf.config.threading.set_intra_op_parallelism_threads(intra_op)
    except RuntimeError:
        return False
    return True


def _default_threads() -> int | None:
    """DROPOUT_LAB_INTRA_OP_THREADS if set (0: TensorFlow's default); else 1, unless
    TF_NUM_INTRAOP_THREADS is set (then TensorFlow's own setting is left alone)."""
    value = os.environ.get("DROPOUT_LAB_INTRA_OP_THREADS")
    if value is not None:
        return int(value)
    return None if "TF_NUM_INTRAOP_THREADS" in os.environ else 1


# Applied at import, so a process that imports this module before running any TensorFlow op
# (a training worker, the CLI, the bench) gets it.
if (_threads := _default_threads()) is not None:
    configure_threads(_threads)


def layer_seed(seed: int, index: int) -> int:
    """A per-layer seed derived from the run seed: independent streams, fits in int32."""
    state = np.random.SeedSequence([int(seed), int(index), 0xD50]).generate_state(1)[0]
    return int(state) & 0x7FFFFFFF


def _make_optimizer(spec: ModelSpec) -> keras.optimizers.Optimizer:
    """The spec's optimizer from the lab's one table (Keras' default rate unless it sets one):
    the ones it marks fused (Adam) as `FusedAdam`, the others as Keras' own class."""
    kind = optimizer(spec.optimizer)
    cls = FusedAdam if kind.fused and FUSED_ADAM else getattr(keras.optimizers, kind.keras_class)
    if spec.learning_rate is None:
        return cls()
    return cls(learning_rate=float(spec.learning_rate))


def _make_layer(layer, seed: int, name: str) -> keras.layers.Layer:
    """One Keras layer of a spec, seeded, with its own `name`: not Keras' automatic names,
    whose counters a Streamlit server's threads share and reset (Reflect, building two models
    at once: "Name 'dense' is already the name of a layer in this model", CI 2026-12-07)."""
    kind = layer.kind
    if kind == "Dense":
        return keras.layers.Dense(
            layer.units,
            activation=layer.activation,
            kernel_initializer=keras.initializers.GlorotUniform(seed=seed),
            bias_initializer="zeros",
            kernel_regularizer=keras.regularizers.L2(layer.l2) if layer.l2 else None,
            name=name,
        )
    if kind == "Dropout":
        return keras.layers.Dropout(layer.rate, seed=seed, name=name)
    if kind == "AlphaDropout":
        return keras.layers.AlphaDropout(layer.rate, seed=seed, name=name)
    if kind == "GaussianNoise":
        return keras.layers.GaussianNoise(layer.stddev, seed=seed, name=name)
    if kind == "BatchNormalization":
        return keras.layers.BatchNormalization(name=name)
    raise ValueError(f"unknown layer kind {kind!r}")


def layer_name(kind: str, index: int) -> str:
    """A layer's name in the lesson's models: its kind and its place ("dense_0", "dropout_1")."""
    return f"{_snake_case(kind)}_{index}"


def _snake_case(kind: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in kind).lstrip("_")


def build_model(spec: ModelSpec, seed: int) -> keras.Model:
    """A compiled Sequential model for `spec`; initialisers and noise layers seeded from `seed`."""
    model = keras.Sequential([keras.Input(shape=(spec.input_dim,), name="inputs")], name="lesson")
    for i, layer in enumerate(spec.layers):
        model.add(_make_layer(layer, layer_seed(seed, i), layer_name(layer.kind, i)))
    model.compile(optimizer=_make_optimizer(spec), loss=spec.loss, metrics=list(spec.metrics))
    return model


def reset_model(model: keras.Model, spec: ModelSpec, seed: int) -> None:
    """Put `model` in the state `build_model(spec, seed)` starts from, without rebuilding."""
    for i, (layer, ls) in enumerate(zip(model.layers, spec.layers, strict=True)):
        s = layer_seed(seed, i)
        if ls.kind == "Dense":
            init = keras.initializers.GlorotUniform(seed=s)
            layer.kernel.assign(init(tuple(layer.kernel.shape), dtype=layer.kernel.dtype))
            layer.bias.assign(np.zeros(layer.bias.shape, dtype="float32"))
        elif ls.kind in SEEDED_KINDS:
            layer.seed_generator.state.assign(np.array([s, 0], dtype="uint32"))
        elif ls.kind == "BatchNormalization":
            layer.gamma.assign(np.ones(layer.gamma.shape, "float32"))
            layer.beta.assign(np.zeros(layer.beta.shape, "float32"))
            layer.moving_mean.assign(np.zeros(layer.moving_mean.shape, "float32"))
            layer.moving_variance.assign(np.ones(layer.moving_variance.shape, "float32"))


def model_from_run(run: RunResult) -> keras.Model:
    """A fresh compiled model holding the run's final weights (for predictions, MC dropout)."""
    model = build_model(run.spec, run.config.seed)
    model.set_weights(run.weights)
    return model
