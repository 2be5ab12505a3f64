"""The Compare step's engine: the precomputed runs, their aggregation, and the figures.

The precomputed set is the same model on the same data, trained with the lab's configuration
(50 epochs, batch 32, Adam), in these variants:

* the rate sweep: `lesson_spec(rate)` for each rate of the lesson's tables × SEEDS; its seed-0
  members at rates 0.0 and 0.3 are "the pair" (no dropout against Dropout(0.3));
* the other regularisers of the lesson's comparison table, seed 0: L2 weight decay, early
  stopping (best weights restored), and Dropout(0.3) with L2.

Everything is identified by run key, so these runs are shared with the Build step (a learner's
starter run with the default settings *is* the no-dropout run). `warm` computes what is missing;
`Precomputer` does the same in the background of a server without crowding out learners.

Pure functions, no Streamlit, no TensorFlow (training happens in worker processes).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

import numpy as np
import plotly.graph_objects as go

from dropout_lab.charts import figures as fg
from dropout_lab.lesson.labs import load_lab
from dropout_lab.lesson.spec import ModelSpec, TrainConfig, lesson_spec, run_key
from dropout_lab.training.runs import RunStore, TrainingService

RATES = (0.0, 0.1, 0.2, 0.3, 0.5, 0.8)  # the rates of the lesson's tables
SEEDS = (0, 1, 2)  # training seeds per rate: mean and spread
PAIR_RATE = 0.3  # the lesson's dropout rate (the reference solution's)
L2 = 1e-3  # the L2 factor of the regulariser comparison (per Dense kernel)
PATIENCE = 5  # early stopping patience, epochs (the reading's example)

# Stable ids of the regularisers (also the widget options of the page).
NO_DROPOUT, DROPOUT, L2_ONLY, EARLY_STOP, DROPOUT_L2 = (
    "no_dropout",
    "dropout",
    "l2",
    "early_stopping",
    "dropout_l2",
)
REGULARISERS = (L2_ONLY, EARLY_STOP, DROPOUT_L2)

# One colour per model across every Compare chart (Okabe-Ito): no dropout is the warning colour.
COLOURS = {
    NO_DROPOUT: fg.VERMILLION,
    DROPOUT: fg.BLUE,
    L2_ONLY: fg.PURPLE,
    EARLY_STOP: fg.ORANGE,
    DROPOUT_L2: fg.SKY,
    "yours": fg.GREEN,
    "reference": fg.BLUE,
    "other": fg.INK,
}
# Rates are ordered: a sequential, colour-blind-safe scale (viridis, its pale end cut off).
RATE_COLOURS = {0.0: "#440154", 0.1: "#414487", 0.2: "#2A788E", 0.3: "#22A884",
                0.5: "#7AD151", 0.8: "#B8A40B"}  # fmt: skip


class Request(NamedTuple):
    """One precomputed run: unpacks as (name, spec, config)."""

    name: str
    spec: ModelSpec
    config: TrainConfig


def base_config() -> TrainConfig:
    """The lab's default training configuration (what the Build step starts from)."""
    return load_lab("overfit").config


def sweep_name(rate: float, seed: int) -> str:
    return f"rate {rate:g} seed {seed}"


def requests(config: TrainConfig | None = None) -> list[Request]:
    """Every precomputed run, most wanted first: the pair, the regularisers, then the sweep."""
    base = config or base_config()
    seeded = [replace(base, seed=s) for s in SEEDS]
    out = [
        Request(NO_DROPOUT, lesson_spec(0.0), seeded[0]),
        Request(DROPOUT, lesson_spec(PAIR_RATE), seeded[0]),
        Request(L2_ONLY, lesson_spec(0.0, l2=L2), seeded[0]),
        Request(EARLY_STOP, lesson_spec(0.0), replace(seeded[0], early_stopping_patience=PATIENCE)),
        Request(DROPOUT_L2, lesson_spec(PAIR_RATE, l2=L2), seeded[0]),
    ]
    for seed, cfg in zip(SEEDS, seeded, strict=True):
        for rate in RATES:
            out.append(Request(sweep_name(rate, seed), lesson_spec(rate), cfg))
    return out


