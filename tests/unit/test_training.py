"""The training engine: reproducible, Keras-faithful, stoppable, and the lesson's overfitting."""

from __future__ import annotations

import json
import threading

import keras
import numpy as np
import pytest
import tensorflow as tf

from dropout_lab.lesson.spec import MAX_EPOCHS, TrainConfig, lesson_spec, run_key
from dropout_lab.lesson.traffic import load_lesson_data
from dropout_lab.training import trainer as training
from dropout_lab.training.models import build_model, model_from_run
from dropout_lab.training.trainer import (
    HISTORY_KEYS,
    RunResult,
    train,
    train_cli_payload,
)
from tests.helpers import fresh_python

DROPOUT = lesson_spec(0.3)
PLAIN = lesson_spec(0.0)


@pytest.fixture(scope="module")
def data():
    return load_lesson_data(0)


@pytest.fixture(scope="module")
def lesson_pair() -> tuple[RunResult, RunResult]:
    """The lesson's two 50-epoch runs with the default config."""
    return train(PLAIN, TrainConfig()), train(DROPOUT, TrainConfig())


def test_result_shape(lesson_pair) -> None:
    run = lesson_pair[1]
    config = TrainConfig()
    assert run.key == run_key(DROPOUT, config) and run.spec == DROPOUT and run.config == config
    assert set(run.history) == set(HISTORY_KEYS)
    assert all(len(v) == 50 for v in run.history.values())
    assert all(type(x) is float for v in run.history.values() for x in v)
    assert run.epochs_done == 50 and not run.stopped and not run.early_stopped
    assert run.best_epoch == int(np.argmin(run.history["val_loss"])) + 1
    assert (run.n_train, run.n_val) == (1000, 2000)
    assert run.train_seconds > 0
    assert [w.shape for w in run.weights] == [w.shape for w in build_model(DROPOUT, 0).weights]


def test_lesson_overfits_and_dropout_helps(lesson_pair) -> None:
    plain, dropped = (run.history for run in lesson_pair)
    assert plain["accuracy"][-1] >= 0.98  # memorises the training set, label noise included
    assert plain["val_loss"][-1] >= 1.5 * min(plain["val_loss"])  # ... and it shows on validation
    assert dropped["val_loss"][-1] <= 0.7 * plain["val_loss"][-1]  # dropout: ≥30% lower val loss
    assert dropped["val_accuracy"][-1] >= plain["val_accuracy"][-1]


def test_same_seed_same_history_different_seed_differs() -> None:
    a = train(DROPOUT, TrainConfig(epochs=4, seed=11))
    b = train(DROPOUT, TrainConfig(epochs=4, seed=11))  # a reused, reset trainer
    assert a.history == b.history  # bit-identical floats
    for wa, wb in zip(a.weights, b.weights, strict=True):
        np.testing.assert_array_equal(wa, wb)
    c = train(DROPOUT, TrainConfig(epochs=4, seed=12))
    assert c.history["loss"] != a.history["loss"]


