"""Monte Carlo dropout against Keras itself: the same passes as `model(x, training=True)`."""

from __future__ import annotations

import keras
import numpy as np
import plotly.graph_objects as go
import pytest

from dropout_lab.charts import mc as mc_charts
from dropout_lab.findings import mc_stats
from dropout_lab.lesson.spec import LayerSpec, ModelSpec, lesson_spec
from dropout_lab.lesson.traffic import load_lesson_data
from dropout_lab.training import mc
from dropout_lab.training.models import build_model

DATA = load_lesson_data(0)


@pytest.fixture(scope="module")
def dropout_model():
    return build_model(lesson_spec(0.3), 0)


@pytest.fixture(scope="module")
def plain_model():
    return build_model(lesson_spec(0.0), 0)


def keras_reference(model, x: np.ndarray, passes: int, seed: int) -> np.ndarray:
    """The passes computed directly with Keras: seed the layers, one training=True call."""
    for i, layer in enumerate(model.layers):
        if isinstance(layer, keras.layers.Dropout):
            layer.seed_generator.state.assign(np.array([mc.noise_seed(seed, i), 0], "int64"))
    out = model(np.tile(x, (passes, 1)), training=True)
    return np.asarray(out, dtype=np.float64).reshape(passes, x.shape[0])


def test_passes_equal_keras_training_true(dropout_model) -> None:
    x = DATA.x_val[:7]
    ours = mc.mc_predict(dropout_model, x, 40, seed=5)
    ref = keras_reference(dropout_model, x, 40, seed=5)
    assert ours.shape == (40, 7)
    np.testing.assert_array_equal(ours, ref)
    assert (ours.std(axis=0) > 0).all()  # dropout on: the passes differ


def test_statistics_equal_those_of_the_keras_passes(dropout_model) -> None:
    x = DATA.x_val[:50]
    det = np.asarray(dropout_model(x, training=False), np.float64)[:, 0]
    ref = keras_reference(dropout_model, x, 100, seed=3)
    stats = mc_stats.set_stats(mc.mc_predict(dropout_model, x, 100, 3), det, DATA.y_val[:50])
    np.testing.assert_allclose(stats.mean, ref.mean(axis=0))
    np.testing.assert_allclose(stats.std, ref.std(axis=0))
    np.testing.assert_allclose(stats.flip_rate, ((ref > 0.5) != (det > 0.5)).mean(axis=0))
    np.testing.assert_allclose(stats.deterministic, mc.deterministic_predict(dropout_model, x))
    one = mc_stats.packet_stats(mc.mc_predict(dropout_model, x[:1], 100, 3)[:, 0], det[0])
    ref1 = keras_reference(dropout_model, x[:1], 100, seed=3)[:, 0]
    assert one.mean == pytest.approx(ref1.mean()) and one.std == pytest.approx(ref1.std())
    assert one.flip_rate == pytest.approx(np.mean((ref1 > 0.5) != (det[0] > 0.5)))


def test_same_seed_same_passes_other_seed_other_passes(dropout_model) -> None:
    x = DATA.x_val[:3]
    a = mc.mc_predict(dropout_model, x, 20, 1)
    np.testing.assert_array_equal(a, mc.mc_predict(dropout_model, x, 20, 1))
    assert not np.array_equal(a, mc.mc_predict(dropout_model, x, 20, 2))


def test_without_dropout_every_pass_is_identical(plain_model) -> None:
    x = DATA.x_val[:10]
    probs = mc.mc_predict(plain_model, x, 30, 0)
    det = mc.deterministic_predict(plain_model, x)
    assert (probs == probs[0]).all()
    np.testing.assert_allclose(probs[0], det, rtol=1e-6)
    stats = mc_stats.packet_stats(probs[:, 0], det[0])
    assert stats.std == 0.0 and stats.flip_rate == 0.0
    assert not mc.has_dropout(plain_model) and mc.noise_layers(plain_model) == []
    # And Keras agrees: with no dropout layer, training=True changes nothing (up to rounding).
    direct = np.asarray(plain_model(np.tile(x, (30, 1)), training=True), np.float64)
    np.testing.assert_allclose(direct.reshape(30, 10), probs, rtol=1e-5, atol=1e-7)


def test_the_dropout_model_dropout_off_is_deterministic(dropout_model) -> None:
    x = DATA.x_val[:10]
    a, b = mc.deterministic_predict(dropout_model, x), mc.deterministic_predict(dropout_model, x)
    np.testing.assert_array_equal(a, b)
    assert mc.has_dropout(dropout_model)


def test_chunked_passes_are_reproducible(dropout_model, monkeypatch) -> None:
    monkeypatch.setattr(mc, "MAX_ROWS_PER_CALL", 40)  # 10 connections: 4 passes per call
    x = DATA.x_val[:10]
    probs = mc.mc_predict(dropout_model, x, 10, 7)
    assert probs.shape == (10, 10)
    np.testing.assert_array_equal(probs, mc.mc_predict(dropout_model, x, 10, 7))
    np.testing.assert_array_equal(probs[:4], keras_reference(dropout_model, x, 4, 7))
    assert len({tuple(row) for row in probs}) == 10  # every chunk drew new masks


