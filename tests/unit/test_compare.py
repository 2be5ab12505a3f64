"""The Compare step's engine: the precomputed set, the sweep statistics, the solution check,
the figures, and warming."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import pytest

from dropout_lab.charts import curves, run_colours
from dropout_lab.charts import sweep as sweep_charts
from dropout_lab.codelab.reader import parse_code
from dropout_lab.findings import sweep as stats
from dropout_lab.lesson import catalogue
from dropout_lab.lesson.labs import load_lab
from dropout_lab.lesson.spec import TrainConfig, lesson_spec, run_key
from dropout_lab.training import compare, precompute
from dropout_lab.training.runstore import RunStore


def fake_history(n: int = 6, offset: float = 0.0) -> dict[str, list[float]]:
    t = np.arange(1, n + 1, dtype=float)
    return {
        "loss": list(1.0 / t + offset),
        "accuracy": list(0.6 + 0.05 * t / n + offset),
        "val_loss": list(0.5 + (t - 2) ** 2 / 10 + offset),  # lowest at epoch 2
        "val_accuracy": list(0.7 + 0.01 * t + offset),
    }


def validated(fig: go.Figure) -> dict:
    """Plotly's full validation (make_figure skips it), then the figure as a dict."""
    return go.Figure(fig.to_dict()).to_dict()


# --------------------------------------------------------------------------- the set


def test_requests_cover_the_pair_the_sweep_and_the_regularisers() -> None:
    reqs = catalogue.requests()
    names = [r.name for r in reqs]
    assert len(names) == len(set(names))
    by_name = {r.name: r for r in reqs}
    assert names[:2] == [catalogue.NO_DROPOUT, catalogue.DROPOUT]  # the pair is computed first
    for rate in (0.0, 0.1, 0.2, 0.3, 0.5, 0.8):
        for seed in stats.SEEDS:
            r = by_name[stats.sweep_name(rate, seed)]
            assert r.spec == lesson_spec(rate) and r.config.seed == seed
    assert len(stats.SEEDS) >= 3
    lab = load_lab("overfit").config
    solution = parse_code(load_lab("overfit").solution).spec
    starter = parse_code(load_lab("overfit").starter).spec
    pair = by_name[catalogue.DROPOUT]
    assert pair.spec.identity() == lesson_spec(catalogue.PAIR_RATE).identity()
    # the lab's solution (one layout that reaches its goals) is a run of the sweep: stored
    assert any(r.spec.identity() == solution.identity() and r.config == pair.config for r in reqs)
    assert by_name[catalogue.NO_DROPOUT].spec.identity() == starter.identity()
    assert all(r.config.epochs == lab.epochs for r in reqs)
    assert all(lay.l2 == catalogue.L2 for lay in by_name[catalogue.L2_ONLY].spec.layers[:-1])
    assert by_name[catalogue.L2_ONLY].spec.dropout_rates() == []
    assert by_name[catalogue.EARLY_STOP].config.early_stopping_patience == catalogue.PATIENCE
    assert by_name[catalogue.DROPOUT_L2].spec == lesson_spec(0.3, l2=catalogue.L2)
    # the pair is also part of the sweep: the same runs, trained once
    key = {r.name: run_key(r.spec, r.config) for r in reqs}
    assert key[catalogue.NO_DROPOUT] == key[stats.sweep_name(0.0, 0)]
    assert key[catalogue.DROPOUT] == key[stats.sweep_name(0.3, 0)]
    assert len(catalogue.unique(reqs)) == len(reqs) - 2


# --------------------------------------------------------------------------- aggregation


def test_gap_and_best_epoch() -> None:
    h = fake_history()
    assert stats.gap(h) == pytest.approx(np.subtract(h["val_loss"], h["loss"]))
    assert stats.best_epoch(h) == 2
    assert stats.best_epoch({"val_loss": [0.5, 0.4, 0.4]}) == 2  # first on ties


