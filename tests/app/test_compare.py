"""The Compare page under AppTest: with the precomputed results present, and with them missing."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dropout_lab.lesson.spec import TrainConfig, lesson_spec, run_key
from dropout_lab.training.precompute import REGULARISERS, requests, unique
from dropout_lab.training.runstore import RunStore
from dropout_lab.training.service import TrainingService
from dropout_lab.training.sweep import RATES
from dropout_lab.ui import precompute, training
from tests.support.harness import MAIN

# No background precomputing in the page tests (it would train in this process's data dir for
# the whole session). Belongs in tests/app/conftest.py; set here until it is.
os.environ.setdefault(precompute.ENV, "0")


def history(rate: float, seed: int, epochs: int = 50) -> dict[str, list[float]]:
    """A plausible history: the lower the rate, the faster training loss falls and the more
    validation loss climbs after its minimum."""
    t = np.arange(1, epochs + 1, dtype=float)
    rng = np.random.default_rng(seed)
    loss = 0.6 * np.exp(-t * (1 - rate) / 8) + 0.05 * rate
    val = 0.5 + (1 - rate) ** 2 * 0.03 * np.maximum(t - 3, 0) + rng.normal(0, 0.005, epochs)
    return {"loss": list(loss), "accuracy": list(1 - loss / 2), "val_loss": list(val),
            "val_accuracy": list(0.75 - 0.05 * val + 0.02 * rate)}  # fmt: skip


def put(store: RunStore, spec, config, hist) -> str:
    from dropout_lab.lesson.spec import RunResult

    key = run_key(spec, config)
    store.put(RunResult(key=key, spec=spec, config=config, history=hist,
                        epochs_done=len(hist["loss"]), stopped=False, best_epoch=1,
                        train_seconds=1.0, weights=[]))  # fmt: skip
    return key


@pytest.fixture
def service(tmp_path, monkeypatch):
    svc = TrainingService(RunStore(tmp_path / "runs"), max_workers=1)
    monkeypatch.setattr(training, "service", lambda: svc)
    yield svc
    svc.shutdown()


def compare_page(session: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(MAIN), default_timeout=60).run()
    for k, v in (session or {}).items():
        at.session_state[k] = v
    at.switch_page("steps/compare.py").run()
    assert not at.exception, at.exception
    return at


def test_results_missing_shows_progress_and_no_error(service) -> None:
    at = compare_page()
    bars = at.main.get("progress")
    assert bars and "0 of 21 runs ready" in bars[0].proto.text
    assert any("Preparing the comparison runs" in m.value for m in at.markdown)
    assert not at.get("plotly_chart")  # nothing to draw yet, and no error


def test_results_partly_there_show_what_is_ready(service) -> None:
    for r in requests()[:2]:  # the pair
        put(service.store, r.spec, r.config, history(0.3 if r.spec.dropout_rates() else 0.0, 0))
    at = compare_page()
    assert "2 of 21 runs ready" in at.main.get("progress")[0].proto.text
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    names = {t["name"] for t in spec["data"]}
    assert {"No dropout: training", "Dropout(0.3): validation"} <= names


def test_results_present_show_everything(service) -> None:
    for r in unique(requests()):
        rate = (r.spec.dropout_rates() or [0.0])[0]
        put(service.store, r.spec, r.config, history(rate, r.config.seed))
    config = TrainConfig()
    mine = put(service.store, lesson_spec(0.5), config, history(0.5, 0))
    session = {
        training.RUNS: [{"label": "Your model", "key": mine}],
        "build.latest": {"spec": lesson_spec(0.5).to_dict(), "config": config},
    }
    at = compare_page(session)
    assert not at.main.get("progress")  # nothing to wait for
    figs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert len(figs) == 4  # curves, sweep, rate, solution
    curves = {t["name"] for t in figs[0]["data"]}
    assert {"No dropout: validation", "Dropout(0.3): training", "Your model: validation"} <= curves
    assert any(t["name"] == "No dropout: gap" for t in figs[0]["data"])
    sweep = {t["name"] for t in figs[1]["data"]}
    assert {f"rate {r:g} (3 seeds)" for r in RATES} <= sweep
    assert len(at.dataframe[0].value) == len(RATES)
    solution = {t["name"] for t in figs[3]["data"]}
    assert {"Your model: validation", "Reference solution: validation"} <= solution
    said = " ".join(m.value for m in at.markdown)
    assert "Your dropout rates are 0.5, 0.5, 0.5; the reference uses 0.3, 0.3, 0.3." in said
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["History (CSV)", "Keras script (.py)", "Notebook (.ipynb)"]

    # the other regularisers join the same view
    at.pills(key="compare.regularisers").set_value(list(REGULARISERS)).run()
    assert not at.exception
    curves = {t["name"] for t in json.loads(at.get("plotly_chart")[0].proto.spec)["data"]}
    assert {"L2(1e-3): validation", "Early stopping (patience 5): training",
            "Dropout(0.3) + L2(1e-3): validation"} <= curves  # fmt: skip


def test_the_learners_starter_run_is_not_drawn_twice(service) -> None:
    for r in unique(requests()):
        put(service.store, r.spec, r.config, history(0.0, r.config.seed))
    key = run_key(lesson_spec(0.0), TrainConfig())
    at = compare_page({training.RUNS: [{"label": "Starter (no dropout)", "key": key}]})
    names = [t["name"] for t in json.loads(at.get("plotly_chart")[0].proto.spec)["data"]]
    assert "No dropout = starter (no dropout): training" in names
    assert not any(n.startswith("Starter (no dropout)") for n in names)
