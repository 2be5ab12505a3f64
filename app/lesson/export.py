"""Take the experiment home: a run's history as CSV, a standalone Keras script, a notebook.

The script and the notebook need nothing from Dropout Lab: they carry a copy of the lesson's
data generator (the source of `lesson.traffic`, copied when the export is made) and of the
app's curves figure (`charts.curves`, through `charts.standalone`), and build
the learner's model with plain Keras, then train it with one `model.fit`. They reproduce the
app's run because they repeat everything that determines it:

* the same data (the generator's code and seed);
* the same initial weights and dropout masks: every Dense initialiser and every noise layer gets
  the seed the engine derives from the run seed (`layer_seed`, the same SeedSequence formula as
  `dropout_lab.training.trainer._layer_seed`);
* the same order of mini-batches: a `keras.utils.PyDataset` draws each epoch's permutation from
  the engine's shuffle generator (`np.random.default_rng([seed, 0x5F1])`);
* validation on the whole validation set in one batch, after each epoch, as the engine does.

What differs is only floating-point rounding: the app applies Adam with TensorFlow's fused
kernel, `model.fit` applies the same formula op by op. The first epoch agrees to ~1e-7; the
differences grow as training amplifies them: ~1e-4 in the losses after 5 epochs (the tests hold
the exports to `HISTORY_TOLERANCE`), ~0.02 after 50 (measured: the curves look the same, the
third decimal differs).

No TensorFlow and no Streamlit here: the exports are text, made in the app process.
"""

from __future__ import annotations

import ast
import csv
import inspect
import io
import json
import textwrap
from dataclasses import asdict

import nbformat

from dropout_lab.charts import curves
from dropout_lab.charts.standalone import standalone_source
from dropout_lab.lesson import traffic
from dropout_lab.lesson.layers import DROPOUT_KINDS, OPTIMIZERS
from dropout_lab.lesson.spec import ModelSpec, TrainConfig

HISTORY_COLUMNS = ("epoch", "loss", "accuracy", "val_loss", "val_accuracy")
# How closely an exported script or notebook reproduces the app's history over a short run
# (absolute, per epoch; the tests use 5-10 epochs). Losses agree to ~1e-4 there; an accuracy is
# a count of rows, and a few rows near the 0.5 threshold may flip (5e-3 = 5 of 1,000 rows).
HISTORY_TOLERANCE = {"loss": 2e-3, "val_loss": 2e-3, "accuracy": 5e-3, "val_accuracy": 5e-3}
SCRIPT_NAME = "dropout_lab_run.py"
NOTEBOOK_NAME = "dropout_lab.ipynb"

_OPTIMIZER_CLASSES = {name: o.keras_class for name, o in OPTIMIZERS.items()}


# --------------------------------------------------------------------------- CSV


def history_csv(history: dict[str, list[float]]) -> str:
    """One row per epoch: epoch (1-based), loss, accuracy, val_loss, val_accuracy, then any
    other metric the history holds, in its order."""
    if not history:
        raise ValueError("the history is empty: there is nothing to export")
    lengths = {len(v) for v in history.values()}
    if len(lengths) != 1:
        raise ValueError(f"history columns have different lengths: {sorted(lengths)}")
    (n,) = lengths
    extra = [k for k in history if k not in HISTORY_COLUMNS]
    columns = [c for c in HISTORY_COLUMNS if c == "epoch" or c in history] + extra
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for i in range(n):
        row = [i + 1] + [repr(float(history[c][i])) for c in columns[1:]]
        writer.writerow(row)
    return out.getvalue()


# --------------------------------------------------------------------------- shared pieces


def _generator_source() -> str:
    """`app/lesson/traffic.py` without its docstring and `__future__` import."""
    source = inspect.getsource(traffic)
    tree = ast.parse(source)
    lines = source.splitlines()
    drop: set[int] = set()
    first = tree.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
        drop.update(range(first.lineno - 1, first.end_lineno))
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            drop.update(range(node.lineno - 1, node.end_lineno))
    kept = [line for i, line in enumerate(lines) if i not in drop]
    return "\n".join(kept).strip() + "\n"