def test_same_history_in_a_fresh_process_and_in_concurrent_threads() -> None:
    config = TrainConfig(epochs=3, seed=5)
    here = train(DROPOUT, config).history
    code = (
        "import json\n"
        "from dropout_lab.lesson.spec import TrainConfig, lesson_spec\n"
        "from dropout_lab.training.trainer import train\n"
        "run = train(lesson_spec(0.3), TrainConfig(epochs=3, seed=5))\n"
        "print(json.dumps(run.history))"
    )
    assert fresh_python(code) == here

    results: list[dict] = []
    threads = [
        threading.Thread(target=lambda: results.append(train(DROPOUT, config).history))
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [here, here]


def test_metrics_follow_keras_fit_semantics(data) -> None:
    """One epoch of our loop equals one epoch of `model.fit` (same order, no shuffle)."""
    seed = 4
    ref = (
        build_model(PLAIN, seed)
        .fit(
            data.x_train,
            data.y_train,
            validation_data=(data.x_val, data.y_val),
            epochs=1,
            batch_size=32,
            shuffle=False,
            verbose=0,
        )
        .history
    )
    trainer = training._Trainer(PLAIN, 1000, 2000, 32)
    trainer.reset(seed)
    tensors = [tf.constant(a) for a in (data.x_train, data.y_train, data.x_val, data.y_val)]
    perm = tf.constant(np.arange(1000, dtype=np.int32))
    ours = trainer.epoch_fn(tensors[0], tensors[1], perm, tensors[2], tensors[3]).numpy()
    theirs = [ref[k][0] for k in HISTORY_KEYS]
    np.testing.assert_allclose(ours[[0, 2]], [theirs[0], theirs[2]], rtol=1e-4)
    np.testing.assert_allclose(ours[[1, 3]], [theirs[1], theirs[3]], atol=2e-3)


def test_should_stop_keeps_the_epochs_done() -> None:
    seen: list[int] = []
    run = train(DROPOUT, TrainConfig(epochs=10), should_stop=lambda: len(seen) >= 3,
                on_epoch=lambda e, logs: seen.append(e))  # fmt: skip
    assert run.stopped and run.epochs_done == 3 and seen == [1, 2, 3]
    assert all(len(v) == 3 for v in run.history.values())


def test_on_epoch_once_per_epoch_with_the_four_keys() -> None:
    calls: list[tuple[int, dict]] = []
    run = train(PLAIN, TrainConfig(epochs=4, seed=2), on_epoch=lambda e, g: calls.append((e, g)))
    assert [e for e, _ in calls] == [1, 2, 3, 4]
    for e, logs in calls:
        assert set(logs) == set(HISTORY_KEYS)
        assert all(isinstance(v, float) for v in logs.values())
        assert logs == {k: run.history[k][e - 1] for k in HISTORY_KEYS}


def test_early_stopping_restores_the_best_weights(data) -> None:
    patience = 3
    run = train(PLAIN, TrainConfig(epochs=80, early_stopping_patience=patience))
    assert run.early_stopped and not run.stopped
    assert run.epochs_done < 80 and run.best_epoch == run.epochs_done - patience
    model = model_from_run(run)
    val_loss = model.evaluate(data.x_val, data.y_val, batch_size=len(data.x_val), verbose=0)[0]
    assert val_loss == pytest.approx(min(run.history["val_loss"]), rel=1e-5)


def test_early_stopping_without_any_improvement_restores_the_first_epoch() -> None:
    """A val_loss that is NaN from the start: like Keras, the first epoch's weights come back."""
    variables = [keras.Variable(np.zeros(2, "float32"))]
    early = training._EarlyStopping(2, variables)
    for epoch in (1, 2):
        early.update(float("nan"))
        variables[0].assign(np.full(2, epoch, "float32"))  # the next epoch's step
        fired = early.fires(epoch)
    assert fired and variables[0].numpy().tolist() == [0.0, 0.0]


def test_epochs_are_capped() -> None:
    with pytest.raises(ValueError, match="epochs"):
        train(PLAIN, TrainConfig(epochs=MAX_EPOCHS + 1))
    with pytest.raises(ValueError):
        train(PLAIN, TrainConfig(epochs=0))


def test_model_from_run_reproduces_predictions(lesson_pair, data) -> None:
    run = lesson_pair[1]
    a, b = model_from_run(run), model_from_run(run)
    pa = a.predict(data.x_val, batch_size=2000, verbose=0)
    np.testing.assert_array_equal(pa, b.predict(data.x_val, batch_size=2000, verbose=0))
    for w, saved in zip(a.get_weights(), run.weights, strict=True):
        np.testing.assert_array_equal(w, saved)
    val_loss = a.evaluate(data.x_val, data.y_val, batch_size=2000, verbose=0)[0]
    assert val_loss == pytest.approx(run.history["val_loss"][-1], rel=1e-5)


def test_dropout_layers_are_keras_own_and_off_at_inference(lesson_pair, data) -> None:
    model = model_from_run(lesson_pair[1])
    drops = [layer for layer in model.layers if isinstance(layer, keras.layers.Dropout)]
    assert len(drops) == 3 and all(d.rate == 0.3 and d.seed is not None for d in drops)
    x = data.x_val[:200]
    off1, off2 = model(x, training=False).numpy(), model(x, training=False).numpy()
    np.testing.assert_array_equal(off1, off2)
    np.testing.assert_allclose(off1, model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    assert not np.allclose(off1, model(x, training=True).numpy())  # MC dropout samples differ


def test_build_model_seeds_everything() -> None:
    a, b = build_model(DROPOUT, 3), build_model(DROPOUT, 3)
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)
    c = build_model(DROPOUT, 4)
    assert not np.array_equal(a.get_weights()[0], c.get_weights()[0])
    seeds = [layer.seed for layer in a.layers if isinstance(layer, keras.layers.Dropout)]
    assert len(set(seeds)) == 3  # a distinct stream per layer


def test_cli_payload(lesson_pair) -> None:
    payload = train_cli_payload(lesson_pair[0])
    assert json.loads(json.dumps(payload)) == payload
    assert set(payload) == {"history", "train_seconds", "n_train", "n_val"}
    assert set(payload["history"]) == set(HISTORY_KEYS)
    assert payload["n_train"] == 1000 and payload["n_val"] == 2000


def test_l2_penalty_counts_in_the_losses_like_keras(data) -> None:
    run = train(lesson_spec(0.3, l2=1e-3), TrainConfig(epochs=2))
    model = model_from_run(run)
    assert isinstance(model.layers[0].kernel_regularizer, keras.regularizers.L2)
    val_loss = model.evaluate(data.x_val, data.y_val, batch_size=2000, verbose=0)[0]
    assert val_loss == pytest.approx(run.history["val_loss"][-1], rel=1e-5)


# --------------------------------------------------------------------------- the compute budget


def dense_spec(n: int, units: int, *, bn: bool = False):
    from dropout_lab.lesson.spec import LayerSpec, ModelSpec

    layers = []
    for _ in range(n):
        layers.append(LayerSpec("Dense", units=units, activation="relu"))
        if bn:
            layers.append(LayerSpec("BatchNormalization"))
    return ModelSpec(10, (*layers, LayerSpec("Dense", units=1, activation="sigmoid")))


@pytest.mark.parametrize("spec", [DROPOUT, dense_spec(2, 64, bn=True), dense_spec(1, 7)])
def test_the_budget_counts_parameters_as_keras_does(spec) -> None:
    from dropout_lab.lesson.budget import count_params

    assert count_params(spec) == build_model(spec, 0).count_params()


def test_the_default_budget_refuses_the_largest_model_and_keeps_the_lesson() -> None:
    from dropout_lab.lesson.budget import DEFAULT_BUDGET_SECONDS, estimate_seconds, over_budget

    huge = dense_spec(11, 2048)
    assert over_budget(huge, TrainConfig(epochs=MAX_EPOCHS), DEFAULT_BUDGET_SECONDS) is not None
    assert over_budget(DROPOUT, TrainConfig(epochs=MAX_EPOCHS), DEFAULT_BUDGET_SECONDS) is None
    # The estimate grows with epochs and with the model, and says what would fit.
    over = over_budget(huge, TrainConfig(epochs=50), 60.0)
    fits, fits_not = TrainConfig(epochs=over.epochs_that_fit), TrainConfig(
        epochs=over.epochs_that_fit + 1)  # fmt: skip
    assert estimate_seconds(huge, fits) <= 60.0 < estimate_seconds(huge, fits_not)
    assert estimate_seconds(DROPOUT, TrainConfig(epochs=10)) < estimate_seconds(
        DROPOUT, TrainConfig(epochs=20)) < estimate_seconds(dense_spec(3, 512), TrainConfig(
            epochs=20))  # fmt: skip


def test_over_the_budget_the_verdict_says_so_and_train_refuses(tmp_path) -> None:
    import subprocess
    import sys

    from dropout_lab.codelab.reader import verdict

    lines = ["import keras", "model = keras.Sequential([", "    keras.Input(shape=(10,)),"]
    lines += ["    keras.layers.Dense(2048, activation='relu'),"] * 11
    lines += ["    keras.layers.Dense(1, activation='sigmoid'),", "])",
              "model.compile(optimizer='adam', loss='binary_crossentropy')"]  # fmt: skip
    code = tmp_path / "big.py"
    code.write_text("\n".join(lines) + "\n")
    out = verdict(code.read_text())
    assert out["ok"] is False
    message = out["errors"][-1]["message"]
    assert "would take about" in message and "this lesson allows 60 s" in message
    assert "fewer or narrower layers" in message
    cli = subprocess.run([sys.executable, "-m", "dropout_lab.cli", "train", "--code", str(code)],
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert cli.returncode == 2 and cli.stdout == ""
    assert len(cli.stderr.strip().splitlines()) == 1 and "would take about" in cli.stderr


def test_the_lesson_file_sets_the_budget() -> None:
    from dropout_lab.lesson import lesson_config

    assert lesson_config.parse({"build": {"budget_seconds": 20}}).budget_seconds == 20.0
    assert lesson_config.LessonConfig().budget_seconds == 60.0
    with pytest.raises(lesson_config.LessonConfigError, match="budget_seconds"):
        lesson_config.parse({"build": {"budget_seconds": 0}})
