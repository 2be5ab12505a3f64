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
