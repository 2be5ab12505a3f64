"""What the readings teach about dropout, held against Keras itself (and, where Keras has no
switch for it, against exact arithmetic). Each test would fail if a wrong version of the fact came
back into the lesson."""

from __future__ import annotations

import itertools
import math

import keras
import numpy as np
import pytest
import tensorflow as tf

RATE = 0.3  # the lesson's rate
BATCH = 32  # the lesson's batch size


def lesson_layers(seed: int = 0, noise_shape=None) -> list:
    """The lesson model's layers: 10 -> 256 -> 256 -> 256 -> 1, Dropout(0.3) after each hidden."""
    layers = []
    for n in range(3):
        layers.append(
            keras.layers.Dense(256, activation="relu", kernel_initializer=f_init(seed + n))
        )
        layers.append(keras.layers.Dropout(RATE, noise_shape=noise_shape, seed=seed + 10 + n))
    layers.append(keras.layers.Dense(1, activation="sigmoid", kernel_initializer=f_init(seed + 3)))
    return layers


def f_init(seed: int):
    return keras.initializers.GlorotUniform(seed=seed)


def one_step_gradients(batch: int, noise_shape=None, seed: int = 0):
    """One training step of the lesson model: the ReLU outputs (h) and dropout outputs (d) of the
    first two hidden layers, and the loss gradients of the first two kernels."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, 10)).astype("float32")
    y = rng.integers(0, 2, size=(batch, 1)).astype("float32")
    layers = lesson_layers(seed, noise_shape)
    model = keras.Sequential([keras.Input(shape=(10,)), *layers])
    loss_fn = keras.losses.BinaryCrossentropy()
    with tf.GradientTape() as tape:
        h1 = layers[0](x)
        d1 = layers[1](h1, training=True)
        h2 = layers[2](d1)
        d2 = layers[3](h2, training=True)
        out = d2
        for layer in layers[4:]:
            out = layer(out, training=True)
        loss = loss_fn(y, out)
    kernels = [layers[0].kernel, layers[2].kernel]
    grads = [g.numpy() for g in tape.gradient(loss, kernels)]
    assert model.count_params() > 130_000  # it is the lesson's model
    return (h1.numpy(), d1.numpy()), (h2.numpy(), d2.numpy()), grads


# Masks are per example ---------------------------------------------------------------------------


def test_masks_differ_across_the_rows_of_one_call() -> None:
    x = np.ones((BATCH, 256), "float32")
    y = keras.layers.Dropout(0.5, seed=3)(x, training=True).numpy()
    keep = y != 0
    rows = {row.tobytes() for row in keep}
    assert len(rows) == BATCH, "every example of the batch has its own mask"
    # A unit is dropped for some examples and kept for others in the same call.
    per_unit = keep.mean(axis=0)
    assert ((per_unit > 0) & (per_unit < 1)).mean() > 0.99


@pytest.mark.parametrize(
    "noise_shape, shared_axis",
    [((None, 1), 1), ((1, 256), 0)],
    ids=["one-coin-per-example", "one-mask-for-the-batch"],
)
def test_noise_shape_shares_the_mask_along_axes_set_to_one(noise_shape, shared_axis) -> None:
    x = np.ones((BATCH, 256), "float32")
    keep = keras.layers.Dropout(0.5, noise_shape=noise_shape, seed=4)(x, training=True).numpy()
    keep = keep != 0
    # Along the shared axis every entry is the same; across the other axis they still differ.
    assert (keep == keep.take([0], axis=shared_axis)).all()
    across = keep.take(0, axis=shared_axis)
    assert across.any() and not across.all()  # some kept, some dropped


def test_feature_map_dropout_shares_one_coin_per_channel_and_example() -> None:
    x = np.ones((8, 5, 5, 16), "float32")
    keep = keras.layers.SpatialDropout2D(0.5, seed=5)(x, training=True).numpy() != 0
    assert (keep == keep[:, :1, :1, :]).all(), "the whole feature map shares its coin"
    assert len({k.tobytes() for k in keep[:, 0, 0, :]}) > 1, "but each example has its own"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_in_one_step_of_the_lesson_model_every_weight_column_gets_a_gradient(seed: int) -> None:
    _, (h2, d2), (g1, g2) = one_step_gradients(BATCH, seed=seed)
    assert g1.shape == (10, 256) and g2.shape == (256, 256)
    # Incoming weights of every unit of layer 1 (columns) and outgoing ones (rows of the second
    # kernel): all non-zero after one batch of 32, although each example dropped 30% of them.
    assert (np.abs(g1).sum(axis=0) > 0).all()
    assert (np.abs(g2).sum(axis=1) > 0).all()
    # Layer 2: a unit's incoming weights get a gradient exactly when some example both fired it
    # (ReLU > 0) and kept it. That is almost every unit: the rare exceptions are units that fire
    # for no example of this batch, or for one or two that all happened to drop them.
    learns = ((h2 > 0) & (d2 != 0)).any(axis=0)
    assert np.array_equal(np.abs(g2).sum(axis=0) > 0, learns)
    assert learns.mean() > 0.95
    if seed == 1:
        assert learns.all()


def test_for_one_example_a_dropped_unit_passes_no_gradient() -> None:
    (h1, d1), _, (g1, g2) = one_step_gradients(1, seed=7)
    dropped = (h1[0] > 0) & (d1[0] == 0)  # active after ReLU, zeroed by dropout
    kept = d1[0] != 0
    assert dropped.sum() > 30 and kept.sum() > 30
    assert (g1[:, dropped] == 0).all(), "no gradient into a dropped unit's incoming weights"
    assert (g2[dropped, :] == 0).all(), "nor into its outgoing weights"
    assert (np.abs(g1[:, kept]).sum(axis=0) > 0).all()


def test_one_mask_shared_by_the_batch_would_starve_the_dropped_units() -> None:
    """The contrast: if the batch shared one mask, a dropped unit would get no gradient at all."""
    (h1, d1), _, (g1, _) = one_step_gradients(BATCH, noise_shape=(1, 256), seed=2)
    dropped = (d1 == 0).all(axis=0) & (h1 > 0).any(axis=0)
    assert dropped.sum() > 30
    assert (g1[:, dropped] == 0).all()


def test_a_unit_dropped_for_a_whole_batch_is_vanishingly_rare() -> None:
    # The number the reading quotes: P(one unit dropped for all 32 examples) at rate 0.3.
    assert 1e-17 < RATE**BATCH < 1e-16


# The weight-scaling inference rule ---------------------------------------------------------------


def test_weight_scaling_is_exact_for_a_linear_layer() -> None:
    """The mean over every mask of W (m * x) / (1 - p) equals W x: enumerate all 2^8 masks."""
    rng = np.random.default_rng(0)
    x, w, p = rng.normal(size=8), rng.normal(size=(3, 8)), 0.3
    mean = np.zeros(3)
    for bits in itertools.product([0, 1], repeat=8):
        m = np.array(bits)
        prob = np.prod(np.where(m == 1, 1 - p, p))
        mean += prob * (w @ (m * x) / (1 - p))
    assert np.allclose(mean, w @ x)


def test_weight_scaling_is_only_approximate_after_a_relu() -> None:
    """MC mean of Keras passes versus the dropout-off output: equal for a linear layer, not after
    a ReLU (here the full network says 0, while most thinned networks say something positive)."""
    x = np.ones((1, 2), "float32")
    drop = keras.layers.Dropout(0.5, seed=9)
    passes = np.repeat(x, 20_000, axis=0)
    thinned = drop(passes, training=True).numpy()
    linear = thinned @ np.array([[1.0], [-1.0]], "float32")  # w.x = 0 without dropout
    relu = np.maximum(linear, 0.0)
    assert abs(linear.mean()) < 0.05  # linear: the average of the thinned nets is the full net
    assert relu.mean() > 0.4  # ReLU: the average is about 0.5, the full network gives 0


# Dropout as an adaptive L2 penalty (linear regression) -------------------------------------------


def test_dropout_on_linear_regression_is_ridge_with_a_data_dependent_penalty() -> None:
    """E over masks of (y - w.(m*x)/(1-p))^2 = (y - w.x)^2 + p/(1-p) * sum_j w_j^2 x_j^2."""
    rng = np.random.default_rng(1)
    x, w, y, p = rng.normal(size=6), rng.normal(size=6), 0.7, 0.3
    expected = 0.0
    for bits in itertools.product([0, 1], repeat=6):
        m = np.array(bits)
        prob = np.prod(np.where(m == 1, 1 - p, p))
        expected += prob * (y - w @ (m * x) / (1 - p)) ** 2
    penalty = p / (1 - p) * np.sum(w**2 * x**2)
    assert math.isclose(expected, (y - w @ x) ** 2 + penalty, rel_tol=1e-9)


# Gaussian dropout and Gaussian noise -------------------------------------------------------------


@pytest.mark.parametrize("rate", [0.3, 0.5])
def test_gaussian_dropout_is_multiplicative_noise_with_mean_one(rate: float) -> None:
    x = np.full((200, 500), 2.0, "float32")
    y = keras.layers.GaussianDropout(rate, seed=11)(x, training=True).numpy()
    factor = y / x
    assert abs(factor.mean() - 1.0) < 0.01
    assert abs(factor.var() - rate / (1 - rate)) < 0.02  # the variance Bernoulli dropout has
    assert len(np.unique(y)) > 1000, "continuous noise, not a 0/kept mask"
    assert np.array_equal(keras.layers.GaussianDropout(rate)(x, training=False).numpy(), x)


def test_gaussian_noise_is_additive() -> None:
    x = np.full((200, 500), 2.0, "float32")
    y = keras.layers.GaussianNoise(0.5, seed=12)(x, training=True).numpy()
    assert abs((y - x).mean()) < 0.01 and abs((y - x).std() - 0.5) < 0.01
    assert np.array_equal(keras.layers.GaussianNoise(0.5)(x, training=False).numpy(), x)


# recurrent_dropout and the fused LSTM kernel -----------------------------------------------------


def test_an_lstm_with_recurrent_dropout_trains_and_is_deterministic_at_inference() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 5, 3)).astype("float32")
    layer = keras.layers.LSTM(4, dropout=0.2, recurrent_dropout=0.2, seed=1)
    a, b = layer(x, training=True).numpy(), layer(x, training=True).numpy()
    assert not np.allclose(a, b), "a new mask for each call"
    assert np.array_equal(layer(x, training=False).numpy(), layer(x, training=False).numpy())
    model = keras.Sequential([keras.Input(shape=(5, 3)), layer, keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(x, np.zeros((8, 1)), epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()


@pytest.mark.parametrize("recurrent_dropout, tries_fused", [(0.0, True), (0.2, False)])
def test_keras_tries_the_fused_lstm_kernel_only_without_recurrent_dropout(
    monkeypatch, recurrent_dropout: float, tries_fused: bool
) -> None:
    """Keras asks the backend for its fused (cuDNN) LSTM only when recurrent_dropout == 0; the
    backend answers NotImplementedError without a GPU, and Keras falls back to its own loop."""
    from keras.src import backend

    calls = []

    def fused(*args, **kwargs):
        calls.append(1)
        raise NotImplementedError

    monkeypatch.setattr(backend, "lstm", fused)
    x = np.zeros((2, 4, 3), "float32")
    layer = keras.layers.LSTM(4, recurrent_dropout=recurrent_dropout, seed=0)
    assert layer(x, training=True).shape == (2, 4)
    assert bool(calls) is tries_fused


# Monte Carlo dropout and BatchNormalization (reading 09) -----------------------------------------


class AlwaysOnDropout(keras.layers.Dropout):
    """The usual MC-dropout layer: dropout that ignores the `training` flag it is given."""

    def call(self, inputs, training=None):
        return super().call(inputs, training=True)


def shifted_rows(n: int = 64) -> np.ndarray:
    """Rows whose features have mean 5 and spread 3: far from a fresh BatchNormalization's
    moving statistics (mean 0, variance 1)."""
    return (np.random.default_rng(0).normal(size=(n, 4)) * 3 + 5).astype("float32")


def test_training_true_switches_batchnorm_to_the_batchs_statistics() -> None:
    x = shifted_rows()
    norm = keras.layers.BatchNormalization()
    model = keras.Sequential([keras.Input(shape=(4,)), norm])
    off = model(x, training=False).numpy()
    assert abs(off.mean() - 5.0) < 0.2  # moving statistics: mean 0, variance 1, so x itself
    on = model(x, training=True).numpy()
    assert np.allclose(on.mean(axis=0), 0.0, atol=1e-3)  # the batch's own statistics
    assert np.allclose(on.std(axis=0), 1.0, atol=1e-2)


def test_a_training_true_call_outside_fit_moves_batchnorms_moving_averages() -> None:
    """MC passes written as model(x, training=True) change the model they measure."""
    norm = keras.layers.BatchNormalization()
    model = keras.Sequential([keras.Input(shape=(4,)), norm])
    assert np.allclose(norm.moving_mean.numpy(), 0.0)
    model(shifted_rows(), training=True)
    assert np.all(norm.moving_mean.numpy() > 0.01)  # momentum 0.99: a step of 1% towards 5


def test_an_always_on_dropout_layer_stays_on_under_predict_while_batchnorm_does_not() -> None:
    x = shifted_rows()
    norm = keras.layers.BatchNormalization()
    model = keras.Sequential([keras.Input(shape=(4,)), norm, AlwaysOnDropout(0.5, seed=1)])
    first, second = (model.predict(x, verbose=0) for _ in range(2))
    assert not np.allclose(first, second)  # a new mask on every predict call
    assert 0.4 < (first == 0).mean() < 0.6
    assert np.allclose(norm.moving_mean.numpy(), 0.0)  # predict left the statistics alone
    kept = first != 0
    assert np.allclose(first[kept], 2 * x[kept] / np.sqrt(1 + norm.epsilon), rtol=1e-4)


def test_plain_dropout_is_off_under_predict() -> None:
    x = shifted_rows()
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dropout(0.5, seed=1)])
    assert np.array_equal(model.predict(x, verbose=0), x)