def unique(reqs: Iterable[Request]) -> list[Request]:
    """`reqs` without repeated runs (the pair is also part of the sweep), first name kept."""
    seen: set[str] = set()
    out = []
    for r in reqs:
        key = run_key(r.spec, r.config)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


# --------------------------------------------------------------------------- loading, progress


def load(store: RunStore, reqs: Sequence[Request] | None = None) -> dict[str, dict]:
    """name → history of every request whose complete run is stored (reads no weights)."""
    out = {}
    for r in reqs if reqs is not None else requests():
        meta = store.meta(run_key(r.spec, r.config), partial=False)
        if meta is not None:
            out[r.name] = meta["history"]
    return out


@dataclass(frozen=True)
class Progress:
    """How far the precomputed set is: whole runs stored, plus the epochs of runs under way."""

    total: int  # distinct runs
    done: int  # stored
    running: tuple[tuple[str, int, int], ...] = ()  # (name, epochs done, epochs total)

    @property
    def complete(self) -> bool:
        return self.done >= self.total

    @property
    def fraction(self) -> float:
        partial = sum(d / t for _, d, t in self.running if t)
        return min(1.0, (self.done + partial) / max(self.total, 1))


def progress(service: TrainingService, reqs: Sequence[Request] | None = None) -> Progress:
    """What is stored and what is being trained (by this process's service or another's)."""
    reqs = unique(reqs if reqs is not None else requests())
    done, running = 0, []
    for r in reqs:
        key = run_key(r.spec, r.config)
        if service.store.has(key):
            done += 1
            continue
        status = service.status(key)
        if status.state == "running":
            running.append((r.name, status.epochs_done, status.epochs_total or r.config.epochs))
    return Progress(len(reqs), done, tuple(running))


# --------------------------------------------------------------------------- computing


def _service_free(service: TrainingService) -> bool:
    stats = service.stats()
    return stats["queued"] == 0 and stats["running"] < service.max_workers


class Precomputer:
    """Submits the missing precomputed runs to a shared service, in the background, politely:
    a run is submitted only when nothing waits in the queue and a worker is free, so a
    learner's own run never waits behind more than the runs already training."""

    def __init__(
        self, service: TrainingService, reqs: Sequence[Request] | None = None, poll: float = 0.25
    ) -> None:
        self.service = service
        self.reqs = unique(reqs if reqs is not None else requests())
        self.poll = poll
        self.submitted: list[str] = []
        self.error: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name="dropout-lab-precompute", daemon=True
        )

    def start(self) -> Precomputer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        try:
            for r in self.reqs:
                if self.service.store.has(run_key(r.spec, r.config)):
                    continue
                while not self._stop.is_set() and not _service_free(self.service):
                    time.sleep(self.poll)
                if self._stop.is_set():
                    return
                self.submitted.append(self.service.submit(r.spec, r.config))
                time.sleep(self.poll)  # let the dispatcher hand it to a worker
        except RuntimeError as exc:  # the service was shut down
            self.error = str(exc)


ProgressCallback = Callable[[int, int, str], None]  # (finished, total, what is training)


def warm(
    target: TrainingService | RunStore,
    on_progress: ProgressCallback | None = None,
    reqs: Sequence[Request] | None = None,
    poll: float = 0.2,
) -> dict[str, int]:
    """Compute every missing precomputed run and wait for them; returns the counts
    {"total", "cached", "computed", "failed"}.

    With a TrainingService the runs train in its worker processes, in parallel; with a RunStore
    they train here, one after another (this imports TensorFlow).
    """
    reqs = unique(reqs if reqs is not None else requests())
    if isinstance(target, RunStore):
        return _warm_here(target, reqs, on_progress)
    service = target
    keys = {r.name: run_key(r.spec, r.config) for r in reqs}
    cached = sum(service.store.has(k) for k in keys.values())
    for r in reqs:
        service.submit(r.spec, r.config)
    failed: set[str] = set()
    while True:
        statuses = {name: service.status(k) for name, k in keys.items()}
        finished = [n for n, s in statuses.items() if s.finished]
        failed = {n for n, s in statuses.items() if s.state == "failed"}
        if on_progress is not None:
            busy = [f"{n} ({s.epochs_done}/{s.epochs_total})"
                    for n, s in statuses.items() if s.state == "running"]  # fmt: skip
            on_progress(len(finished), len(reqs), ", ".join(busy))
        if len(finished) == len(reqs):
            break
        time.sleep(poll)
    computed = len(reqs) - cached - len(failed)
    return {"total": len(reqs), "cached": cached, "computed": computed, "failed": len(failed)}


