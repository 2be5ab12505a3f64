"""Exports: the CSV, and a script and a notebook that really run and reproduce the app's run."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import subprocess
import sys

import nbformat
import numpy as np
import pytest

from dropout_lab.export import files as export
from dropout_lab.export import pieces
from dropout_lab.lesson.spec import TrainConfig, lesson_spec
from dropout_lab.lesson.traffic import load_lesson_data

KEYS = ("loss", "accuracy", "val_loss", "val_accuracy")


def assert_same_history(ours: dict, theirs: dict) -> None:
    """The same number of epochs, and every figure of every epoch within the tolerance."""
    for k in KEYS:
        a, b = np.asarray(ours[k]), np.asarray(theirs[k])
        assert a.shape == b.shape, (k, a.shape, b.shape)
        worst = int(np.argmax(np.abs(a - b)))
        assert abs(a[worst] - b[worst]) <= export.HISTORY_TOLERANCE[k], (k, worst + 1, a, b)


def test_history_csv() -> None:
    history = {"loss": [0.5, 0.25], "accuracy": [0.7, 0.8], "val_loss": [0.6, 0.7],
               "val_accuracy": [0.65, 0.66], "auc": [0.7, 0.75]}  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(export.history_csv(history))))
    assert list(rows[0]) == ["epoch", "loss", "accuracy", "val_loss", "val_accuracy", "auc"]
    assert rows[1]["epoch"] == "2" and float(rows[1]["val_loss"]) == 0.7
    with pytest.raises(ValueError):
        export.history_csv({"loss": [1.0], "val_loss": []})
    with pytest.raises(ValueError):
        export.history_csv({})


def test_the_embedded_generator_makes_the_same_data() -> None:
    ns: dict = {"__name__": "dropout_lab_export"}
    exec(compile(export._generator_source(), "<generator>", "exec", dont_inherit=True), ns)
    copy, ours = ns["load_lesson_data"](1), load_lesson_data(1)
    for name in ("x_train", "y_train", "x_val", "y_val"):
        assert np.array_equal(getattr(copy, name), getattr(ours, name))


def test_script_layer_seeds_match_the_engine() -> None:
    from dropout_lab.training import models

    source = export.keras_script(lesson_spec(0.3), TrainConfig())
    start = source.index("def layer_seed")
    ns = {"np": np, "SEED": 7}
    exec(source[start : source.index("def build_model")], ns)
    assert [ns["layer_seed"](i) for i in range(7)] == [models.layer_seed(7, i) for i in range(7)]


def test_every_layer_kind_exports() -> None:
    from dropout_lab.lesson.spec import LayerSpec, ModelSpec

    spec = ModelSpec(10, (LayerSpec("GaussianNoise", stddev=0.1), LayerSpec("Dense", units=8,
                     activation="relu", l2=1e-4), LayerSpec("BatchNormalization"),
                     LayerSpec("AlphaDropout", rate=0.1), LayerSpec("Dense", units=1,
                     activation="sigmoid")), optimizer="sgd", learning_rate=0.01)  # fmt: skip
    source = export.keras_script(spec, TrainConfig(early_stopping_patience=3))
    compile(source, export.SCRIPT_NAME, "exec")
    for text in ("GaussianNoise(0.1, seed=layer_seed(0))", "L2(0.0001)", "BatchNormalization()",
                 "AlphaDropout(0.1, seed=layer_seed(3))", "SGD(learning_rate=0.01)",
                 "EarlyStopping("):  # fmt: skip
        assert text in source
    nbformat.validate(nbformat.reads(export.notebook(spec, TrainConfig()), as_version=4))


def _engine_history(spec, config) -> dict:
    from dropout_lab.training.trainer import train

    return train(spec, config).history


def test_the_script_runs_and_reproduces_the_run(tmp_path) -> None:
    """The script as downloaded (no options): all 50 epochs of a run with dropout and L2 are the
    app's. Keras' own Adam matched for two epochs and then drifted (0.38 in val_loss by the
    50th): rounding grows with the epochs, so only the whole run holds the promise."""
    spec, config = lesson_spec(0.3, l2=1e-3), TrainConfig(epochs=50, seed=1)
    path = tmp_path / export.SCRIPT_NAME
    path.write_text(export.keras_script(spec, config))
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    done = subprocess.run(
        [sys.executable, str(path), "--out", str(tmp_path), "--no-show"],
        capture_output=True, text=True, timeout=600, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    rows = list(csv.DictReader((tmp_path / "history.csv").open()))
    theirs = {k: [float(r[k]) for r in rows] for k in KEYS}
    assert (tmp_path / "curves.html").stat().st_size > 10_000
    assert len(rows) == config.epochs
    assert_same_history(_engine_history(spec, config), theirs)


def test_the_notebook_runs_top_to_bottom_and_reproduces_the_run() -> None:
    """The no-dropout run with early stopping, past the epochs where Keras' own Adam drifted:
    its lowest val_loss comes at epoch 2, so patience 8 ends both at epoch 10."""
    import nbclient

    spec, config = lesson_spec(0.0), TrainConfig(epochs=50, early_stopping_patience=8)
    nb = nbformat.reads(export.notebook(spec, config), as_version=4)
    nbformat.validate(nb)
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assert "EPOCHS = 50" in params.source and "PATIENCE = 8" in params.source
    params.source = params.source.replace("EPOCHS = 50", "EPOCHS = 20")
    nb.cells.append(nbformat.v4.new_code_cell("import json\nprint(json.dumps(history))"))
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3")
    client.execute()
    theirs = json.loads(nb.cells[-1].outputs[0]["text"])
    plot = nb.cells[-2].outputs
    assert any("application/vnd.plotly.v1+json" in o.get("data", {}) for o in plot)
    ours = _engine_history(spec, TrainConfig(epochs=20, early_stopping_patience=8))
    assert 10 <= len(ours["loss"]) < 20  # early stopping ended both runs, at the same epoch
    assert_same_history(ours, theirs)


def test_the_exports_apply_adam_as_the_app_does() -> None:
    """The script's FusedAdam is the app's class, character for character, and it is used
    exactly for the optimizers the app applies fused; the others are Keras' own classes."""
    import inspect

    from dropout_lab.lesson.layers import OPTIMIZERS
    from dropout_lab.training import fused_adam
    from dropout_lab.training.models import build_model

    assert inspect.getsource(fused_adam.FusedAdam) == pieces.FUSED_ADAM_CODE
    for name, kind in OPTIMIZERS.items():
        spec = dataclasses.replace(lesson_spec(0.0), optimizer=name, learning_rate=0.01)
        applied = build_model(spec, 0).optimizer
        assert isinstance(applied, fused_adam.FusedAdam) == kind.fused, name  # the app's
        script = export.keras_script(spec, TrainConfig())
        nb = export.notebook(spec, TrainConfig())
        if kind.fused:
            assert "optimizer=FusedAdam(learning_rate=0.01)," in script, name
            assert pieces.FUSED_ADAM_CODE.strip() in script and "FusedAdam(" in nb
        else:
            assert f"optimizer=keras.optimizers.{kind.keras_class}(learning_rate=0.01)," in script
            assert "FusedAdam" not in script and "FusedAdam" not in nb, name


