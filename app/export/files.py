"""Take the experiment home: a run's history as CSV, a standalone Keras script, a notebook.

The script and the notebook need nothing from Dropout Lab: they carry a copy of the lesson's
data generator (the source of `lesson.traffic`, copied when the export is made), of the app's
Adam (`FusedAdam`, the source of `training.fused_adam`'s class, as `pieces.FUSED_ADAM_CODE`)
and of the app's curves figure (`charts.curves`, through `charts.standalone`), and build the
learner's model with plain Keras, then train it with one `model.fit`. They reproduce the app's
run because they repeat everything that determines it:

* the same data (the generator's code and seed);
* the same initial weights and dropout masks: every Dense initialiser and every noise layer gets
  the seed the engine derives from the run seed (`layer_seed`, the same SeedSequence formula as
  `dropout_lab.training.models.layer_seed`);
* the same order of mini-batches: a `keras.utils.PyDataset` draws each epoch's permutation from
  the engine's shuffle generator (`np.random.default_rng([seed, 0x5F1])`);
* the same optimizer arithmetic: Adam applied by TensorFlow's fused kernel, as the app applies it
  (the other optimizers are Keras' own classes on both sides);
* validation on the whole validation set in one batch, after each epoch, as the engine does.

The arithmetic matters because the lesson's runs amplify rounding. With Keras' own
`keras.optimizers.Adam` (the same formula, op by op) the no-dropout run agreed for two epochs,
then drifted: validation loss 1.737 against the app's 1.386 at epoch 40, 1.983 against 1.792 at
epoch 50. With `FusedAdam`, on the same TensorFlow and Keras, the validation losses are the
app's bit for bit over all 50 epochs, and the training figures differ by at most 6e-8 (Keras'
running means add in another order). The tests hold the exports to `HISTORY_TOLERANCE` at every
epoch; the script names the TensorFlow and Keras it was made with, since another version or
processor may round differently and then drift the same way.

No TensorFlow and no Streamlit here: the exports are text, made in the app process.
"""

from __future__ import annotations

import csv
import io
import textwrap
from dataclasses import asdict

import nbformat

from dropout_lab.export.pieces import (
    DATA_CODE,
    about,
    generator_source,
    model_code,
    optimizer_code,
    plot_code,
    settings,
    trained_with,
    training_code,
)
from dropout_lab.lesson import traffic
from dropout_lab.lesson.csv_cells import safe_cell
from dropout_lab.lesson.spec import ModelSpec, TrainConfig

HISTORY_COLUMNS = ("epoch", "loss", "accuracy", "val_loss", "val_accuracy")
# How closely an exported script or notebook reproduces the app's history: absolute, at every
# epoch, for every figure (measured: validation figures identical, training ones within 6e-8).
HISTORY_TOLERANCE = {"loss": 1e-5, "val_loss": 1e-5, "accuracy": 1e-5, "val_accuracy": 1e-5}
_DISPLAY = {"tensorflow": "TensorFlow", "keras": "Keras"}
SCRIPT_NAME = "dropout_lab_run.py"  # a script's name when it is not given one (download_names)
_generator_source = generator_source  # the name the tests know it by


# --------------------------------------------------------------------------- file names


def download_names(label: str, spec: ModelSpec, config: TrainConfig) -> dict[str, str]:
    """The file names of one run's downloads ("csv", "script", "notebook"): its label, its
    dropout rates and its seed, so that two runs never download under one name, e.g.
    dropout_lab_no_dropout_rate0_seed0.py."""
    words = "_".join("".join(c if c.isalnum() else " " for c in label.lower()).split())
    rates = "-".join(f"{r:g}" for r in dict.fromkeys(spec.dropout_rates())) or "0"
    stem = f"dropout_lab_{words}_rate{rates}_seed{config.seed}"
    return {"csv": f"{stem}_history.csv", "script": f"{stem}.py", "notebook": f"{stem}.ipynb"}


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
    writer.writerow([safe_cell(c) for c in columns])
    for i in range(n):
        row = [i + 1] + [repr(float(history[c][i])) for c in columns[1:]]
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()


# --------------------------------------------------------------------------- the script