def _float(value: float) -> str:
    return repr(float(value))


def _layer_code(layer, index: int) -> str:
    seed = f"layer_seed({index})"
    if layer.kind == "Dense":
        args = [str(layer.units)]
        if layer.activation:
            args.append(f'activation="{layer.activation}"')
        args.append(f"kernel_initializer=keras.initializers.GlorotUniform(seed={seed})")
        if layer.l2:
            args.append(f"kernel_regularizer=keras.regularizers.L2({_float(layer.l2)})")
        return f"keras.layers.Dense({', '.join(args)})"
    if layer.kind in DROPOUT_KINDS:
        return f"keras.layers.{layer.kind}({_float(layer.rate)}, seed={seed})"
    if layer.kind == "GaussianNoise":
        return f"keras.layers.GaussianNoise({_float(layer.stddev)}, seed={seed})"
    if layer.kind == "BatchNormalization":
        return "keras.layers.BatchNormalization()"
    raise ValueError(f"unknown layer kind {layer.kind!r}")


def _optimizer_code(spec: ModelSpec) -> str:
    cls = _OPTIMIZER_CLASSES.get(spec.optimizer)
    if cls is None:
        raise ValueError(f"unknown optimizer {spec.optimizer!r}")
    lr = "" if spec.learning_rate is None else f"learning_rate={_float(spec.learning_rate)}"
    return f"keras.optimizers.{cls}({lr})"


def _model_code(spec: ModelSpec) -> str:
    layers = "\n".join(
        f"            {_layer_code(layer, i)}," for i, layer in enumerate(spec.layers)
    )
    metrics = list(spec.metrics)
    if "accuracy" not in metrics:
        metrics.insert(0, "accuracy")
    return f'''\
def layer_seed(index):
    """The seed of layer `index`, derived from SEED as Dropout Lab derives it."""
    state = np.random.SeedSequence([SEED, index, 0xD50]).generate_state(1)[0]
    return int(state) & 0x7FFFFFFF


def build_model():
    """{spec.describe()}"""
    model = keras.Sequential(
        [
            keras.Input(shape=({spec.input_dim},)),
{layers}
        ]
    )
    model.compile(
        optimizer={_optimizer_code(spec)},
        loss="{spec.loss}",
        metrics={json.dumps(metrics)},
    )
    return model


model = build_model()
model.summary()
'''


_DATA_CODE = """\
data = load_lesson_data(DATA_SEED)
x_train, y_train = np.asarray(data.x_train), np.asarray(data.y_train)
x_val, y_val = np.asarray(data.x_val), np.asarray(data.y_val)
print(f"{len(x_train)} training rows, {len(x_val)} validation rows, "
      f"{y_train.mean():.0%} malicious")
"""


def _training_code(config: TrainConfig) -> str:
    callbacks = "[]"
    if config.early_stopping_patience is not None:
        callbacks = textwrap.dedent("""\
            [
                keras.callbacks.EarlyStopping(
                    monitor="val_loss", patience=PATIENCE, restore_best_weights=True
                )
            ]""").replace("\n", "\n    ")
    return f'''\
class EpochBatches(keras.utils.PyDataset):
    """Every epoch's mini-batches, listed up front: the training rows in a new random order
    each epoch, drawn from the same seeded generator as Dropout Lab's, cut into batches."""

    def __init__(self, x, y, batch_size, epochs, seed):
        super().__init__()
        rng = np.random.default_rng([seed, 0x5F1])
        self.x, self.y = x, y
        self.batches = []
        for _ in range(epochs):
            order = rng.permutation(len(x))
            self.batches += [order[i : i + batch_size] for i in range(0, len(x), batch_size)]

    def __len__(self):
        return len(self.batches)

    def __getitem__(self, i):
        rows = self.batches[i]
        return self.x[rows], self.y[rows]


fit = model.fit(
    EpochBatches(x_train, y_train, BATCH_SIZE, EPOCHS, SEED),
    epochs=EPOCHS,
    steps_per_epoch=math.ceil(len(x_train) / BATCH_SIZE),
    shuffle=False,  # the batches are already in Dropout Lab's order
    validation_data=(x_val, y_val),
    validation_batch_size=len(x_val),  # the whole validation set at once, after each epoch
    callbacks={callbacks},
    verbose=2,
)
history = {{name: [float(v) for v in values] for name, values in fit.history.items()}}
best = int(np.argmin(history["val_loss"]))
print(f"lowest validation loss {{history['val_loss'][best]:.4f}} at epoch {{best + 1}}; "
      f"final validation accuracy {{history['val_accuracy'][-1]:.3f}}")
'''