@pytest.mark.parametrize("per_call", [mc.MAX_ROWS_PER_CALL, 40])  # 40: 4 passes per call
def test_fewer_passes_are_the_first_of_more(dropout_model, monkeypatch, per_call) -> None:
    """Reflect computes its most passes once and takes the first k for a section that uses
    k: the same masks as asking for k passes, whole calls or split into chunks (a row's value
    may differ by float32 rounding, its place in a bigger batch: 3e-8 seen)."""
    monkeypatch.setattr(mc, "MAX_ROWS_PER_CALL", per_call)
    x = DATA.x_val[:10]
    many = mc.mc_predict(dropout_model, x, 13, 3)
    for k in (1, 4, 6, 13):
        np.testing.assert_allclose(mc.mc_predict(dropout_model, x, k, 3), many[:k], atol=1e-6)


@pytest.mark.parametrize("model", ["dropout_model", "plain_model"])
def test_predictions_and_logits_at_once_are_those_asked_apart(request, model) -> None:
    net = request.getfixturevalue(model)
    x = DATA.x_val[:25]
    probs, logits = mc.mc_predict_and_logits(net, x, 12, 9)
    np.testing.assert_array_equal(probs, mc.mc_predict(net, x, 12, 9))
    np.testing.assert_array_equal(logits, mc.mc_logits(net, x, 12, 9))
    np.testing.assert_allclose(probs, 1 / (1 + np.exp(-logits)), rtol=1e-6)


def test_batch_norm_stays_in_inference_mode() -> None:
    spec = ModelSpec(10, (LayerSpec("Dense", units=16, activation="relu"),
                          LayerSpec("BatchNormalization"), LayerSpec("Dropout", rate=0.5),
                          LayerSpec("Dense", units=1, activation="sigmoid")))  # fmt: skip
    model = build_model(spec, 0)
    bn = model.layers[1]
    before = bn.moving_mean.numpy()
    probs = mc.mc_predict(model, DATA.x_val[:5], 50, 0)
    np.testing.assert_array_equal(bn.moving_mean.numpy(), before)
    assert probs.std(axis=0).max() > 0


@pytest.mark.parametrize("passes", [0, -1, mc.MAX_PASSES + 1, 2.5, True])
def test_bad_passes_are_refused(dropout_model, passes) -> None:
    with pytest.raises(ValueError, match="passes"):
        mc.mc_predict(dropout_model, DATA.x_val[:1], passes, 0)


def test_bad_x_is_refused(dropout_model) -> None:
    with pytest.raises(ValueError, match="2-D"):
        mc.mc_predict(dropout_model, DATA.x_val[0], 10, 0)


def test_packet_stats_by_hand() -> None:
    stats = mc_stats.packet_stats(np.array([0.2, 0.6, 0.7, 0.9]), deterministic=0.4)
    assert stats.mean == pytest.approx(0.6)
    assert stats.std == pytest.approx(np.std([0.2, 0.6, 0.7, 0.9]))
    assert stats.flip_rate == pytest.approx(0.75)  # three passes alert, dropout off does not
    assert stats.malicious_share == pytest.approx(0.75)
    assert stats.deterministic_class == 0 and stats.mc_class == 1 and stats.passes == 4


def test_rejection_curve_by_hand() -> None:
    uncertainty = np.array([0.1, 0.9, 0.2, 0.8])
    correct = np.array([True, False, True, True])
    curve = mc_stats.rejection_curve(uncertainty, correct, [0.25, 0.5, 0.75, 1.0])
    np.testing.assert_allclose(curve, [1.0, 1.0, 1.0, 0.75])
    flat = mc_stats.rejection_curve(np.zeros(4), correct, [0.25, 0.5, 1.0])  # no ranking: in order
    np.testing.assert_allclose(flat, [1.0, 0.5, 0.75])
    with pytest.raises(ValueError):
        mc_stats.rejection_curve(uncertainty, correct, [0.0])


def test_most_uncertain_connection() -> None:
    probs = np.array([[0.1, 0.5, 0.9], [0.1, 0.9, 0.9], [0.1, 0.1, 0.9]])
    stats = mc_stats.set_stats(probs, np.array([0.1, 0.5, 0.9]), np.array([0, 0, 1]))
    assert stats.most_uncertain() == 1
    assert stats.mc_correct.tolist() == [True, True, True]


def test_raw_features_undo_the_preprocessing() -> None:
    raw = mc_stats.raw_features(DATA, DATA.x_train[:20])
    np.testing.assert_allclose(raw, DATA.raw_train[:20], rtol=1e-4, atol=1e-3)


def test_figures_are_valid_plotly(dropout_model, plain_model) -> None:
    x = DATA.x_val[:200]
    probs = mc.mc_predict(dropout_model, x, 30, 0)
    det = mc.deterministic_predict(dropout_model, x)
    main = mc_stats.packet_stats(probs[:, 0], det[0])
    plain = mc_stats.packet_stats(mc.mc_predict(plain_model, x[:1], 30, 0)[:, 0], 0.3)
    for fig in (
        mc_charts.packet_figure(main, plain, ("dropout on", "no dropout")),
        mc_charts.packet_figure(main, None, ("dropout on", "")),
        mc_charts.uncertainty_figure(mc_stats.set_stats(probs, det, DATA.y_val[:200])),
    ):
        go.Figure(fig.to_plotly_json())  # validates every property


def test_bench_reports_its_figures() -> None:
    from tests.bench.reflect_bench import bench_summary, run_reflect_bench

    result = run_reflect_bench(passes=10, repeats=1, whole_set_repeats=1)
    assert result["passes"] == 10 and result["whole_set_connections"] == DATA.n_val
    assert result["packet_seconds"] > 0 and result["whole_set_seconds"] > 0  # figures, not goals
    assert "MC dropout" in bench_summary(result)