def _script_header(spec: ModelSpec, config: TrainConfig, file_name: str) -> str:
    """The script's docstring, imports and settings (its command-line options)."""
    s = settings(spec, config)
    what = about(spec, config)
    install, match = _install_and_match()
    promise = textwrap.fill(
        "It trains the same model on the same data, with the same seeds, batch order and "
        f"optimizer arithmetic as Dropout Lab did. {match} It prints the per-epoch log, writes "
        "history.csv and curves.html, and opens the plot in your browser.",
        width=95,
    )
    return f'''\
"""Dropout Lab: your run, reproduced with plain Keras.

{what}

Run it (Python 3.10 or later):
    pip install numpy {install} plotly
    python {file_name}    # --epochs N, --seed S, --out DIR, --no-show

{promise}
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


_SCRIPT_FOOTER = """
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


def _install_and_match() -> tuple[str, str]:
    """The install line's packages, pinned to what Dropout Lab trains with when it knows, and
    the sentences saying how closely an export's history then matches the app's."""
    versions = trained_with()
    if not versions:
        return "tensorflow keras", "Where TensorFlow rounds as the app's did, its history matches."
    install = " ".join(f"{name}=={version}" for name, version in versions.items())
    named = " and ".join(f"{_DISPLAY[name]} {version}" for name, version in versions.items())
    return install, (
        f"With {named} (what Dropout Lab trained it with), its history matches the app's at "
        "every epoch, to the fifth decimal or better. Another version or processor may round "
        "differently, and this model amplifies rounding: the curves then agree for the first "
        "epochs and drift apart later."
    )


def _optimizer_section(spec: ModelSpec) -> list[str]:
    """The copy of the app's Adam, under its heading, when the run used it."""
    code = optimizer_code(spec)
    if not code:
        return []
    return [
        "\n# " + "-" * 76 + " the optimizer\n",
        "# A copy of Dropout Lab's Adam (dropout_lab/training/fused_adam.py).\n"
        "# keras.optimizers.Adam computes the same formula; this applies it the way the app\n"
        "# does, so the rounding, and with it the whole run, is the same.\n\n",
        code,
        "\n",
    ]


def keras_script(spec: ModelSpec, config: TrainConfig, file_name: str = SCRIPT_NAME) -> str:
    """A standalone Python script that reproduces the run of `spec` and `config` with Keras,
    to be saved as `file_name` (its usage line names it).

    `python <file_name> [--epochs N] [--seed S] [--out DIR] [--no-show]` trains, prints
    the per-epoch log, writes `history.csv` and `curves.html` into DIR and opens the plot.
    """
    parts = [
        _script_header(spec, config, file_name),
        generator_source(),
        "\n\n",
        DATA_CODE,
        *_optimizer_section(spec),
        "\n# " + "-" * 76 + " the model\n\n",
        model_code(spec),
        "\n# " + "-" * 76 + " training\n\n",
        training_code(config),
        "\n# " + "-" * 76 + " the plot\n\n",
        plot_code(),
        _SCRIPT_FOOTER,
    ]
    return "".join(parts)


# --------------------------------------------------------------------------- the notebook


def _settings_cell(spec: ModelSpec, config: TrainConfig) -> nbformat.NotebookNode:
    """The settings, tagged `parameters` (papermill's convention)."""
    s = settings(spec, config)
    cell = nbformat.v4.new_code_cell(
        f"EPOCHS = {s['EPOCHS']}\n"
        f"SEED = {s['SEED']}  # initial weights, dropout masks and batch order\n"
        f"BATCH_SIZE = {s['BATCH_SIZE']}\n"
        f"DATA_SEED = {s['DATA_SEED']}\n"
        f"PATIENCE = {s['PATIENCE']}  # early stopping patience (None: no early stopping)\n"
        f"TITLE = {s['TITLE']}"
    )
    cell.metadata["tags"] = ["parameters"]
    return cell


def _intro_cells(spec: ModelSpec, config: TrainConfig) -> list[nbformat.NotebookNode]:
    """What the notebook is, its imports and its settings."""
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    install, match = _install_and_match()
    return [
        md(
            "# Dropout Lab: the overfit model and dropout\n\n"
            + about(spec, config)
            + "\n\nThis notebook reproduces the run you made in Dropout Lab: the same data, "
            f"model, seeds, batch order and optimizer arithmetic. {match} Run it from top to "
            "bottom, then change it: the rate, the layers, the number of epochs, or add "
            "`keras.regularizers.L2(1e-4)` to the Dense layers.\n\n"
            f"Needs: `pip install numpy {install} plotly`."
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
        _settings_cell(spec, config),
    ]


def _lesson_cells(spec: ModelSpec, config: TrainConfig) -> list[nbformat.NotebookNode]:
    """The data, the model, the training and the curves, each under its heading."""
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    return [
        md(
            "## The data\n\n"
            "Synthetic network connections seen by a security operations centre, 10 numeric "
            "features each, labelled benign (0) or malicious (1) by a non-linear rule, with a "
            f"fraction ({traffic.LABEL_NOISE:.0%}) of the labels flipped. This is a copy of "
            "Dropout Lab's generator."
        ),
        code(generator_source().strip()),
        code(DATA_CODE.strip()),
        *_optimizer_cells(spec),
        md(
            "## The model\n\n"
            "Every initialiser and dropout layer gets an explicit seed derived from `SEED`, the "
            "way Dropout Lab derives it, so the starting weights and the dropout masks match."
        ),
        code(model_code(spec).strip()),
        md(
            "## Training\n\n"
            "One `model.fit`. The batches come in a new random order every epoch, drawn from "
            "the same seeded generator as in Dropout Lab; validation runs on the whole "
            "validation set after every epoch."
        ),
        code(training_code(config).strip()),
        md(
            "## The curves\n\n"
            "Training solid, validation dashed; the star marks the epoch of the lowest "
            "validation loss. Without dropout the validation loss turns around and climbs "
            "while the training loss keeps falling: the model is memorising."
        ),
        code(plot_code().strip() + "\nfig.show()"),
    ]


def _optimizer_cells(spec: ModelSpec) -> list[nbformat.NotebookNode]:
    """The copy of the app's Adam, under its heading, when the run used it."""
    code = optimizer_code(spec)
    if not code:
        return []
    return [
        nbformat.v4.new_markdown_cell(
            "## The optimizer\n\n"
            "A copy of Dropout Lab's Adam. `keras.optimizers.Adam` computes the same formula; "
            "this class applies it with TensorFlow's fused kernel, as the app does, so the "
            "rounding is the same, and with it the whole run. Try `keras.optimizers.Adam()` in "
            "`build_model` instead: the curves agree for a few epochs, then drift apart."
        ),
        nbformat.v4.new_code_cell(code.strip()),
    ]


def notebook(spec: ModelSpec, config: TrainConfig) -> str:
    """The lab as a Jupyter notebook (nbformat v4) that runs from top to bottom.

    The settings cell is tagged `parameters` (papermill's convention): change EPOCHS or SEED
    there. The last cell shows the curves with Plotly.
    """
    cells = _intro_cells(spec, config) + _lesson_cells(spec, config)
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