def _plot_code() -> str:
    """The app's own curves figure, copied with what it uses, then this run's figure."""
    return (
        "# A copy of Dropout Lab's curves figure (dropout_lab/charts/curves.py and what it uses),\n"
        "# so the plot looks like the app's.\n\n"
        + standalone_source(curves, "Curve", "curves_figure")
        + '\n\nfig = curves_figure([Curve("this run", history)], title=TITLE)\n'
    )


def _settings(spec: ModelSpec, config: TrainConfig) -> dict[str, str]:
    return {
        "EPOCHS": str(config.epochs),
        "BATCH_SIZE": str(config.batch_size),
        "SEED": str(config.seed),
        "DATA_SEED": str(config.data_seed),
        "PATIENCE": repr(config.early_stopping_patience),
        "TITLE": json.dumps(f"Dropout Lab: {spec.describe()}", ensure_ascii=False),
    }


def _about(spec: ModelSpec, config: TrainConfig) -> str:
    stopping = (
        f", early stopping (patience {config.early_stopping_patience}, best weights restored)"
        if config.early_stopping_patience is not None
        else ""
    )
    return (
        f"Model: {spec.describe()}.\n"
        f"Trained on the lesson's synthetic SOC traffic ({traffic.N_TRAIN:,} training and "
        f"{traffic.N_VAL:,} validation connections, data seed {config.data_seed}): "
        f"{config.epochs} epochs, batch size {config.batch_size}, {spec.optimizer}, "
        f"seed {config.seed}{stopping}."
    )


# --------------------------------------------------------------------------- the script


def keras_script(spec: ModelSpec, config: TrainConfig) -> str:
    """A standalone Python script that reproduces the run of `spec` and `config` with Keras.

    `python dropout_lab_run.py [--epochs N] [--seed S] [--out DIR] [--no-show]` trains, prints
    the per-epoch log, writes `history.csv` and `curves.html` into DIR and opens the plot.
    """
    s = _settings(spec, config)
    about = _about(spec, config)
    header = f'''\
"""Dropout Lab: your run, reproduced with plain Keras.

{about}

Run it (Python 3.10 or later):
    pip install numpy tensorflow keras plotly
    python {SCRIPT_NAME}                    # --epochs N, --seed S, --out DIR, --no-show

It trains the same model on the same data, with the same seeds and batch order, as Dropout Lab
did, so the history matches the app's up to floating-point rounding. It prints the per-epoch
log, writes history.csv and curves.html, and opens the plot in your browser.
"""

import argparse
import csv
import math
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")  # the backend Dropout Lab trains with

import keras
import numpy as np

# ---------------------------------------------------------------------------- settings

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--epochs", type=int, default={s["EPOCHS"]})
parser.add_argument("--seed", type=int, default={s["SEED"]}, help="initial weights, dropout, order")
parser.add_argument("--out", default=".", help="folder for history.csv and curves.html")
parser.add_argument("--no-show", action="store_true", help="do not open the plot")
args = parser.parse_args()

EPOCHS = args.epochs
SEED = args.seed
BATCH_SIZE = {s["BATCH_SIZE"]}
DATA_SEED = {s["DATA_SEED"]}
PATIENCE = {s["PATIENCE"]}  # early stopping patience in epochs (None: no early stopping)
TITLE = {s["TITLE"]}

# ---------------------------------------------------------------------------- the data
# A copy of Dropout Lab's data generator (app/lesson/traffic.py).

'''
    footer = """
# ---------------------------------------------------------------------------- save and show

out = Path(args.out)
out.mkdir(parents=True, exist_ok=True)
with open(out / "history.csv", "w", newline="") as f:
    writer = csv.writer(f)
    names = list(history)
    writer.writerow(["epoch", *names])
    for i in range(len(history["loss"])):
        writer.writerow([i + 1, *(repr(history[n][i]) for n in names)])
fig.write_html(out / "curves.html", include_plotlyjs=True)
print(f"wrote {out / 'history.csv'} and {out / 'curves.html'}")
if not args.no_show:
    fig.show()
"""
    parts = [
        header,
        _generator_source(),
        "\n\n",
        _DATA_CODE,
        "\n# " + "-" * 76 + " the model\n\n",
        _model_code(spec),
        "\n# " + "-" * 76 + " training\n\n",
        _training_code(config),
        "\n# " + "-" * 76 + " the plot\n\n",
        _plot_code(),
        footer,
    ]
    return "".join(parts)


