"""Dropout arithmetic, checked against keras.layers.Dropout itself."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dropout_lab.lesson import masks


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


@pytest.mark.parametrize("rate", [0.1, 0.3, 0.5, 0.75])
def test_matches_keras_dropout(rate: float) -> None:
    import keras

    x = np.ones((20, 500), "float32")  # 10,000 units
    ours = masks.inverted_dropout(x, rate, rng(0))
    ref = keras.layers.Dropout(rate, seed=1)(x, training=True).numpy()
    kept_value = np.float32(1.0 / (1.0 - rate))
    assert set(np.unique(ours)) == {0.0, kept_value}
    assert np.allclose(sorted(set(np.unique(ref))), [0.0, kept_value])
    # Dropped fractions agree within statistical tolerance (5 standard errors on 10,000 units).
    tol = 5 * math.sqrt(rate * (1 - rate) / x.size)
    assert abs((ours == 0).mean() - rate) < tol
    assert abs((ref == 0).mean() - rate) < tol
    assert abs(ours.mean() - 1.0) < 0.02
    assert abs(ref.mean() - 1.0) < 0.02
    # At inference Keras' layer is the identity, as is ours.
    assert np.array_equal(keras.layers.Dropout(rate)(x, training=False).numpy(), x)
    keep = masks.keep_mask(x.shape, rate, rng(1))
    assert np.array_equal(masks.apply_mask(x, keep, rate, form="inverted", training=False), x)


def test_rate_zero_drops_nothing_and_scales_by_one() -> None:
    x = masks.example_activations(64)
    assert np.array_equal(masks.inverted_dropout(x, 0.0, rng()), x)
    assert masks.scale_factor(0.0) == 1.0


@pytest.mark.parametrize(("rate", "scale"), [(0.5, 2.0), (0.75, 4.0), (0.9, 10.0), (0.3, 1 / 0.7)])
def test_scale_factor(rate: float, scale: float) -> None:
    assert masks.scale_factor(rate) == pytest.approx(scale)


@pytest.mark.parametrize("bad", [1.0, 1.5, -0.1, float("nan"), float("inf"), "0.3x", None, 1e308])
def test_rejects_rates_outside_unit_interval(bad) -> None:
    with pytest.raises(ValueError, match="rate must be"):
        masks.check_rate(bad)
    with pytest.raises(ValueError, match="rate must be"):
        masks.inverted_dropout(np.ones(4), bad, rng())


def test_kept_values_are_exactly_scaled_and_dropped_are_zero() -> None:
    x = masks.example_activations(64, seed=3)
    keep = masks.keep_mask(x.shape, 0.4, rng(5))
    out = masks.apply_mask(x, keep, 0.4, form="inverted", training=True)
    assert np.allclose(out[keep], x[keep] / 0.6)
    assert np.all(out[~keep] == 0)


@pytest.mark.parametrize("form", ["inverted", "original"])
def test_both_forms_have_the_same_expected_output_at_training_and_inference(form: str) -> None:
    x = masks.example_activations(64, seed=1)
    rate = 0.4
    conv = masks.convergence(x, rate, 20_000, rng(2), form=form)
    inference = masks.apply_mask(x, np.ones_like(x, bool), rate, form=form, training=False)
    # Training average → its expectation; the expectation equals what inference produces.
    assert np.allclose(conv.expected, inference)
    assert np.abs(conv.average - conv.expected).max() < 0.08
    if form == "original":
        assert np.allclose(inference, x * (1 - rate))
    else:
        assert np.array_equal(inference, x)


def test_convergence_error_shrinks_with_k() -> None:
    conv = masks.convergence(masks.example_activations(64), 0.5, 5000, rng())
    assert conv.ks[0] == 1 and conv.ks[-1] == 5000
    assert conv.mean_abs_error[-1] < conv.mean_abs_error[0] / 10


def test_convergence_refuses_absurd_mask_counts() -> None:
    with pytest.raises(ValueError, match="n_masks"):
        masks.convergence(np.ones(4), 0.3, 10**9, rng())


def test_subnetwork_count() -> None:
    assert masks.subnetwork_count_log10(10) == pytest.approx(math.log10(1024))
    assert masks.subnetwork_count_log10(768) == pytest.approx(231.19, abs=0.01)


def test_spatial_dropout_drops_whole_maps() -> None:
    maps = np.ones((50, 4, 4))
    out = masks.spatial_dropout(maps, 0.5, rng())
    per_map = out.reshape(50, -1)
    assert all(len(set(row)) == 1 for row in per_map)  # each map all-zero or all-scaled
    assert set(np.unique(out)) == {0.0, 2.0}


def test_dropblock_drops_contiguous_blocks_near_the_rate() -> None:
    fractions = [1 - masks.dropblock_mask(32, 0.3, 5, rng(s)).mean() for s in range(40)]
    assert 0.15 < np.mean(fractions) < 0.35  # overlapping blocks drop a bit less than `rate`
    assert masks.dropblock_mask(32, 0.0, 5, rng()).all()
    with pytest.raises(ValueError, match="block_size"):
        masks.dropblock_mask(8, 0.3, 9, rng())


def test_variational_masks_are_locked_across_time() -> None:
    locked = masks.time_masks(12, 30, 0.5, rng(), variational=True)
    assert (locked == locked[0]).all()
    fresh = masks.time_masks(12, 30, 0.5, rng(), variational=False)
    assert not (fresh == fresh[0]).all()


def test_alpha_dropout_keeps_mean_and_variance() -> None:
    x = rng(1).normal(0.0, 1.0, 200_000)
    out = masks.alpha_dropout(x, 0.3, rng(2))
    assert abs(out.mean()) < 0.02
    assert abs(out.std() - 1.0) < 0.02


def test_alpha_dropout_matches_keras_statistics() -> None:
    import keras

    x = rng(1).normal(0.0, 1.0, (200, 1000)).astype("float32")
    ref = keras.layers.AlphaDropout(0.3, seed=3)(x, training=True).numpy()
    ours = masks.alpha_dropout(x, 0.3, rng(4))
    assert abs(ref.mean() - ours.mean()) < 0.02
    assert abs(ref.std() - ours.std()) < 0.02


# --- The counter-based generator (its JavaScript twin is checked in tests/e2e) --------------


def test_counter_rng_is_pinned() -> None:
    """These numbers are the contract with rng.js: changing the hash changes both or neither."""
    from dropout_lab.lesson import rng as crng

    assert crng.stream_key(0, 0) == 363934122
    assert crng.bits(crng.stream_key(0, 0), 0, 4).tolist() == [
        494961060, 4238706692, 775075916, 3022474037,
    ]  # fmt: skip
    assert crng.mix32(np.array([0, 1, 2**32 - 1], np.uint32)).dtype == np.uint32


def test_counter_rng_draws_in_order_like_one_long_draw() -> None:
    from dropout_lab.lesson.rng import CounterRNG, uniform

    a = CounterRNG(5, 2)
    parts = np.concatenate([a.random((3, 4)).ravel(), a.random(7), a.random((2, 1, 3)).ravel()])
    assert np.array_equal(parts, uniform(CounterRNG(5, 2).key, 0, 25))
    assert a.random((0,)).shape == (0,) and a.random().shape == ()


def test_counter_rng_looks_uniform_and_streams_are_unrelated() -> None:
    from dropout_lab.lesson.rng import CounterRNG

    u = CounterRNG(0, 0).random(200_000)
    assert u.min() >= 0.0 and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 0.005 and abs(u.var() - 1 / 12) < 0.002
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 0.01
    others = [CounterRNG(1, 0).random(200_000), CounterRNG(0, 1).random(200_000)]
    for v in others:
        assert abs(np.corrcoef(u, v)[0, 1]) < 0.01
    z = CounterRNG(3, 3).normal(0.0, 1.0, 100_000)
    assert abs(z.mean()) < 0.02 and abs(z.std() - 1.0) < 0.02


@pytest.mark.parametrize("rate", [0.0, 0.1, 0.3, 0.5, 0.9])
def test_counter_rng_masks_drop_at_the_rate(rate: float) -> None:
    from dropout_lab.lesson.rng import CounterRNG

    keep = masks.keep_mask((100, 100), rate, CounterRNG(11, 0))
    assert abs((~keep).mean() - rate) < 5 * math.sqrt(max(rate * (1 - rate), 1e-12) / keep.size)
    if rate == 0.0:
        assert keep.all()


def test_counter_rng_refuses_seeds_out_of_range() -> None:
    from dropout_lab.lesson import rng as crng

    with pytest.raises(ValueError, match="seed"):
        crng.stream_key(-1, 0)
    with pytest.raises(ValueError, match="seed"):
        crng.stream_key(0, 2**32)


# --- Batches: one mask per example, or shared along the axes of `noise_shape` ---------------


def test_noise_mask_matches_keras_noise_shape() -> None:
    import keras

    x = np.ones((8, 16), "float32")
    default = keras.layers.Dropout(0.5, seed=1)(x, training=True).numpy()
    shared = keras.layers.Dropout(0.5, noise_shape=(1, 16), seed=1)(x, training=True).numpy()
    assert len({row.tobytes() for row in default}) > 1  # Keras: rows of one call differ
    assert (shared == shared[0]).all()  # noise_shape (1, units): one mask for the batch
    ours_default = masks.noise_mask((8, 16), (8, 16), 0.5, rng(0))
    ours_shared = masks.noise_mask((8, 16), (1, 16), 0.5, rng(0))
    assert len({row.tobytes() for row in ours_default}) > 1
    assert (ours_shared == ours_shared[0]).all()
    maps = np.ones((8, 4, 4), "float32")  # (batch, steps, channels)
    spatial = keras.layers.SpatialDropout1D(0.5, seed=1)(maps, training=True).numpy()
    assert (spatial == spatial[:, :1, :]).all()  # a channel is dropped at every step at once
    ours_spatial = masks.noise_mask((8, 4, 4), (8, 1, 4), 0.5, rng(0))
    assert (ours_spatial == ours_spatial[:, :1, :]).all()
    with pytest.raises(ValueError, match="broadcast"):
        masks.noise_mask((8, 16), (2, 16), 0.5, rng(0))


def test_the_batch_view_shows_the_three_sharings() -> None:
    from dropout_lab.lesson import explore

    b = explore.batch_masks(explore.Settings(rate=0.5, seed=3))
    assert {k: v.shape for k, v in b.items()} == {k: (8, 16) for k in b}
    assert len({row.tobytes() for row in b["per_example"]}) > 1
    assert (b["shared"] == b["shared"][0]).all()
    groups = b["spatial"].reshape(8, 4, 4)  # (example, channel, position)
    assert (groups == groups[:, :, :1]).all()  # whole channels
    assert len({row.tobytes() for row in b["spatial"]}) > 1  # per example
    at_inference = explore.batch_masks(explore.Settings(rate=0.5, training=False))
    assert all(v.all() for v in at_inference.values())