def test_band_is_mean_and_spread_over_seeds() -> None:
    hs = [fake_history(offset=o) for o in (0.0, 0.1, 0.5)]
    b = stats.band(hs, "val_loss")
    assert b.n == 3
    assert b.mean == pytest.approx(np.mean([h["val_loss"] for h in hs], axis=0))
    assert b.lo == pytest.approx(hs[0]["val_loss"]) and b.hi == pytest.approx(hs[2]["val_loss"])
    assert stats.band(hs, "gap").mean == pytest.approx(stats.gap(hs[0]))  # offsets cancel
    short = stats.band([fake_history(6), fake_history(4)], "loss")
    assert len(short.mean) == 4
    with pytest.raises(ValueError):
        stats.band([], "loss")


def test_summary_rows_and_table() -> None:
    loaded = {stats.sweep_name(0.0, s): fake_history(offset=0.1 * s) for s in stats.SEEDS}
    loaded[stats.sweep_name(0.5, 0)] = fake_history(offset=-0.2)
    sweep = stats.sweep_histories(loaded)
    assert sorted(sweep) == [0.0, 0.5] and len(sweep[0.0]) == 3
    rows = stats.summary_rows(sweep)
    r0 = rows[0]
    assert r0["rate"] == 0.0 and r0["seeds"] == 3
    finals = [h["val_loss"][-1] for h in sweep[0.0]]
    assert r0["final_val_loss"] == pytest.approx(np.mean(finals))
    assert r0["final_val_loss_sd"] == pytest.approx(np.std(finals, ddof=1))
    assert r0["best_epoch"] == 2
    assert r0["best_val_accuracy"] == pytest.approx(np.mean([max(h["val_accuracy"])
                                                             for h in sweep[0.0]]))  # fmt: skip
    assert rows[1]["final_val_loss_sd"] == 0.0  # one seed
    assert stats.best_rate(rows) == 0.0  # the highest final validation accuracy
    headers = {"rate": "Rate", "final_val_loss": "Final val. loss", "best_epoch": "Best epoch"}
    table = stats.summary_table(rows, headers)
    assert list(table[0]) == ["Rate", "Final val. loss", "Best epoch"]
    assert table[0]["Best epoch"] == "2.0 ± 0.0"
    assert table[0]["Final val. loss"] == f"{np.mean(finals):.3f} ± {np.std(finals, ddof=1):.3f}"


def test_differences_name_rates_and_placement() -> None:
    ref = lesson_spec(0.3)
    assert compare.differences(ref, ref) == [("same", {})]
    assert compare.differences(lesson_spec(0.5), ref) == [
        ("rates", {"yours": "0.5, 0.5, 0.5", "reference": "0.3, 0.3, 0.3"})
    ]
    assert compare.differences(lesson_spec(0.0), ref)[0] == (
        "no_dropout",
        {"reference": "0.3, 0.3, 0.3"},
    )
    one = parse_code(
        "import keras\nmodel = keras.Sequential([keras.layers.Dense(256, activation='relu',"
        " input_shape=(10,)), keras.layers.Dropout(0.3), keras.layers.Dense(256, activation="
        "'relu'), keras.layers.Dense(256, activation='relu'), keras.layers.Dense(1, activation="
        "'sigmoid')])\nmodel.compile(optimizer='adam', loss='binary_crossentropy')\n"
    ).spec
    msgs = dict(compare.differences(one, ref))
    assert msgs["rates"] == {"yours": "0.3", "reference": "0.3, 0.3, 0.3"}
    assert msgs["placement"]["yours"] == "after Dense 1"
    assert "l2" in dict(compare.differences(lesson_spec(0.3, l2=1e-3), ref))
    assert compare.dropout_placement(ref) == ["after Dense 1", "after Dense 2", "after Dense 3"]


def test_every_difference_has_words() -> None:
    from dropout_lab.lesson.content import step_text

    words = step_text("compare")["solution"]
    for msg in ("same", "same_layers", "no_dropout", "rates", "placement", "layers", "l2",
                "other_layers", "optimizer"):  # fmt: skip
        assert msg in words


# --------------------------------------------------------------------------- figures