def test_each_run_downloads_under_its_own_name() -> None:
    """Compare's downloads say which run they are: its label, its dropout rates and its seed."""
    plain, dropout = lesson_spec(0.0), lesson_spec(0.3)
    runs = [("No dropout", plain, TrainConfig(seed=0)), ("Dropout(0.3)", dropout, TrainConfig()),
            ("Your model", dropout, TrainConfig(seed=7)),
            ("Dropout(0.3) + L2(1e-3)", lesson_spec(0.3, l2=1e-3), TrainConfig())]  # fmt: skip
    names = [export.download_names(label, spec, config) for label, spec, config in runs]
    for kind in ("csv", "script", "notebook"):
        assert len({n[kind] for n in names}) == len(runs), kind  # never one name for two runs
    assert names[0]["script"] == "dropout_lab_no_dropout_rate0_seed0.py"
    assert names[2]["notebook"] == "dropout_lab_your_model_rate0.3_seed7.ipynb"
    assert names[1]["csv"] == "dropout_lab_dropout_0_3_rate0.3_seed0_history.csv"
    for n in names:
        assert all(c.isalnum() or c in "._-" for c in "".join(n.values())), n
    script = export.keras_script(dropout, TrainConfig(), names[1]["script"])
    assert f"python {names[1]['script']}" in script  # its usage line names the file it is
