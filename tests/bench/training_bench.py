"""How fast `training.train` is, against the seed lesson's plain `model.fit`.

The experiment is the same in every case: `lesson_spec(0.0)` on the lesson's data, 50 epochs,
batch size 32, Adam with its default learning rate, shuffled every epoch.

* fit  — `model.compile(adam, binary_crossentropy, ["accuracy"])` then
  `model.fit(x, y, validation_data=(xv, yv), epochs=50, batch_size=32)` on a fresh model, in a
  fresh process with TensorFlow's default threading (timed around `fit` only);
* cold — a fresh `python -c` process runs one `train`; timed inside, after TensorFlow's import
  (the import is reported separately as `cold_import_seconds`);
* warm — in this process, after one run of the architecture: runs with other seeds.

Each figure is the median of `repeats` runs. The machine has 2 cores shared with other work:
expect noise, and compare figures taken in the same call.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

EPOCHS = 50
BATCH_SIZE = 32
_ROOT = Path(__file__).resolve().parents[2]

_COLD_SCRIPT = """
import json, time
t0 = time.perf_counter()
import keras, tensorflow
t1 = time.perf_counter()
from dropout_lab.lesson.spec import TrainConfig, lesson_spec
from dropout_lab.training.trainer import train
first = []
run = train(lesson_spec(0.0), TrainConfig(epochs={epochs}, batch_size={batch_size}, seed={seed}),
            on_epoch=lambda e, logs: first.append(time.perf_counter()) if e == 1 else None)
t2 = time.perf_counter()
print("BENCH" + json.dumps({{"import_seconds": t1 - t0, "seconds": t2 - t1,
      "first_epoch_seconds": first[0] - t1, "val_accuracy": run.history["val_accuracy"][-1]}}))
"""

# The seed lesson, as a learner would run it: a plain process (TensorFlow's default threads).
_FIT_SCRIPT = """
import json, time
import keras
from dropout_lab.lesson.spec import lesson_spec
from dropout_lab.lesson.traffic import load_lesson_data
from dropout_lab.training.models import build_model
data = load_lesson_data(0)
model = build_model(lesson_spec(0.0), {seed})  # compiled: adam, binary_crossentropy, accuracy
t = time.perf_counter()
history = model.fit(data.x_train, data.y_train, validation_data=(data.x_val, data.y_val),
                    epochs={epochs}, batch_size={batch_size}, verbose=0)
print("BENCH" + json.dumps({{"seconds": time.perf_counter() - t,
      "val_accuracy": history.history["val_accuracy"][-1]}}))
"""


def _median(values: list[float]) -> float:
    return float(statistics.median(values))


def _subprocess(script: str, seed: int, **env: str) -> dict[str, float]:
    code = script.format(epochs=EPOCHS, batch_size=BATCH_SIZE, seed=seed)
    full_env = dict(os.environ, PYTHONPATH=str(_ROOT), TF_CPP_MIN_LOG_LEVEL="2", **env)
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=_ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("BENCH"))
    return json.loads(line[len("BENCH") :])


def _ours_once(seed: int) -> dict[str, float]:
    """A run in this process: seconds, seconds to the first epoch's report, val accuracy."""
    from dropout_lab.lesson.spec import TrainConfig, lesson_spec
    from dropout_lab.training.trainer import train

    first: list[float] = []
    t = time.perf_counter()
    run = train(
        lesson_spec(0.0),
        TrainConfig(epochs=EPOCHS, batch_size=BATCH_SIZE, seed=seed),
        on_epoch=lambda e, logs: first.append(time.perf_counter()) if e == 1 else None,
    )
    return {
        "seconds": time.perf_counter() - t,
        "first_epoch_seconds": first[0] - t,
        "val_accuracy": run.history["val_accuracy"][-1],
    }


def _estimate_against_measured() -> dict[str, float]:
    """The budget's estimate (lesson.budget) beside a measured warm run of a wide model, the
    kind of run the budget refuses or lets pause: their ratio should stay near 1."""
    from dropout_lab.lesson.budget import estimate_seconds
    from dropout_lab.lesson.spec import LayerSpec, ModelSpec, TrainConfig
    from dropout_lab.training.trainer import train

    wide = ModelSpec(10, (*[LayerSpec("Dense", units=512, activation="relu")] * 3,
                          LayerSpec("Dense", units=1, activation="sigmoid")))  # fmt: skip
    config = TrainConfig(epochs=30, seed=3)
    train(wide, TrainConfig(epochs=1))  # traced first: the estimate's startup leaves it out
    measured = train(wide, config).train_seconds
    estimate = estimate_seconds(wide, config)
    return {"wide_estimate_seconds": round(estimate, 2),
            "wide_measured_seconds": round(measured, 2),
            "estimate_over_measured": round(estimate / measured, 2)}  # fmt: skip


def run_training_bench(repeats: int = 3) -> dict[str, Any]:
    """Time fit, cold and warm training; return the JSON-able figures.

    The three are interleaved (fit, cold, warm for each repeat, seeds 1..repeats) so that load
    from other work on the machine hits them alike; each figure is a median.
    """
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}")
    _ours_once(0)  # the architecture's first run in this process: traces the loop
    fit, cold, warm = [], [], []
    for seed in range(1, repeats + 1):
        fit.append(_subprocess(_FIT_SCRIPT, seed, DROPOUT_LAB_INTRA_OP_THREADS="0"))
        cold.append(_subprocess(_COLD_SCRIPT, seed))
        warm.append(_ours_once(seed))

    def med(runs: list[dict[str, float]], key: str) -> float:
        return _median([r[key] for r in runs])

    fit_seconds, cold_seconds = med(fit, "seconds"), med(cold, "seconds")
    warm_seconds = med(warm, "seconds")
    return {
        "fit_seconds": round(fit_seconds, 3),
        "cold_seconds": round(cold_seconds, 3),
        "warm_seconds": round(warm_seconds, 3),
        "speedup_cold": round(fit_seconds / cold_seconds, 2),
        "speedup_warm": round(fit_seconds / warm_seconds, 2),
        "first_epoch_seconds": round(med(warm, "first_epoch_seconds"), 3),
        "ms_per_epoch": round(1000 * warm_seconds / EPOCHS, 1),
        "val_accuracy_fit": round(med(fit, "val_accuracy"), 4),
        "val_accuracy_ours": round(med(warm, "val_accuracy"), 4),
        "cold_import_seconds": round(med(cold, "import_seconds"), 3),
        "cold_first_epoch_seconds": round(med(cold, "first_epoch_seconds"), 3),
        "fit_runs_seconds": [round(r["seconds"], 3) for r in fit],
        "cold_runs_seconds": [round(r["seconds"], 3) for r in cold],
        "warm_runs_seconds": [round(r["seconds"], 3) for r in warm],
        "repeats": repeats,
        "epochs": EPOCHS,
        "batch_size": BATCH_SIZE,
        **_estimate_against_measured(),
    }


if __name__ == "__main__":  # python -m tests.bench.training_bench [repeats]
    print(json.dumps(run_training_bench(int(sys.argv[1]) if len(sys.argv) > 1 else 3), indent=2))