def test_curves_figure_traces_axes_and_names() -> None:
    runs = [
        curves.Curve("No dropout", fake_history(), run_colours.COLOURS[catalogue.NO_DROPOUT]),
        curves.Curve(
            "Dropout(0.3)", fake_history(offset=0.1), run_colours.COLOURS[catalogue.DROPOUT]
        ),
    ]
    fig = validated(curves.curves_figure(runs, epochs_total=6))
    by_name = {t["name"]: t for t in fig["data"]}
    for run, colour in zip(runs, ("#D55E00", "#0072B2"), strict=True):
        label = run.label
        train, val = by_name[f"{label}: training"], by_name[f"{label}: validation"]
        assert train["line"]["dash"] == "solid" and val["line"]["dash"] == "dash"
        assert train["line"]["color"] == val["line"]["color"] == colour
        star = by_name[f"{label}: lowest validation loss"]
        assert star["marker"]["symbol"] == "star" and list(star["x"]) == [2]
        gap = by_name[f"{label}: gap"]
        assert gap["xaxis"] == "x3"
        assert list(gap["y"]) == pytest.approx(stats.gap(run.history))
    # loss and accuracy: one trace per split in each panel; legend entries once per run
    loss = [t for t in fig["data"] if t.get("yaxis", "y") == "y" and "lines" in t["mode"]]
    acc = [t for t in fig["data"] if t.get("yaxis") == "y2"]
    assert len(loss) == len(acc) == 4
    assert sum(bool(t.get("showlegend", True)) for t in fig["data"]) == 4
    layout = fig["layout"]
    assert layout["xaxis2"]["matches"] == layout["xaxis3"]["matches"] == "x"
    assert list(layout["xaxis"]["range"]) == [0.5, 6.5]
    titles = [a["text"] for a in layout["annotations"]]
    assert any("Generalisation gap" in t for t in titles)
    assert layout["yaxis3"]["title"]["text"] == "validation − training loss"


def test_sweep_figure_has_a_mean_and_a_band_per_rate() -> None:
    sweep = {r: [fake_history(offset=o) for o in (0.0, 0.1, 0.2)] for r in (0.0, 0.3, 0.8)}
    fig = validated(sweep_charts.sweep_figure(sweep))
    names = [t["name"] for t in fig["data"]]
    for r in ("0", "0.3", "0.8"):
        assert f"rate {r} (3 seeds)" in names and f"rate {r}: spread" in names
    band = next(t for t in fig["data"] if t["name"] == "rate 0.3: spread" and t["yaxis"] == "y")
    assert band["fill"] == "toself" and len(band["x"]) == 12
    mean = next(t for t in fig["data"] if t["name"] == "rate 0.3 (3 seeds)" and t["yaxis"] == "y")
    assert list(mean["y"]) == pytest.approx(stats.band(sweep[0.3], "val_loss").mean)
    assert fig["layout"]["yaxis2"]["title"]["text"] == "validation accuracy"


def test_rate_figure_plots_the_summary_against_the_rate() -> None:
    sweep = {r: [fake_history(offset=r)] * 3 for r in stats.RATES}
    rows = stats.summary_rows(sweep)
    fig = validated(sweep_charts.rate_figure(rows))
    by_name = {t["name"]: t for t in fig["data"]}
    assert list(by_name["final validation loss"]["x"]) == list(stats.RATES)
    assert list(by_name["validation error"]["y"]) == pytest.approx(
        [1 - r["final_val_accuracy"] for r in rows]
    )
    assert by_name["training error"]["yaxis"] == "y2"
    assert fig["layout"]["xaxis"]["title"]["text"] == "dropout rate"


def test_colours_are_okabe_ito_and_distinct() -> None:
    names = (catalogue.NO_DROPOUT, catalogue.DROPOUT, *catalogue.REGULARISERS, "yours")
    shown = [run_colours.COLOURS[n] for n in names]
    assert len(set(shown)) == len(shown)
    assert len(set(sweep_charts.RATE_COLOURS.values())) == len(stats.RATES)


# --------------------------------------------------------------------------- loading, warming


@dataclass
class FakeStatus:
    state: str
    epochs_done: int = 0
    epochs_total: int = 0

    @property
    def finished(self) -> bool:
        return self.state in ("done", "stopped", "failed")