def _warm_here(
    store: RunStore, reqs: Sequence[Request], on_progress: ProgressCallback | None
) -> dict[str, int]:
    from dropout_lab.training.trainer import train

    cached = computed = 0
    for i, r in enumerate(reqs):
        key = run_key(r.spec, r.config)
        if on_progress is not None:
            on_progress(i, len(reqs), r.name)
        if store.has(key):
            cached += 1
            continue
        with store.training_lock(key):
            if store.has(key):
                cached += 1
                continue
            store.put(train(r.spec, r.config))
            computed += 1
    if on_progress is not None:
        on_progress(len(reqs), len(reqs), "")
    return {"total": len(reqs), "cached": cached, "computed": computed, "failed": 0}


# --------------------------------------------------------------------------- aggregation


def gap(history: dict[str, list[float]]) -> list[float]:
    """The generalisation gap per epoch: validation loss minus training loss."""
    return [v - t for t, v in zip(history["loss"], history["val_loss"], strict=True)]


def best_epoch(history: dict[str, list[float]]) -> int:
    """1-based epoch of the lowest validation loss (the first on ties)."""
    val_loss = history["val_loss"]
    return int(np.argmin(val_loss)) + 1


@dataclass(frozen=True)
class Band:
    """Per-epoch mean and spread (the lowest and highest seed) of one metric over seeds."""

    mean: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    n: int  # seeds


def band(histories: Sequence[dict[str, list[float]]], metric: str) -> Band:
    """Mean, min and max per epoch over `histories` (cut to the shortest, if they differ)."""
    if not histories:
        raise ValueError("band() needs at least one history")
    series = [gap(h) if metric == "gap" else h[metric] for h in histories]
    n = min(len(s) for s in series)
    values = np.array([s[:n] for s in series], dtype=float)
    return Band(values.mean(axis=0), values.min(axis=0), values.max(axis=0), len(series))


def sweep_histories(loaded: dict[str, dict]) -> dict[float, list[dict]]:
    """rate → the histories of its seeds that are loaded (rates with none are left out)."""
    out: dict[float, list[dict]] = {}
    for rate in RATES:
        found = [loaded[sweep_name(rate, s)] for s in SEEDS if sweep_name(rate, s) in loaded]
        if found:
            out[rate] = found
    return out


SUMMARY_COLUMNS = ("best_val_accuracy", "final_val_accuracy", "final_accuracy",
                   "final_val_loss", "final_gap", "best_epoch")  # fmt: skip


def summary_rows(sweep: dict[float, list[dict]]) -> list[dict[str, Any]]:
    """One row per rate: each SUMMARY_COLUMNS value as the mean over seeds, and `<col>_sd`
    its standard deviation (0 with one seed), plus `rate` and `seeds`."""
    rows = []
    for rate, histories in sorted(sweep.items()):
        per_seed = {
            "best_val_accuracy": [max(h["val_accuracy"]) for h in histories],
            "final_val_accuracy": [h["val_accuracy"][-1] for h in histories],
            "final_accuracy": [h["accuracy"][-1] for h in histories],
            "final_val_loss": [h["val_loss"][-1] for h in histories],
            "final_gap": [gap(h)[-1] for h in histories],
            "best_epoch": [best_epoch(h) for h in histories],
        }
        row: dict[str, Any] = {"rate": rate, "seeds": len(histories)}
        for col in SUMMARY_COLUMNS:
            values = np.asarray(per_seed[col], dtype=float)
            row[col] = float(values.mean())
            row[f"{col}_sd"] = float(values.std(ddof=1)) if values.size > 1 else 0.0
        rows.append(row)
    return rows


def summary_table(rows: Sequence[dict[str, Any]], headers: dict[str, str]) -> list[dict[str, str]]:
    """The summary rows as display strings, "mean ± sd", under the `headers` (column → title)."""
    digits = {"best_epoch": 1}
    table = []
    for row in rows:
        shown = {headers["rate"]: f"{row['rate']:g}"}
        for col in SUMMARY_COLUMNS:
            if col in headers:
                d = digits.get(col, 3)
                shown[headers[col]] = f"{row[col]:.{d}f} ± {row[col + '_sd']:.{d}f}"
        table.append(shown)
    return table


