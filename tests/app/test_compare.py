"""The Compare page under AppTest: with the precomputed results present, and with them missing."""

from __future__ import annotations

import json
import os
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dropout_lab.lesson import catalogue
from dropout_lab.lesson.catalogue import RATES, REGULARISERS, requests, unique
from dropout_lab.lesson.spec import TrainConfig, lesson_spec, run_key
from dropout_lab.training.runstore import RunStore
from dropout_lab.training.service import TrainingService
from dropout_lab.ui import precompute, training
from tests.support.harness import MAIN
from tests.support.lesson_runs import data_dir_with_lesson_runs

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
    # a rate other than the reference solution's Dropout(0.5), so the page names the difference
    mine = put(service.store, lesson_spec(0.2), config, history(0.2, 0))
    session = {
        training.RUNS: [{"label": "Your model", "key": mine}],
        "build.latest": {"spec": lesson_spec(0.2).to_dict(), "config": config},
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
    assert "Your dropout rates are 0.2, 0.2, 0.2; the reference uses 0.5, 0.5, 0.5." in said
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


# --------------------------------------------------------------------------- sentences from runs


def store_all(store: RunStore, reqs) -> None:
    for r in unique(reqs):
        rate = (r.spec.dropout_rates() or [0.0])[0]
        put(store, r.spec, r.config, history(rate, r.config.seed, r.config.epochs))


def markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def page_words(at: AppTest) -> str:
    """Every piece of text the page shows, figures' names and ticks included (not their data)."""
    parts = [markdown(at)] + [c.value for c in at.caption] + [h.value for h in at.subheader]
    parts += [t.label for t in at.toggle] + [e.label for e in at.expander]
    for chart in at.get("plotly_chart"):
        fig = json.loads(chart.proto.spec)
        parts += [str(t.get("name", "")) for t in fig["data"]]
        for name, axis in fig["layout"].items():
            if name.startswith(("xaxis", "yaxis")):
                parts += [str(v) for v in axis.get("ticktext", [])]
        parts += [str(a.get("text", "")) for a in fig["layout"].get("annotations", [])]
    return "\n".join(parts)


def test_the_sentences_are_the_claims_on_the_stored_runs(service) -> None:
    from dropout_lab.findings import headline_claims, run_claims, sweep_claims
    from dropout_lab.findings.sweep import sweep_histories
    from dropout_lab.lesson.content import step_text
    from dropout_lab.training import precompute as pre

    store_all(service.store, requests())
    at = compare_page()
    at.pills(key="compare.regularisers").set_value(list(REGULARISERS)).run()
    text = markdown(at)
    loaded = pre.load(service.store, requests())
    labels = step_text("compare")["curves"]["labels"]
    sweep = sweep_histories(loaded)
    said = run_claims.pair(loaded, labels) + run_claims.regularisers(loaded, labels, REGULARISERS)
    said += sweep_claims.sweep(sweep) + sweep_claims.sweep_end(sweep)
    first = headline_claims.pair(loaded, labels) + headline_claims.sweep(sweep)
    assert len(said) == 4 + 6 + 5 + 7 and len(first) == 2 + 2
    for s in first:  # what the runs show, said before the charts they sum up
        assert s.text in text, s.id
    assert text.index(first[0].text) < text.index(said[0].text)
    for s in said:
        assert s.text in text, s.id
    assert len(at.expander) >= 2  # the conditions behind the sentences, per section
    assert "How these sentences are chosen" in [e.label for e in at.expander]


def test_a_lesson_file_without_0_8_never_mentions_it(service, tmp_path, monkeypatch) -> None:
    lesson = tmp_path / "lesson.toml"
    lesson.write_text("[compare]\nsweep_rates = [0.0, 0.3, 0.5]\n")
    monkeypatch.setenv("DROPOUT_LAB_LESSON", str(lesson))
    store_all(service.store, requests() + precompute_long())
    at = compare_page()
    at.pills(key="compare.regularisers").set_value(list(REGULARISERS)).run()
    at.toggle(key="compare.long").set_value(True).run()
    assert not at.exception, at.exception
    words = page_words(at)
    assert "rate 0.5 (3 seeds)" in words and "At 0.5, the highest rate shown" in words
    assert "Train longer: 150 epochs at rates 0.3, 0.5" in words
    assert not re.search(r"(?<![\d.])0\.8(?!\d)", words), "the rate 0.8 is mentioned"


def precompute_long(rates=None):

    return catalogue.long_requests(rates=rates or catalogue.LONG_RATES)


def test_the_long_sweep_on_request(service) -> None:
    store_all(service.store, requests() + precompute_long())
    at = compare_page()
    assert at.toggle(key="compare.long").label == "Train longer: 150 epochs at rates 0.3, 0.5, 0.8"
    assert len(at.get("plotly_chart")) == 3  # off: curves, sweep, rates
    at.toggle(key="compare.long").set_value(True).run()
    assert not at.exception, at.exception
    figs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert len(figs) == 4
    assert {f"rate {r:g} (3 seeds)" for r in (0.3, 0.5, 0.8)} <= {
        t["name"] for t in figs[3]["data"]
    }
    assert "What the longer runs show." in markdown(at) and "Over 150 epochs" in markdown(at)


def test_the_long_sweep_is_trained_on_demand(service) -> None:
    store_all(service.store, requests())
    at = compare_page()
    at.toggle(key="compare.long").set_value(True).run()
    assert not at.exception, at.exception
    bars = [b.proto.text for b in at.main.get("progress")]
    assert any("Training the longer runs: 0 of 9 ready" in b for b in bars), bars
    stats = service.stats()
    assert stats["queued"] + stats["running"] >= 1  # submitted for this learner, shared by all


# --------------------------------------------------------------------------- real runs


@pytest.fixture(scope="module")
def real_store(tmp_path_factory: pytest.TempPathFactory) -> RunStore:
    """Every run of the default lesson trained for real, the long sweep included (a copy of
    the test session's, trained once)."""
    return RunStore(data_dir_with_lesson_runs(tmp_path_factory.mktemp("real")) / "runs")


def test_the_default_lesson_says_what_its_real_runs_show(real_store, monkeypatch) -> None:
    from dropout_lab.findings.sweep import long_histories, sweep_histories
    from dropout_lab.training import precompute as pre

    svc = TrainingService(real_store, max_workers=1)
    monkeypatch.setattr(training, "service", lambda: svc)
    try:
        at = compare_page()
        at.pills(key="compare.regularisers").set_value(list(REGULARISERS)).run()
        at.toggle(key="compare.long").set_value(True).run()
        assert not at.exception, at.exception
    finally:
        svc.shutdown()
    text = markdown(at)
    loaded = pre.load(real_store, requests())
    # the numbers, computed here with NumPy straight from the stored histories
    plain = np.asarray(loaded["no_dropout"]["val_loss"])
    assert f"lowest at epoch {plain.argmin() + 1} ({plain.min():.3f})" in text
    sweep = sweep_histories(loaded)
    final = {r: np.mean([h["val_loss"][-1] for h in hs]) for r, hs in sweep.items()}
    best = min(final, key=final.get)
    assert f"the lowest validation loss is at rate {best:g} ({final[best]:.3f}" in text
    top = np.mean([h["val_loss"] for h in sweep[0.8]], axis=0)
    if top.argmin() + 1 > 45:  # lowest in the last tenth: said to be still falling
        assert "under-trained, not unable to learn" in text
    else:
        assert "it has stopped falling before the end" in text
    long = long_histories(pre.load(real_store, catalogue.long_requests()))
    top_long = np.mean([h["val_loss"] for h in long[0.8]], axis=0)
    assert f"**0.8** epoch {top_long.argmin() + 1} ({top_long.min():.3f})" in text
    for phrase in ("cannot fit", "up again*", "The best rate on this data", "less-trained"):
        assert phrase not in text
