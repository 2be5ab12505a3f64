"""The predictions' figures (issue 13): Build's reveal (the learner's predicted shape beside the
real no-dropout validation loss, and their predicted accuracy change beside the real one),
Compare's reveal (the final validation loss by rate, the lowest and the learner's pick), and the
dashboard's class distribution of one prediction against its outcome. Each with its text
alternative (`describe_*`). Words in lessons/predictions.toml; pure: no Streamlit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from dropout_lab.charts import panels as pn
from dropout_lab.charts.describe import Description
from dropout_lab.findings import predictions as run_answers
from dropout_lab.lesson import predictions as pr
from dropout_lab.lesson.fmt import Count
from dropout_lab.lesson.insights import Distribution

History = Mapping[str, Sequence[float]]


def _words() -> dict:
    return pr.words("charts")


# --------------------------------------------------------------------------- Build's reveal


def shape_line(shape: str, val_loss: Sequence[float]) -> list[float]:
    """A schematic validation loss that does `shape` ("fall", "level", "climb"), drawn within
    the real curve's range: the learner predicted a shape, not numbers, so nothing of it comes
    from the real curve but where its values lie."""
    if shape not in pr.SHAPES:
        raise ValueError(f"shape must be one of {pr.SHAPES}, got {shape!r}")
    y = np.asarray(val_loss, dtype=float)
    lo = float(y.min())
    span = 0.6 * max(float(y.max()) - lo, 0.2 * abs(lo), 1e-6)
    t = np.linspace(0.0, 1.0, y.size) if y.size > 1 else np.zeros(1)
    if shape == "fall":
        line = lo + span * (1 - (1 - np.exp(-2 * t)) / (1 - math.exp(-2)))
    elif shape == "level":
        line = lo + span * np.exp(-t / 0.06)
    else:  # down to the lowest by a fifth of the epochs, then back up to where it started
        line = lo + span * np.exp(-t / 0.05) + span * np.clip((t - 0.2) / 0.8, 0, None)
    return [float(v) for v in line]


def _shape_traces(history: History, shape: pr.Made | None, theme: str) -> list[dict]:
    w, p = _words(), pr.get(pr.BUILD_SHAPE)
    val_loss = list(history["val_loss"])
    epochs = list(range(1, len(val_loss) + 1))
    real = p.show(run_answers.shape_of(history))
    traces = [{"type": "scatter", "mode": "lines+markers", "x": epochs, "y": val_loss,
               "name": w["shape_real"].format(real=real), "legendgroup": "real",
               "line": {"color": pn.foreground(pn.VERMILLION, theme), "width": 2.4},
               "marker": {"color": pn.foreground(pn.VERMILLION, theme), "symbol": "square",
                          "size": 7, "maxdisplayed": 10},
               "hovertemplate": "epoch %{x}<br>validation loss %{y:.3f}"
               "<extra></extra>"}]  # fmt: skip
    if shape is not None and not shape.skipped:
        guess = p.show(shape.value)
        traces.append({"type": "scatter", "mode": "lines", "x": epochs,
                       "y": shape_line(str(shape.value), val_loss),
                       "name": w["shape_guess"].format(guess=guess), "legendgroup": "yours",
                       "line": {"color": pn.foreground(pn.GREEN, theme), "width": 2.4,
                                "dash": "dot"},
                       "hovertemplate": w["shape_guess"].format(guess=guess)
                       + "<extra></extra>"})  # fmt: skip
    return traces


def _accuracy_traces(
    change: float, guess: pr.Made | None, theme: str
) -> tuple[list[dict], list[float]]:
    """Panel 2: the real change and the predicted one on one axis of points; and the x range."""
    w, p = _words(), pr.get(pr.BUILD_ACCURACY)
    rows = [(w["real"], change, pn.BLUE, "circle", "real")]
    if guess is not None and not guess.skipped:
        rows.append((w["yours"], float(guess.value), pn.GREEN, "diamond", "yours"))
    traces = []
    if len(rows) == 2:
        traces.append({"type": "scatter", "mode": "lines", "x": [r[1] for r in rows],
                       "y": [r[0] for r in rows], "showlegend": False, "hoverinfo": "skip",
                       "line": {"color": pn.foreground(pn.INK, theme), "dash": "dot",
                                "width": 1.5}, "xaxis": "x2", "yaxis": "y2"})  # fmt: skip
    for label, value, colour, symbol, group in rows:
        traces.append({"type": "scatter", "mode": "markers+text", "x": [value], "y": [label],
                       "text": [p.show(value)], "textposition": "top center",
                       "name": label, "legendgroup": group, "showlegend": False,
                       "marker": {"color": pn.foreground(colour, theme), "symbol": symbol,
                                  "size": 15, "line": {"color": pn.foreground(pn.INK, theme),
                                                       "width": 1}},
                       "hovertemplate": f"{label}: %{{x:+.1f}} points<extra></extra>",
                       "xaxis": "x2", "yaxis": "y2"})  # fmt: skip
    values = [0.0] + [r[1] for r in rows]
    pad = max(1.0, 0.15 * (max(values) - min(values)))
    return traces, [min(values) - pad, max(values) + pad]


def build_reveal_parts(
    no_dropout: History,
    dropout: History,
    shape: pr.Made | None,
    accuracy: pr.Made | None,
    *,
    height: int = 360,
    theme: str = "light",
) -> pn.Parts:
    """Two panels: the no-dropout validation loss with the predicted shape drawn beside it, and
    Dropout(0.3)'s real change of the final validation accuracy beside the predicted one."""
    w = _words()
    change = run_answers.accuracy_change(no_dropout, dropout)
    acc_traces, x_range = _accuracy_traces(change, accuracy, theme)
    traces = _shape_traces(no_dropout, shape, theme) + acc_traces
    layout = pn.base_layout(height, theme, margin={"l": 60, "r": 20, "t": 50, "b": 50},
                            legend=pn.legend(-0.22), hovermode="closest")  # fmt: skip
    zero = {"type": "line", "xref": "x2", "yref": "y2 domain", "x0": 0, "x1": 0, "y0": 0,
            "y1": 1, "line": {"color": pn.theme_of(theme).zeroline, "width": 1}}  # fmt: skip
    layout["shapes"] = [zero]
    axes = [
        (pn.axis(w["epoch"], theme), pn.axis(w["val_loss"], theme)),
        (pn.axis(w["accuracy_axis"], theme, range=x_range, zeroline=False),
         pn.axis(None, theme, type="category", range=[-0.6, 1.6])),
    ]  # fmt: skip
    pn.side_by_side(layout, axes, gap=0.1, titles=[w["shape_title"], w["accuracy_title"]])
    for note in layout["annotations"]:  # centred over its panel (plotly's "auto" anchors a
        note["xanchor"] = "center"  # paper x below 1/3 at its left, above 2/3 at its right)
    return pn.Parts(traces, layout)


