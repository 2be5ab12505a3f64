"""Exports: the CSV, and a script and a notebook that really run and reproduce the app's run."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import nbformat
import numpy as np
import pytest

from dropout_lab.export import files as export
from dropout_lab.lesson.spec import TrainConfig, lesson_spec
from dropout_lab.lesson.traffic import load_lesson_data

KEYS = ("loss", "accuracy", "val_loss", "val_accuracy")
EPOCHS = 5  # short runs: float rounding differences grow with the epochs (see export.py)


def assert_same_history(ours: dict, theirs: dict) -> None:
    for k in KEYS:
        a, b = np.asarray(ours[k]), np.asarray(theirs[k])
        assert a.shape == b.shape, (k, a.shape, b.shape)
        assert np.abs(a - b).max() <= export.HISTORY_TOLERANCE[k], (k, a, b)


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
    from dropout_lab.training import trainer as training

    source = export.keras_script(lesson_spec(0.3), TrainConfig())
    start = source.index("def layer_seed")
    ns = {"np": np, "SEED": 7}
    exec(source[start : source.index("def build_model")], ns)
    assert [ns["layer_seed"](i) for i in range(7)] == [training._layer_seed(7, i) for i in range(7)]


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
    spec, config = lesson_spec(0.3, l2=1e-3), TrainConfig(epochs=50, seed=1)
    path = tmp_path / export.SCRIPT_NAME
    path.write_text(export.keras_script(spec, config))
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    done = subprocess.run(
        [sys.executable, str(path), "--epochs", str(EPOCHS), "--out", str(tmp_path), "--no-show"],
        capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    rows = list(csv.DictReader((tmp_path / "history.csv").open()))
    theirs = {k: [float(r[k]) for r in rows] for k in KEYS}
    assert (tmp_path / "curves.html").stat().st_size > 10_000
    assert_same_history(_engine_history(spec, TrainConfig(epochs=EPOCHS, seed=1)), theirs)


def test_the_notebook_runs_top_to_bottom_and_reproduces_the_run() -> None:
    import nbclient

    spec, config = lesson_spec(0.0), TrainConfig(epochs=50, early_stopping_patience=2)
    nb = nbformat.reads(export.notebook(spec, config), as_version=4)
    nbformat.validate(nb)
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assert "EPOCHS = 50" in params.source
    params.source = params.source.replace("EPOCHS = 50", f"EPOCHS = {EPOCHS * 2}")
    nb.cells.append(nbformat.v4.new_code_cell("import json\nprint(json.dumps(history))"))
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3")
    client.execute()
    theirs = json.loads(nb.cells[-1].outputs[0]["text"])
    plot = nb.cells[-2].outputs
    assert any("application/vnd.plotly.v1+json" in o.get("data", {}) for o in plot)
    ours = _engine_history(spec, TrainConfig(epochs=EPOCHS * 2, early_stopping_patience=2))
    assert len(ours["loss"]) < EPOCHS * 2  # early stopping ended both runs, at the same epoch
    assert_same_history(ours, theirs)


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
