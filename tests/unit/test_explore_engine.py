"""The Explore step's engine: deep-link parsing, the numbers of a layer, and the variants' figures
that plotly accepts."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from dropout_lab.charts import explore as pictures
from dropout_lab.lesson import explore, variants


@pytest.mark.parametrize(
    ("raw", "rate", "warns"),
    [
        (None, 0.3, False), ("", 0.3, False), ("0.5", 0.5, False), ("0.9", 0.9, False),
        ("0", 0.0, False), ("0.33", 0.35, False), ("abc", 0.3, True), ("1", 0.3, True),
        ("-0.2", 0.3, True), ("nan", 0.3, True), ("1e400", 0.3, True), ("0.95", 0.3, True),
    ],
)  # fmt: skip
def test_parse_rate_from_deep_link(raw, rate, warns) -> None:
    value, problem = explore.parse_rate(raw)
    assert value == pytest.approx(rate)
    assert (problem is not None) == warns


@pytest.mark.parametrize("rate", [0.0, 0.3, 0.9])
def test_every_figure_passes_plotly_validation(rate) -> None:
    s = explore.Settings(rate=rate)
    for fig in pictures.variant_figures(s).values():
        go.Figure(fig.to_dict())  # full validation: raises on an invalid property


def test_layer_view_numbers() -> None:
    v = explore.layer_view(explore.Settings(rate=0.5, seed=4))
    assert v.scale == 2.0
    assert v.dropped_fraction == pytest.approx(1 - v.keep.mean())
    assert np.allclose(v.output[v.keep], v.activations[v.keep] * 2)
    infer = explore.layer_view(explore.Settings(rate=0.5, seed=4, training=False))
    assert infer.scale == 1.0 and infer.dropped_fraction == 0.0
    assert np.array_equal(infer.output, infer.activations)
    original = explore.layer_view(explore.Settings(rate=0.5, training=False, form="original"))
    assert original.scale == 0.5
    assert np.allclose(original.output, original.activations * 0.5)


def test_the_network_pictures_spread_a_dozen_units_over_each_big_layer() -> None:
    picks = explore.network_picks()
    assert [len(p) for p in picks] == [10, 12, 12, 12, 1]  # input all 10, hidden 12 of 256
    ends = [(p[0], p[-1]) for p in picks]
    assert ends == [(0, n - 1) for n in explore.LESSON_LAYERS]  # the first and last unit drawn


def test_same_seed_same_mask_new_seed_new_mask() -> None:
    a = explore.layer_view(explore.Settings(rate=0.5, seed=7)).keep
    b = explore.layer_view(explore.Settings(rate=0.5, seed=7)).keep
    c = explore.layer_view(explore.Settings(rate=0.5, seed=8)).keep
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_content_has_every_caption() -> None:
    text = explore.content()
    names = [v.name for v in variants.TABLE]
    assert list(pictures.variant_figures(explore.Settings())) == names
    assert set(text["variants"]["captions"]) == set(names)
    assert set(names) <= set(text["variants"]["titles"])
    for key in ("training_inverted", "training_original", "inference_inverted"):
        assert text["layer"][key]


@pytest.mark.parametrize("rate", [0.0, 0.3, 0.5, 0.9])
def test_forms_table_expected_training_output_equals_inference(rate: float) -> None:
    for row in explore.forms_table(rate):
        assert row["training: expected output"] == row["inference: output"]
    inverted, original = explore.forms_table(rate)
    assert float(inverted["training: kept unit becomes"]) == pytest.approx(1 / (1 - rate), 1e-3)
    assert float(original["inference: output"]) == pytest.approx(1 - rate, 1e-3)


def test_markdown_table() -> None:
    from dropout_lab.lesson.content import markdown_table

    table = markdown_table(explore.forms_table(0.5))
    lines = table.splitlines()
    assert lines[0].startswith("| form |") and lines[1].count("---") == 4
    assert "| Inverted (Keras) | 2 | 1 | 1 |" in lines
    assert markdown_table([]) == ""


@pytest.mark.parametrize(
    ("raw", "seed"),
    [(None, 0), ("", 0), ("7", 7), ("-1", 0), ("abc", 0), ("²", 0), ("9" * 5000, 0),
     ("2147483647", 2147483647), ("2147483648", 0)],
)  # fmt: skip
def test_parse_seed_from_deep_link(raw, seed) -> None:
    assert explore.parse_seed(raw) == seed


@pytest.mark.parametrize(("rate", "seed"), [(0.5, 0), (0.3, 7), (0.8, 123)])
def test_the_unscaled_numbers_match_numpy(rate: float, seed: int) -> None:
    """CS231n's "what if you do not divide by 1 - p?" on the page's layer: without the scaling
    the next layer's input averages (1 - p) * x in training (E[x * mask] = (1 - p) x), with it x,
    and x at test time; the mask is the live view's, read off the same counter stream."""
    from dropout_lab.lesson import rng

    u = explore.unscaled(rate, seed)
    x = explore.example_layer()
    keep = rng.keep_bits(seed, explore.STREAMS["layer"], rate, x.size)  # the live view's mask
    assert u.test == pytest.approx(np.mean(x))
    assert u.mask_plain == pytest.approx(np.mean(np.where(keep, x, 0.0)))
    assert u.mask_scaled == pytest.approx(np.mean(np.where(keep, x / (1 - rate), 0.0)))
    assert u.expected_plain == pytest.approx((1 - rate) * np.mean(x))
    assert u.expected_scaled == pytest.approx(np.mean(x))
    assert u.ratio == pytest.approx(1 / (1 - rate)) and u.outcome == "larger"
    # The average over masks is a sample: within four standard errors of the expectation,
    # and so is NumPy's own generator's.
    k = u.masks
    error = np.sqrt(rate * (1 - rate) * np.sum(x**2)) / x.size / np.sqrt(k)
    numpy_masks = np.random.default_rng(seed).random((k, x.size)) >= rate
    numpy_average = float((numpy_masks * x).mean())
    for average in (u.average_plain, numpy_average):
        assert abs(average - (1 - rate) * np.mean(x)) < 4 * error
    assert u.average_scaled == pytest.approx(u.average_plain / (1 - rate))
    assert abs(u.average_scaled - np.mean(x)) < 4 * error / (1 - rate)


def test_without_dropping_nothing_changes_and_bad_input_is_refused() -> None:
    u = explore.unscaled(0.0)
    assert u.outcome == "same" and u.ratio == pytest.approx(1.0)
    assert u.mask_plain == pytest.approx(u.test) and u.average_plain == pytest.approx(u.test)
    with pytest.raises(ValueError):
        explore.unscaled(1.0)
    with pytest.raises(ValueError):
        explore.unscaled(0.5, n_masks=0)
