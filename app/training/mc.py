"""Monte Carlo dropout: dropout left on at inference, many passes, and what their spread means.

Pure engine code (Keras and NumPy, no Streamlit). The Reflect step uses it on the learner's
trained model:

* `mc_predict(model, x, passes, seed)` runs `passes` stochastic forward passes of every row of
  `x` in ONE batched call (x tiled `passes` times) and returns P(malicious) as `(passes, n)`.
  The noise layers (Dropout, AlphaDropout, GaussianNoise, ...) run as in training; every other
  layer runs as at inference. For a model without BatchNormalization that is exactly
  `model(np.tile(x, (passes, 1)), training=True)` after `seed_noise_layers(model, seed)`; with
  BatchNormalization it differs on purpose: `training=True` would normalise with the tiled
  batch's statistics and update the moving averages, which is not MC dropout.
* Seeding is reproducible: each noise layer's seed generator is set to a state derived from
  `seed` and the layer's position before the call, under a lock (the layer's state is the only
  thing mutated, and a model is shared by the sessions of a server for inference only).
* Per packet: mean, standard deviation and flip rate of the passes, next to the deterministic
  prediction (`model(x, training=False)`, what `predict` returns in production).
* Whole validation set: MC mean and spread per connection, and rejection curves (accuracy of
  the most certain x% of connections) for the MC spread and for the deterministic confidence.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from dropout_lab.charts.figures import (
    BLUE,
    GREY,
    INK,
    ORANGE,
    VERMILLION,
    base_layout,
    domains,
    make_figure,
)
from dropout_lab.lesson.traffic import LOG_COLUMNS, TrafficData

if TYPE_CHECKING:
    import keras
    import plotly.graph_objects as go

MAX_PASSES = 500
THRESHOLD = 0.5  # P(malicious) above this raises an alert
# Rows of one batched call are passes × connections; above this the passes are split into
# chunks (T = 500 over 2,000 connections would otherwise hold 1M × 256 floats per layer).
MAX_ROWS_PER_CALL = 100_000
KEEP_FRACTIONS = tuple(np.round(np.arange(0.05, 1.0001, 0.05), 2))

_LOCK = threading.Lock()  # seeding and calling a shared model's noise layers is one step


# --------------------------------------------------------------------------- the passes


def noise_layers(model: keras.Model) -> list[tuple[int, keras.layers.Layer]]:
    """(position, layer) of the layers that are random in training: they own a seed generator."""
    return [(i, layer) for i, layer in enumerate(model.layers) if hasattr(layer, "seed_generator")]


def has_dropout(model: keras.Model) -> bool:
    """True when some layer of `model` is random in training (so MC passes can differ)."""
    return any(getattr(layer, "rate", 0) or getattr(layer, "stddev", 0) for _, layer in
               noise_layers(model))  # fmt: skip


def noise_seed(seed: int, index: int) -> int:
    """The seed of the noise layer at position `index` for the MC seed `seed` (fits in int32)."""
    state = np.random.SeedSequence([int(seed), int(index), 0x3C]).generate_state(1)[0]
    return int(state) & 0x7FFFFFFF


def seed_noise_layers(model: keras.Model, seed: int) -> None:
    """Put every noise layer's seed generator in the state `seed` determines."""
    for i, layer in noise_layers(model):
        state = layer.seed_generator.state
        value = np.array([noise_seed(seed, i), 0])
        state.assign(value.astype(state.dtype))


def _check(x: np.ndarray, passes: int) -> np.ndarray:
    if not isinstance(passes, (int, np.integer)) or isinstance(passes, bool) or passes < 1:
        raise ValueError(f"passes must be a positive integer, got {passes!r}")
    if passes > MAX_PASSES:
        raise ValueError(f"passes must be at most {MAX_PASSES}, got {passes}")
    x = np.asarray(x, dtype=np.float32)
    if x.ndim != 2 or x.shape[0] < 1:
        raise ValueError(f"x must be a non-empty 2-D array (connections, features), got {x.shape}")
    return x


def _forward(model: keras.Model, x: np.ndarray) -> np.ndarray:
    """One call: noise layers as in training, the rest as at inference. Returns (rows,)."""
    h = x
    for layer in model.layers:
        h = layer(h, training=hasattr(layer, "seed_generator"))
    return np.asarray(h, dtype=np.float64).reshape(x.shape[0], -1)[:, 0]


