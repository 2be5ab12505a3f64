"""Real runs of the Build lab's model in several layouts (tests/data/overfit_histories.json,
made by tests/data/make_overfit_histories.py), the code of each layout, and a way to put one in
a run store, so a page test's Train is served at once from a real history."""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache
from pathlib import Path

from dropout_lab.lesson.labs import load_lab
from dropout_lab.lesson.spec import RunResult, run_key
from tests.data.make_overfit_histories import LAYOUTS, SEEDS, layout_spec

__all__ = ["LAYOUTS", "SEEDS", "code_for", "history", "layout_spec", "put"]

FIXTURE = Path(__file__).parents[1] / "data" / "overfit_histories.json"
LAB = load_lab("overfit")


@cache
def _runs() -> dict[tuple[str, int], dict[str, list[float]]]:
    data = json.loads(FIXTURE.read_text())
    return {(r["layout"], r["config"]["seed"]): r["history"] for r in data["runs"]}


def history(layout: str, seed: int = 0) -> dict[str, list[float]]:
    """The real history of `layout` (a key of LAYOUTS) trained with `seed` at the lab's config."""
    return {k: list(v) for k, v in _runs()[(layout, seed)].items()}


def stored() -> set[tuple[str, int]]:
    return set(_runs())


def code_for(rates: tuple[float, ...]) -> str:
    """The lab's starter with Dropout(rate) after the hidden layers whose rate is not 0."""
    lines, hidden = [], 0
    for line in LAB.starter.splitlines():
        lines.append(line)
        if "Dense(256" in line:
            if rates[hidden]:
                lines.append(f"        keras.layers.Dropout({rates[hidden]}),")
            hidden += 1
    return "\n".join(lines) + "\n"


def put(store, layout: str, seed: int = 0) -> str:
    """Store `layout`'s real run with `seed` as if trained at the lab's config; its key."""
    spec, config = layout_spec(LAYOUTS[layout]), replace(LAB.config, seed=seed)
    hist = history(layout, seed)
    key = run_key(spec, config)
    store.put(RunResult(key=key, spec=spec, config=config, history=hist,
                        epochs_done=len(hist["loss"]), stopped=False, best_epoch=1,
                        train_seconds=1.0, weights=[]))  # fmt: skip
    return key