def describe_build_reveal(
    no_dropout: History, dropout: History, shape: pr.Made | None, accuracy: pr.Made | None
) -> Description:
    w = _words()
    ps, pa = pr.get(pr.BUILD_SHAPE), pr.get(pr.BUILD_ACCURACY)
    change = run_answers.accuracy_change(no_dropout, dropout)
    skipped = pr.words("class")["skipped"]

    def given(p: pr.Prediction, made: pr.Made | None) -> str:
        return skipped if made is None or made.skipped else p.show(made.value)

    summary = w["reveal_summary"].format(
        real=ps.show(run_answers.shape_of(no_dropout)), guess=given(ps, shape),
        real_change=pa.show(change), guess_change=given(pa, accuracy))  # fmt: skip
    cols = w["columns"]
    table = [
        {cols["answer"]: ps.title, w["yours"]: given(ps, shape),
         w["real"]: ps.show(run_answers.shape_of(no_dropout))},
        {cols["answer"]: pa.title, w["yours"]: given(pa, accuracy), w["real"]: pa.show(change)},
    ]  # fmt: skip
    return Description(w["reveal_name"], summary, table)


# --------------------------------------------------------------------------- Compare's reveal


def sweep_reveal_figure(
    rows: Sequence[Mapping[str, Any]],
    pick: float | None,
    *,
    height: int = 320,
    theme: str = "light",
) -> go.Figure:
    """The mean final validation loss per rate (± sd over seeds), the lowest starred and the
    learner's pick ringed."""
    w = _words()
    best = run_answers.lowest_loss_row(rows)
    xs = [f"{r['rate']:g}" for r in rows]
    ink = pn.foreground(pn.INK, theme)
    traces: list[dict] = [{
        "type": "scatter", "mode": "markers", "x": xs, "y": [r["final_val_loss"] for r in rows],
        "error_y": {"type": "data", "array": [r["final_val_loss_sd"] for r in rows],
                    "color": ink, "thickness": 1.2},
        "marker": {"color": pn.foreground(pn.BLUE, theme), "size": 10, "symbol": "circle"},
        "name": w["sweep_title"], "showlegend": False,
        "hovertemplate": "rate %{x}<br>final validation loss %{y:.3f}<extra></extra>",
    }]  # fmt: skip
    if best is not None:
        traces.append({"type": "scatter", "mode": "markers+text", "x": [f"{best['rate']:g}"],
                       "y": [best["final_val_loss"]], "text": [w["lowest"]],
                       "textposition": "bottom center", "name": w["lowest"],
                       "marker": {"color": pn.foreground(pn.ORANGE, theme), "size": 18,
                                  "symbol": "star", "line": {"color": ink, "width": 1}},
                       "hoverinfo": "skip"})  # fmt: skip
    chosen = [r for r in rows if pick is not None and abs(r["rate"] - pick) < pr.RATE_TOLERANCE]
    for r in chosen:
        traces.append({"type": "scatter", "mode": "markers+text", "x": [f"{r['rate']:g}"],
                       "y": [r["final_val_loss"]], "text": [w["your_pick"]],
                       "textposition": "top center", "name": w["your_pick"],
                       "marker": {"color": pn.foreground(pn.GREEN, theme), "size": 24,
                                  "symbol": "circle-open", "line": {"width": 3}},
                       "hoverinfo": "skip"})  # fmt: skip
    layout = pn.base_layout(height, theme, margin={"l": 60, "r": 20, "t": 40, "b": 50},
                            title={"text": w["sweep_title"], "font": {"size": 13}},
                            xaxis=pn.axis(w["rate_axis"], theme, type="category"),
                            yaxis=pn.axis(w["val_loss"], theme),
                            legend=pn.legend(-0.3))  # fmt: skip
    return pn.make_figure(traces, layout)