def mc_predict(model: keras.Model, x: np.ndarray, passes: int, seed: int) -> np.ndarray:
    """P(malicious) of `passes` stochastic passes over the rows of `x`: shape (passes, n).

    One batched model call on x tiled `passes` times (row p*n + i is pass p of connection i);
    when passes × n exceeds MAX_ROWS_PER_CALL the passes are split into equal chunks, each
    seeded from (`seed`, chunk). Same model, x, passes and seed: the same array. A model with
    nothing random in it returns `passes` identical copies of its deterministic prediction.
    """
    x = _check(x, passes)
    n = x.shape[0]
    if not has_dropout(model):
        # Nothing random to switch on: every pass is the same network, so compute it once.
        # (A tiled batch would differ only by float rounding between batch positions, ~1e-8.)
        return np.tile(deterministic_predict(model, x), (passes, 1))
    per_call = max(1, MAX_ROWS_PER_CALL // n)
    chunks = [min(per_call, passes - start) for start in range(0, passes, per_call)]
    out = []
    with _LOCK:
        for c, size in enumerate(chunks):
            seed_noise_layers(model, seed if c == 0 else noise_seed(seed, 1000 + c))
            out.append(_forward(model, np.tile(x, (size, 1))).reshape(size, n))
    return np.concatenate(out, axis=0)


def deterministic_predict(model: keras.Model, x: np.ndarray) -> np.ndarray:
    """P(malicious) with dropout off, as `predict` and production use it: shape (n,)."""
    x = np.asarray(x, dtype=np.float32)
    return np.asarray(model(x, training=False), dtype=np.float64).reshape(x.shape[0], -1)[:, 0]


# --------------------------------------------------------------------------- statistics


@dataclass(frozen=True)
class PacketStats:
    """What T passes say about one connection."""

    probs: np.ndarray  # (T,) P(malicious) of each pass
    deterministic: float  # P(malicious) with dropout off
    mean: float
    std: float  # population standard deviation of the passes
    flip_rate: float  # share of passes whose class differs from the deterministic class
    malicious_share: float  # share of passes that say "malicious"

    @property
    def passes(self) -> int:
        return int(self.probs.size)

    @property
    def deterministic_class(self) -> int:
        return int(self.deterministic > THRESHOLD)

    @property
    def mc_class(self) -> int:
        return int(self.mean > THRESHOLD)


def packet_stats(probs: np.ndarray, deterministic: float) -> PacketStats:
    """Mean, spread and flip rate of one connection's passes.

    The flip rate is the fraction of passes whose alert decision (P > 0.5) differs from the
    deterministic model's decision: how often leaving dropout on would change the answer an
    analyst sees for this connection.
    """
    probs = np.asarray(probs, dtype=np.float64).reshape(-1)
    if probs.size < 1:
        raise ValueError("need at least one pass")
    det_class = deterministic > THRESHOLD
    return PacketStats(
        probs=probs,
        deterministic=float(deterministic),
        mean=float(probs.mean()),
        std=float(probs.std()),
        flip_rate=float(np.mean((probs > THRESHOLD) != det_class)),
        malicious_share=float(np.mean(probs > THRESHOLD)),
    )


@dataclass(frozen=True)
class SetStats:
    """MC dropout over a whole set of labelled connections."""

    mean: np.ndarray  # (n,) MC mean P(malicious)
    std: np.ndarray  # (n,) MC spread
    deterministic: np.ndarray  # (n,) P(malicious), dropout off
    y: np.ndarray  # (n,) true labels, 0/1
    flip_rate: np.ndarray  # (n,) per connection, as in packet_stats
    passes: int

    @property
    def n(self) -> int:
        return int(self.y.size)

    @property
    def mc_correct(self) -> np.ndarray:
        return (self.mean > THRESHOLD) == (self.y > 0.5)

    @property
    def det_correct(self) -> np.ndarray:
        return (self.deterministic > THRESHOLD) == (self.y > 0.5)

    @property
    def det_confidence(self) -> np.ndarray:
        """|P - 0.5|: how far the deterministic prediction is from the alert threshold."""
        return np.abs(self.deterministic - THRESHOLD)

    def most_uncertain(self) -> int:
        """Index of the connection with the largest MC spread (the first one on ties)."""
        return int(np.argmax(self.std))


def set_stats(probs: np.ndarray, deterministic: np.ndarray, y: np.ndarray) -> SetStats:
    """Per-connection statistics from passes `(T, n)`, deterministic `(n,)` and labels."""
    probs = np.asarray(probs, dtype=np.float64)
    det = np.asarray(deterministic, dtype=np.float64).reshape(-1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    if probs.ndim != 2 or probs.shape[1] != det.size or det.size != y.size:
        raise ValueError(
            f"shapes do not match: passes {probs.shape}, deterministic {det.shape}, y {y.shape}"
        )
    return SetStats(
        mean=probs.mean(axis=0),
        std=probs.std(axis=0),
        deterministic=det,
        y=y,
        flip_rate=np.mean((probs > THRESHOLD) != (det > THRESHOLD), axis=0),
        passes=int(probs.shape[0]),
    )


def rejection_curve(
    uncertainty: np.ndarray, correct: np.ndarray, fractions: Sequence[float] = KEEP_FRACTIONS
) -> np.ndarray:
    """Accuracy on the most certain `fraction` of connections, for each fraction.

    Connections are sorted by `uncertainty`, lowest first (a stable sort: ties keep their
    order, so a constant uncertainty keeps a fraction of the set in its original order).
    """
    uncertainty = np.asarray(uncertainty, dtype=np.float64).reshape(-1)
    correct = np.asarray(correct, dtype=bool).reshape(-1)
    if uncertainty.size != correct.size or uncertainty.size == 0:
        raise ValueError("uncertainty and correct must be non-empty and the same length")
    order = np.argsort(uncertainty, kind="stable")
    hits = np.cumsum(correct[order])
    out = []
    for f in fractions:
        if not 0.0 < f <= 1.0:
            raise ValueError(f"fractions must be in (0, 1], got {f}")
        k = max(1, int(np.ceil(f * uncertainty.size - 1e-9)))
        out.append(hits[k - 1] / k)
    return np.array(out)


def raw_features(data: TrafficData, x: np.ndarray) -> np.ndarray:
    """Model inputs back in the features' own units (undo the standardisation and log1p)."""
    if data.mean is None or data.std is None:
        raise ValueError("the dataset does not carry its standardisation statistics")
    z = np.asarray(x, dtype=np.float64) * data.std + data.mean
    cols = list(LOG_COLUMNS)
    z[..., cols] = np.expm1(z[..., cols])
    return z


# --------------------------------------------------------------------------- figures

_AXIS = {"gridcolor": "#eee", "zeroline": False}


def _vline(x: float, y_domain: list[float], colour: str, dash: str, xref: str) -> dict:
    line = {"color": colour, "width": 2, "dash": dash}
    return {"type": "line", "x0": x, "x1": x, "y0": y_domain[0], "y1": y_domain[1],
            "xref": xref, "yref": "paper", "line": line}  # fmt: skip


def packet_figure(
    main: PacketStats, contrast: PacketStats | None, labels: tuple[str, str]
) -> go.Figure:
    """Histograms of P(malicious) over the passes: the dropout model on top, the no-dropout
    model below, on the same axis. Lines: MC mean (solid), dropout off (dashed), 0.5 (dotted)."""
    rows = [(main, labels[0], BLUE)] + ([(contrast, labels[1], GREY)] if contrast else [])
    doms = [[0.42, 1.0], [0.0, 0.2]] if contrast else [[0.0, 1.0]]
    traces, shapes, annotations = [], [], []
    layout = base_layout(
        440 if contrast else 330, margin={"l": 60, "r": 20, "t": 30, "b": 40},
        bargap=0.05, legend={"orientation": "h", "x": 0, "y": -0.16, "font": {"size": 12}},
    )  # fmt: skip
    for k, ((stats, label, colour), dom) in enumerate(zip(rows, doms, strict=True), 1):
        sx = "" if k == 1 else str(k)
        traces.append({
            "type": "histogram", "x": stats.probs, "xaxis": f"x{sx}", "yaxis": f"y{sx}",
            "xbins": {"start": 0.0, "end": 1.0001, "size": 0.02}, "name": label,
            "showlegend": False, "marker": {"color": colour, "line": {"color": INK, "width": 0.5}},
            "hovertemplate": "P(malicious) %{x}<br>%{y} passes<extra></extra>",
        })  # fmt: skip
        shapes += [
            _vline(THRESHOLD, dom, "#777777", "dot", f"x{sx}"),
            _vline(stats.deterministic, dom, VERMILLION, "dash", f"x{sx}"),
            _vline(stats.mean, dom, INK, "solid", f"x{sx}"),
        ]
        annotations.append({
            "text": f"<b>{label}</b> · {stats.passes} passes · std {stats.std:.3f}",
            "x": 0, "y": dom[1], "xref": "paper", "yref": "paper", "xanchor": "left",
            "yanchor": "bottom", "showarrow": False, "font": {"size": 12},
        })  # fmt: skip
        last = k == len(rows)
        layout[f"xaxis{sx}"] = {**_AXIS, "range": [0, 1], "anchor": f"y{sx}", "dtick": 0.1,
                                "showticklabels": last or len(rows) == 1,
                                "title": {"text": "P(malicious)" if last else ""}}  # fmt: skip
        layout[f"yaxis{sx}"] = {**_AXIS, "domain": dom, "anchor": f"x{sx}",
                                "title": {"text": "passes"}, "rangemode": "tozero"}  # fmt: skip
    # Legend entries for the three marker lines (shapes have no legend of their own).
    for name, colour, dash in (("MC mean", INK, "solid"), ("dropout off", VERMILLION, "dash"),
                               ("alert threshold 0.5", "#777777", "dot")):  # fmt: skip
        traces.append({"type": "scatter", "mode": "lines", "x": [None], "y": [None],
                       "name": name, "line": {"color": colour, "dash": dash, "width": 2},
                       "hoverinfo": "skip"})  # fmt: skip
    layout.update(shapes=shapes, annotations=annotations)
    return make_figure(traces, layout)


def uncertainty_figure(stats: SetStats, fractions: Sequence[float] = KEEP_FRACTIONS) -> go.Figure:
    """Left: MC spread of right and wrong predictions. Right: the rejection curves."""
    doms = domains(2, gap=0.12)
    correct = stats.mc_correct
    mc_curve = rejection_curve(stats.std, correct, fractions)
    det_curve = rejection_curve(-stats.det_confidence, stats.det_correct, fractions)
    top = float(max(stats.std.max(), 1e-3))
    size = top / 30
    kept = [f * 100 for f in fractions]
    traces = [
        {"type": "histogram", "x": stats.std[correct], "name": "right", "histnorm": "percent",
         "xbins": {"start": 0, "end": top + size, "size": size}, "opacity": 0.75,
         "marker": {"color": BLUE}, "xaxis": "x", "yaxis": "y",
         "hovertemplate": "std %{x}<br>%{y:.1f}% of right predictions<extra></extra>"},
        {"type": "histogram", "x": stats.std[~correct], "name": "wrong", "histnorm": "percent",
         "xbins": {"start": 0, "end": top + size, "size": size},
         "marker": {"color": "rgba(213,94,0,0.35)", "line": {"color": VERMILLION, "width": 1},
                    "pattern": {"shape": "/", "fgcolor": VERMILLION, "solidity": 0.4}},
         "xaxis": "x", "yaxis": "y",
         "hovertemplate": "std %{x}<br>%{y:.1f}% of wrong predictions<extra></extra>"},
        {"type": "scatter", "mode": "lines+markers", "x": kept, "y": mc_curve,
         "name": "keep the lowest MC spread", "line": {"color": BLUE, "width": 2.5},
         "marker": {"symbol": "circle", "size": 7}, "xaxis": "x2", "yaxis": "y2",
         "hovertemplate": "most certain %{x:.0f}% (MC spread)<br>accuracy %{y:.3f}<extra></extra>"},
        {"type": "scatter", "mode": "lines+markers", "x": kept, "y": det_curve,
         "name": "keep the highest dropout-off confidence", "xaxis": "x2", "yaxis": "y2",
         "line": {"color": ORANGE, "width": 2, "dash": "dash"},
         "marker": {"symbol": "square", "size": 6},
         "hovertemplate": "most confident %{x:.0f}% (dropout off)<br>accuracy %{y:.3f}"
                          "<extra></extra>"},
        {"type": "scatter", "mode": "lines", "x": [kept[0], kept[-1]],
         "y": [correct.mean()] * 2, "name": "keep everything (MC mean)", "xaxis": "x2",
         "yaxis": "y2", "line": {"color": INK, "width": 1.5, "dash": "dot"}, "hoverinfo": "skip"},
    ]  # fmt: skip
    layout = base_layout(
        400, barmode="overlay", margin={"l": 60, "r": 20, "t": 40, "b": 60},
        legend={"orientation": "h", "y": -0.2, "x": 0},
        xaxis={**_AXIS, "domain": doms[0], "anchor": "y",
               "title": {"text": "MC spread (std of P(malicious))"}},
        yaxis={**_AXIS, "anchor": "x", "title": {"text": "% of connections"}},
        xaxis2={**_AXIS, "domain": doms[1], "anchor": "y2", "range": [0, 102],
                "title": {"text": "% of connections kept, most certain first"}},
        yaxis2={**_AXIS, "anchor": "x2", "title": {"text": "accuracy on the kept ones"}},
        annotations=[
            {"text": "<b>MC spread: right vs wrong</b>",
             "x": sum(doms[0]) / 2, "y": 1.08, "xref": "paper", "yref": "paper",
             "showarrow": False},
            {"text": "<b>Rejection curve</b>",
             "x": sum(doms[1]) / 2, "y": 1.08, "xref": "paper", "yref": "paper",
             "showarrow": False},
        ],
    )  # fmt: skip
    return make_figure(traces, layout)
