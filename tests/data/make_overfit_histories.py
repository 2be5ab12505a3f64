"""Write tests/data/overfit_histories.json: real runs of the Build lab's model, for the tests of
its outcome goals (the goals are judged on a finished run's history; training every layout in a
test would take minutes on 2 cores).

Each layout is the lab's starter with `Dropout(rate)` after the hidden Dense layers whose rate is
not 0, trained at the lab's configuration (50 epochs, data seed 0) with seeds 0, 1 and 2 by the
app's own trainer. Run again after a change to the model, the data or the trainer:

    nice .venv/bin/python tests/data/make_overfit_histories.py
"""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from pathlib import Path

from dropout_lab.lesson.labs import load_lab
from dropout_lab.lesson.spec import LayerSpec, ModelSpec

OUT = Path(__file__).with_name("overfit_histories.json")
SEEDS = (0, 1, 2)
LAYOUTS = {  # name -> the rate after each of the three hidden layers (0: no dropout there)
    "none": (0, 0, 0),
    "all_0.1": (0.1, 0.1, 0.1),
    "all_0.2": (0.2, 0.2, 0.2),
    "all_0.3": (0.3, 0.3, 0.3),
    "all_0.4": (0.4, 0.4, 0.4),
    "all_0.5": (0.5, 0.5, 0.5),
    "all_0.8": (0.8, 0.8, 0.8),
    "d2l_0.2_0.5_0.5": (0.2, 0.5, 0.5),
    "swapped_0.5_0.5_0.2": (0.5, 0.5, 0.2),
    "first_two_0.5": (0.5, 0.5, 0),
    "second_only_0.5": (0, 0.5, 0),
}


def layout_spec(rates: tuple[float, ...]) -> ModelSpec:
    layers: list[LayerSpec] = []
    for rate in rates:
        layers.append(LayerSpec("Dense", units=256, activation="relu"))
        if rate:
            layers.append(LayerSpec("Dropout", rate=rate))
    layers.append(LayerSpec("Dense", units=1, activation="sigmoid"))
    return ModelSpec(input_dim=10, layers=tuple(layers))


def main() -> None:
    import keras  # the tests import LAYOUTS and layout_spec from here, without TensorFlow

    from dropout_lab.training.trainer import train

    base = load_lab("overfit").config
    runs = []
    for name, rates in LAYOUTS.items():
        for seed in SEEDS:
            config = replace(base, seed=seed)
            run = train(layout_spec(rates), config)
            history = {k: [round(v, 6) for v in h] for k, h in run.history.items()}
            runs.append({"layout": name, "rates": list(rates), "config": asdict(config),
                         "history": history})  # fmt: skip
            print(name, seed, f"final val_loss {run.history['val_loss'][-1]:.3f}", flush=True)
    made = f"real runs by tests/data/make_overfit_histories.py (Keras {keras.__version__})"
    OUT.write_text(json.dumps({"made_by": made, "runs": runs}, indent=None) + "\n")


if __name__ == "__main__":
    main()