class FakeService:
    """Trains nothing: a submitted run is 'running' until finish() stores it."""

    max_workers = 2

    def __init__(self, store: RunStore) -> None:
        self.store = store
        self.submitted: list[str] = []
        self.running: set[str] = set()
        self.lock = threading.Lock()
        self.queued = 0

    def stats(self) -> dict[str, int]:
        with self.lock:
            return {"queued": self.queued, "running": len(self.running)}

    def submit(self, spec, config) -> str:
        key = run_key(spec, config)
        with self.lock:
            self.submitted.append(key)
            if not self.store.has(key):
                self.running.add(key)
        return key

    def status(self, key: str) -> FakeStatus:
        if self.store.has(key):
            return FakeStatus("done", 2, 2)
        return FakeStatus("running", 1, 2) if key in self.running else FakeStatus("failed")

    def finish_all(self, reqs) -> None:
        with self.lock:
            keys = set(self.running)
            self.running.clear()
        for r in reqs:
            if run_key(r.spec, r.config) in keys:
                put_fake(self.store, r)


def put_fake(store: RunStore, req, history=None) -> None:
    from dropout_lab.lesson.spec import RunResult

    history = history or fake_history(req.config.epochs)
    store.put(RunResult(key=run_key(req.spec, req.config), spec=req.spec, config=req.config,
                        history=history, epochs_done=len(history["loss"]), stopped=False,
                        best_epoch=2, train_seconds=0.0, weights=[]))  # fmt: skip


def test_load_and_progress(tmp_path) -> None:
    store = RunStore(tmp_path)
    reqs = catalogue.requests(TrainConfig(epochs=6))
    svc = FakeService(store)
    prog = precompute.progress(svc, reqs)
    assert (prog.done, prog.total, prog.complete, prog.fraction) == (0, 21, False, 0.0)
    put_fake(store, reqs[0])
    svc.submit(reqs[1].spec, reqs[1].config)
    prog = precompute.progress(svc, reqs)
    assert prog.done == 1 and prog.running == ((reqs[1].name, 1, 2),)
    assert prog.fraction == pytest.approx(1.5 / 21)
    loaded = precompute.load(store, reqs)
    assert set(loaded) == {catalogue.NO_DROPOUT, stats.sweep_name(0.0, 0)}  # one run, two names


def test_precomputer_submits_only_when_a_worker_is_free(tmp_path) -> None:
    store = RunStore(tmp_path)
    reqs = catalogue.requests(TrainConfig(epochs=2))[:5]
    put_fake(store, reqs[0])  # already there: never submitted
    svc = FakeService(store)
    svc.queued = 1  # a learner's run waits: nothing is submitted
    pre = precompute.Precomputer(svc, reqs, poll=0.01).start()
    pre.join(0.2)
    assert svc.submitted == []
    svc.queued = 0
    pre.join(0.3)
    assert len(svc.submitted) == svc.max_workers  # fills the free workers, then waits
    svc.finish_all(reqs)
    pre.join(0.3)
    svc.finish_all(reqs)
    pre.join(2)
    assert not pre.alive
    assert set(svc.submitted) == {run_key(r.spec, r.config) for r in reqs[1:]}
    assert precompute.progress(svc, reqs).complete


def test_warm_through_a_service_reports_counts(tmp_path) -> None:
    store = RunStore(tmp_path)
    reqs = catalogue.requests(TrainConfig(epochs=2))[:4]
    put_fake(store, reqs[0])
    svc = FakeService(store)
    seen = []

    def on_progress(done: int, total: int, busy: str) -> None:
        seen.append((done, total))
        svc.finish_all(reqs)

    counts = precompute.warm(svc, on_progress, reqs=reqs, poll=0.01)
    assert counts == {"total": 4, "cached": 1, "computed": 3, "failed": 0}
    assert seen[0] == (1, 4) and seen[-1] == (4, 4)


def test_warm_here_trains_what_is_missing(tmp_path) -> None:
    store = RunStore(tmp_path)
    reqs = catalogue.requests(TrainConfig(epochs=2))[:3]
    counts = precompute.warm(store, reqs=reqs)
    assert counts == {"total": 3, "cached": 0, "computed": 3, "failed": 0}
    loaded = precompute.load(store, reqs)
    assert len(loaded[catalogue.NO_DROPOUT]["val_loss"]) == 2
    assert precompute.warm(store, reqs=reqs)["cached"] == 3