def describe_sweep_reveal(rows: Sequence[Mapping[str, Any]], pick: float | None) -> Description:
    w = _words()
    best = run_answers.lowest_loss_row(rows)
    shown = "—" if pick is None else f"{pick:g}"
    summary = w["sweep_summary"].format(best=f"{best['rate']:g}" if best else "—", pick=shown)
    table = [{w["rate_axis"]: f"{r['rate']:g}", w["val_loss"]: round(r["final_val_loss"], 4),
              "sd": round(r["final_val_loss_sd"], 4)} for r in rows]  # fmt: skip
    return Description(w["sweep_name"], summary, table)


# --------------------------------------------------------------------------- the class


def class_prediction_figure(d: Distribution, *, height: int = 300, theme: str = "light"):
    """The class's answers to one prediction (learners per answer); the outcome's bar hatched
    and labelled, or, for a number, a line at the outcome."""
    w, p = _words(), d.prediction
    ink = pn.foreground(pn.INK, theme)
    values = [v for v, _ in d.counts]
    counts = [n for _, n in d.counts]
    hits = [p.matches(v, d.outcome) for v in values]
    colours = [pn.foreground(pn.BLUE if h else pn.GREY, theme) for h in hits]
    bar: dict = {"type": "bar", "y": counts, "name": w["class_axis"], "showlegend": False,
                 "marker": {"color": colours, "line": {"color": ink, "width": 1},
                            "pattern": {"shape": ["/" if h else "" for h in hits]}},
                 "text": [str(n) for n in counts], "textposition": "outside",
                 "hovertemplate": "%{customdata}: %{y}<extra></extra>",
                 "customdata": [p.show(v) for v in values]}  # fmt: skip
    layout = pn.base_layout(height, theme, margin={"l": 55, "r": 20, "t": 40, "b": 50},
                            yaxis=pn.axis(w["class_axis"], theme, rangemode="tozero",
                                          dtick=1 if max(counts, default=0) < 10 else None),
                            bargap=0.25)  # fmt: skip
    label = w["outcome"].format(outcome=p.show(d.outcome) if d.outcome is not None
                                else w["class_no_outcome"])  # fmt: skip
    if p.kind == "number":
        xs = [float(v) for v in values] + ([] if d.outcome is None else [float(d.outcome)])
        spread = (max(xs) - min(xs)) / 12 if xs else 0.0  # bars wide enough to see
        bar["x"], bar["width"] = [float(v) for v in values], 0.8 * max(p.increment, spread)
        layout["xaxis"] = pn.axis(p.label, theme)
        if d.outcome is not None:
            x = float(d.outcome)
            layout["shapes"] = [{"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x,
                                 "y0": 0, "y1": 1, "line": {"color": ink, "dash": "dash",
                                                            "width": 2}}]  # fmt: skip
            layout["annotations"] = [
                {
                    "x": x,
                    "y": 1.0,
                    "xref": "x",
                    "yref": "paper",
                    "text": label,
                    "showarrow": False,
                    "yanchor": "bottom",
                }
            ]
    else:
        bar["x"] = [p.show(v) for v in values]
        layout["xaxis"] = pn.axis(p.label, theme, type="category")
        layout["title"] = {"text": label, "font": {"size": 13}}
    return pn.make_figure([bar], layout)


def describe_class(d: Distribution) -> Description:
    w, p = _words(), d.prediction
    outcome = p.show(d.outcome) if d.outcome is not None else w["class_no_outcome"]
    summary = w["class_summary"].format(
        answered=d.answered, learners=Count(d.learners), skipped=d.skipped, matched=d.matched,
        outcome=outcome)  # fmt: skip
    cols = w["columns"]
    table = [{cols["answer"]: p.show(v), cols["learners"]: n,
              cols["outcome"]: "✓" if p.matches(v, d.outcome) else ""}
             for v, n in d.counts]  # fmt: skip
    return Description(w["class_name"].format(title=p.title), summary, table)