def best_rate(rows: Sequence[dict[str, Any]]) -> float | None:
    """The rate with the highest mean final validation accuracy (the lowest validation error)."""
    return max(rows, key=lambda r: r["final_val_accuracy"])["rate"] if rows else None


def dropout_placement(spec: ModelSpec) -> list[str]:
    """Where each dropout layer sits, e.g. ['after Dense 1', 'after Dense 2', 'after the input']."""
    out, dense = [], 0
    for layer in spec.layers:
        if layer.kind == "Dense":
            dense += 1
        elif layer.kind in ("Dropout", "AlphaDropout"):
            out.append(f"after Dense {dense}" if dense else "after the input")
    return out


def differences(yours: ModelSpec, reference: ModelSpec) -> list[tuple[str, dict[str, str]]]:
    """What differs between the learner's model and the reference, as (message id, fields);
    the words of each id live in lessons/compare.toml. [("same", {})] when nothing does."""
    if yours.identity() == reference.identity():
        return [("same", {})]

    def rates(spec: ModelSpec) -> str:
        return ", ".join(f"{r:g}" for r in spec.dropout_rates()) or "none"

    def places(spec: ModelSpec) -> str:
        return ", ".join(dropout_placement(spec)) or "nowhere"

    out: list[tuple[str, dict[str, str]]] = []
    if not yours.dropout_rates():
        out.append(("no_dropout", {}))
    elif rates(yours) != rates(reference):
        out.append(("rates", {"yours": rates(yours), "reference": rates(reference)}))
    if yours.dropout_rates() and places(yours) != places(reference):
        out.append(("placement", {"yours": places(yours), "reference": places(reference)}))
    dense = [(lay.units, lay.activation) for lay in yours.layers if lay.kind == "Dense"]
    ref_dense = [(lay.units, lay.activation) for lay in reference.layers if lay.kind == "Dense"]
    if dense != ref_dense:
        out.append(("layers", {"yours": yours.describe(), "reference": reference.describe()}))
    if any(lay.l2 for lay in yours.layers):
        out.append(("l2", {}))
    others = [lay.describe() for lay in yours.layers
              if lay.kind in ("GaussianNoise", "BatchNormalization")]  # fmt: skip
    if others:
        out.append(("other_layers", {"layers": ", ".join(others)}))
    if (yours.optimizer, yours.learning_rate) != (reference.optimizer, reference.learning_rate):
        lr = f" (learning rate {yours.learning_rate:g})" if yours.learning_rate else ""
        out.append(("optimizer", {"yours": yours.optimizer + lr, "reference": reference.optimizer}))
    return out or [("same_layers", {})]


# --------------------------------------------------------------------------- figures


def _title(text: str, dom: Sequence[float], y: float = 1.09) -> dict:
    return {"text": f"<b>{text}</b>", "x": sum(dom) / 2, "y": y, "xref": "paper",
            "yref": "paper", "showarrow": False, "font": {"size": 13}}  # fmt: skip


class Curve(NamedTuple):
    label: str
    history: dict[str, list[float]]
    colour: str