# --------------------------------------------------------------------------- the notebook


def notebook(spec: ModelSpec, config: TrainConfig) -> str:
    """The lab as a Jupyter notebook (nbformat v4) that runs from top to bottom.

    The settings cell is tagged `parameters` (papermill's convention): change EPOCHS or SEED
    there. The last cell shows the curves with Plotly.
    """
    s = _settings(spec, config)
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    settings = code(
        f"EPOCHS = {s['EPOCHS']}\n"
        f"SEED = {s['SEED']}  # initial weights, dropout masks and batch order\n"
        f"BATCH_SIZE = {s['BATCH_SIZE']}\n"
        f"DATA_SEED = {s['DATA_SEED']}\n"
        f"PATIENCE = {s['PATIENCE']}  # early stopping patience (None: no early stopping)\n"
        f"TITLE = {s['TITLE']}"
    )
    settings.metadata["tags"] = ["parameters"]
    cells = [
        md(
            "# Dropout Lab: the overfit model and dropout\n\n"
            + _about(spec, config)
            + "\n\nThis notebook reproduces the run you made in Dropout Lab: the same data, "
            "model, seeds and batch order, so the curves match the app's up to floating-point "
            "rounding. Run it from top to bottom, then change it: the rate, the layers, the "
            "number of epochs, or add `keras.regularizers.L2(1e-4)` to the Dense layers.\n\n"
            "Needs: `pip install numpy tensorflow keras plotly`."
        ),
        code(
            "import math\n"
            "import os\n"
            "from dataclasses import dataclass\n"
            "from functools import lru_cache\n\n"
            'os.environ.setdefault("KERAS_BACKEND", "tensorflow")\n\n'
            "import keras\n"
            "import numpy as np"
        ),
        md("## Settings"),
        settings,
        md(
            "## The data\n\n"
            "Synthetic network connections seen by a security operations centre, 10 numeric "
            "features each, labelled benign (0) or malicious (1) by a non-linear rule, with a "
            f"fraction ({traffic.LABEL_NOISE:.0%}) of the labels flipped. This is a copy of "
            "Dropout Lab's generator."
        ),
        code(_generator_source().strip()),
        code(_DATA_CODE.strip()),
        md(
            "## The model\n\n"
            "Every initialiser and dropout layer gets an explicit seed derived from `SEED`, the "
            "way Dropout Lab derives it, so the starting weights and the dropout masks match."
        ),
        code(_model_code(spec).strip()),
        md(
            "## Training\n\n"
            "One `model.fit`. The batches come in a new random order every epoch, drawn from "
            "the same seeded generator as in Dropout Lab; validation runs on the whole "
            "validation set after every epoch."
        ),
        code(_training_code(config).strip()),
        md(
            "## The curves\n\n"
            "Training solid, validation dashed; the star marks the epoch of the lowest "
            "validation loss. Without dropout the validation loss turns around and climbs "
            "while the training loss keeps falling: the model is memorising."
        ),
        code(_plot_code().strip() + "\nfig.show()"),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["dropout_lab"] = {"spec": spec.to_dict(), "config": asdict(config)}
    nbformat.validate(nb)
    return nbformat.writes(nb)
