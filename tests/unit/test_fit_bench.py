"""`dropout-lab bench --only fit`: `model.fit`, set up as the bench sets it up, reproduces the
trainer's loop (the comparison trainer.py's docstring gives as the reason the loop stays), and
with Keras' own Adam it does not (why the app and the exported script use FusedAdam)."""

from __future__ import annotations

from tests.bench.fit_bench import run_fit_bench


def test_fit_reproduces_the_loop_and_keras_own_adam_drifts() -> None:
    figures = run_fit_bench(repeats=1, epochs=12)
    assert figures["max_history_difference"] <= 1e-6  # every epoch, all four figures
    loop_epochs, fit_epochs = figures["early_stopping_epochs"]
    assert loop_epochs == fit_epochs < 12  # early stopping ends both at the same epoch
    assert figures["early_stopping_max_difference"] <= 1e-6
    assert figures["keras_adam_max_difference"] > 1e-4  # past the drift's start (epoch 3)
    for key in ("loop_ms_per_epoch", "fit_ms_per_epoch", "fit_spe1_ms_per_epoch"):
        assert figures[key] > 0, key  # figures, not goals: `dropout-lab bench` prints them