def curves_figure(
    runs: Sequence[Curve], *, epochs_total: int | None = None, height: int = 400
) -> go.Figure:
    """Three panels sharing the epoch axis: loss, accuracy, and the generalisation gap.

    Training solid, validation dashed, one colour per model; a ★ marks each model's lowest
    validation loss. Clicking a model in the legend hides it in every panel.
    """
    doms = domains(3)
    traces: list[dict] = []
    for label, history, colour in runs:
        n = len(history.get("loss", []))
        epochs = list(range(1, n + 1))
        for axis, metric in (("", "loss"), ("2", "accuracy")):
            for split, dash, width in (("", "solid", 1.8), ("val_", "dash", 2.4)):
                name = "validation" if split else "training"
                traces.append({
                    "type": "scatter", "mode": "lines", "x": epochs,
                    "y": history.get(split + metric, []), "name": f"{label}: {name}",
                    "legendgroup": label, "showlegend": axis == "",
                    "line": {"color": colour, "dash": dash, "width": width},
                    "xaxis": f"x{axis}", "yaxis": f"y{axis}",
                    "hovertemplate": f"{label}<br>epoch %{{x}}<br>{name} {metric} %{{y:.3f}}"
                    "<extra></extra>",
                })  # fmt: skip
        if n:
            best = best_epoch(history)
            traces.append({
                "type": "scatter", "mode": "markers", "x": [best],
                "y": [history["val_loss"][best - 1]], "name": f"{label}: lowest validation loss",
                "legendgroup": label, "showlegend": False, "xaxis": "x", "yaxis": "y",
                "marker": {"color": colour, "size": 13, "symbol": "star",
                           "line": {"color": fg.INK, "width": 1}},
                "hovertemplate": f"{label}: lowest validation loss<br>epoch %{{x}}, "
                "%{y:.3f}<extra></extra>",
            })  # fmt: skip
            traces.append({
                "type": "scatter", "mode": "lines", "x": epochs, "y": gap(history),
                "name": f"{label}: gap", "legendgroup": label, "showlegend": False,
                "line": {"color": colour, "width": 2.4}, "xaxis": "x3", "yaxis": "y3",
                "hovertemplate": f"{label}<br>epoch %{{x}}<br>validation − training loss "
                "%{y:.3f}<extra></extra>",
            })  # fmt: skip
    x_range = [0.5, epochs_total + 0.5] if epochs_total else None
    axis_x = {"title": {"text": "epoch"}, "gridcolor": "#eee", "range": x_range}
    layout = fg.base_layout(
        height,
        margin={"l": 55, "r": 10, "t": 45, "b": 50},
        legend={"orientation": "h", "y": -0.2, "x": 0},
        hovermode="closest",
        xaxis={**axis_x, "domain": doms[0], "anchor": "y"},
        xaxis2={**axis_x, "domain": doms[1], "anchor": "y2", "matches": "x"},
        xaxis3={**axis_x, "domain": doms[2], "anchor": "y3", "matches": "x"},
        yaxis={"title": {"text": "loss (cross-entropy)"}, "gridcolor": "#eee", "anchor": "x",
               "rangemode": "tozero"},
        yaxis2={"title": {"text": "accuracy"}, "gridcolor": "#eee", "anchor": "x2"},
        yaxis3={"title": {"text": "validation − training loss"}, "gridcolor": "#eee",
                "anchor": "x3", "zeroline": True, "zerolinecolor": "#999"},
        annotations=[_title("Loss", doms[0]), _title("Accuracy", doms[1]),
                     _title("Generalisation gap", doms[2])],
    )  # fmt: skip
    return fg.make_figure(traces, layout)


def domains(n: int) -> list[list[float]]:
    return fg.domains(n, gap=0.08 if n > 2 else 0.1)


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def sweep_figure(sweep: dict[float, list[dict]], *, height: int = 400) -> go.Figure:
    """Validation loss and validation accuracy per epoch for each rate: the mean over seeds as a
    line, the lowest-to-highest seed as a band."""
    doms = domains(2)
    traces: list[dict] = []
    for rate, histories in sorted(sweep.items()):
        colour = RATE_COLOURS.get(rate, fg.INK)
        label = f"rate {rate:g}"
        for axis, metric in (("", "val_loss"), ("2", "val_accuracy")):
            b = band(histories, metric)
            epochs = list(range(1, len(b.mean) + 1))
            traces.append({
                "type": "scatter", "mode": "lines", "x": epochs + epochs[::-1],
                "y": list(b.hi) + list(b.lo[::-1]), "fill": "toself",
                "fillcolor": _rgba(colour, 0.18), "line": {"width": 0}, "hoverinfo": "skip",
                "name": f"{label}: spread", "legendgroup": label, "showlegend": False,
                "xaxis": f"x{axis}", "yaxis": f"y{axis}",
            })  # fmt: skip
            traces.append({
                "type": "scatter", "mode": "lines", "x": epochs, "y": list(b.mean),
                "name": f"{label} ({b.n} seeds)", "legendgroup": label,
                "showlegend": axis == "", "line": {"color": colour, "width": 2.2},
                "xaxis": f"x{axis}", "yaxis": f"y{axis}",
                "hovertemplate": f"{label}<br>epoch %{{x}}<br>mean {metric} %{{y:.3f}}"
                "<extra></extra>",
            })  # fmt: skip
    axis_x = {"title": {"text": "epoch"}, "gridcolor": "#eee"}
    layout = fg.base_layout(
        height,
        margin={"l": 55, "r": 10, "t": 45, "b": 50},
        legend={"orientation": "h", "y": -0.2, "x": 0},
        xaxis={**axis_x, "domain": doms[0], "anchor": "y"},
        xaxis2={**axis_x, "domain": doms[1], "anchor": "y2", "matches": "x"},
        yaxis={"title": {"text": "validation loss"}, "gridcolor": "#eee", "anchor": "x",
               "rangemode": "tozero"},
        yaxis2={"title": {"text": "validation accuracy"}, "gridcolor": "#eee", "anchor": "x2"},
        annotations=[_title("Validation loss (mean and spread over seeds)", doms[0]),
                     _title("Validation accuracy", doms[1])],
    )  # fmt: skip
    return fg.make_figure(traces, layout)


def rate_figure(rows: Sequence[dict[str, Any]], *, height: int = 360) -> go.Figure:
    """The end of training against the rate. Left: final validation loss (mean ± sd over seeds).
    Right: training and validation error (1 − accuracy): far apart at 0 (overfit), close
    together at 0.8 with the validation error up again (underfit)."""
    doms = domains(2)
    rates = [r["rate"] for r in rows]
    ticks = {"tickvals": list(RATES), "ticktext": [f"{r:g}" for r in RATES]}
    axis_x = {"title": {"text": "dropout rate"}, "gridcolor": "#eee", "range": [-0.05, 0.85],
              **ticks}  # fmt: skip
    traces = [
        {"type": "scatter", "mode": "lines+markers", "x": rates,
         "y": [r["final_val_loss"] for r in rows], "name": "final validation loss",
         "error_y": {"type": "data", "array": [r["final_val_loss_sd"] for r in rows],
                     "visible": True, "color": fg.VERMILLION},
         "line": {"color": fg.VERMILLION, "width": 2.4}, "marker": {"size": 9},
         "xaxis": "x", "yaxis": "y",
         "hovertemplate": "rate %{x}<br>final validation loss %{y:.3f}<extra></extra>"},
        {"type": "scatter", "mode": "lines+markers", "x": rates,
         "y": [1 - r["final_accuracy"] for r in rows], "name": "training error",
         "line": {"color": fg.BLUE, "width": 1.8}, "marker": {"size": 8, "symbol": "circle"},
         "xaxis": "x2", "yaxis": "y2",
         "hovertemplate": "rate %{x}<br>training error %{y:.3f}<extra></extra>"},
        {"type": "scatter", "mode": "lines+markers", "x": rates,
         "y": [1 - r["final_val_accuracy"] for r in rows], "name": "validation error",
         "error_y": {"type": "data", "array": [r["final_val_accuracy_sd"] for r in rows],
                     "visible": True, "color": fg.BLUE},
         "line": {"color": fg.BLUE, "width": 2.4, "dash": "dash"},
         "marker": {"size": 9, "symbol": "diamond"}, "xaxis": "x2", "yaxis": "y2",
         "hovertemplate": "rate %{x}<br>validation error %{y:.3f}<extra></extra>"},
    ]  # fmt: skip
    layout = fg.base_layout(
        height,
        margin={"l": 55, "r": 10, "t": 45, "b": 50},
        legend={"orientation": "h", "y": -0.25, "x": 0},
        xaxis={**axis_x, "domain": doms[0], "anchor": "y"},
        xaxis2={**axis_x, "domain": doms[1], "anchor": "y2"},
        yaxis={"title": {"text": "validation loss after the last epoch"}, "gridcolor": "#eee",
               "anchor": "x", "rangemode": "tozero"},
        yaxis2={"title": {"text": "error (1 − accuracy), last epoch"}, "gridcolor": "#eee",
                "anchor": "x2", "rangemode": "tozero"},
        annotations=[_title("Final validation loss", doms[0]),
                     _title("Training and validation error", doms[1])],
    )  # fmt: skip
    return fg.make_figure(traces, layout)
