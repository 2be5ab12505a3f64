"""The live class's questions settled by the lesson's runs, and the one accessor for every
question (`questions`): the predictions (lessons/predictions.toml; their outcome and the lesson's
own sentence computed from the lesson's runs, a number prediction asked over the choices of
lessons/live.toml), then the quiz items and the lesson file's own questions (`lesson/live.py`).
Pure: no Streamlit; the runs are handed in.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dropout_lab.findings.predictions import accuracy_change, lowest_loss_row, shape_of
from dropout_lab.findings.run_claims import curve
from dropout_lab.lesson import fmt, lessons
from dropout_lab.lesson import live as lq
from dropout_lab.lesson import predictions as pr


@dataclass(frozen=True)
class LessonRuns:
    """The lesson's own runs that settle the predictions: the pair, and the whole sweep's
    summary rows (findings/sweep.py `summary_rows`; empty until every rate is stored)."""

    no_dropout: Mapping[str, Sequence[float]] | None = None
    dropout: Mapping[str, Sequence[float]] | None = None
    sweep_rows: Sequence[Mapping[str, Any]] = field(default_factory=tuple)


# --------------------------------------------------------------------------- predictions


def _number_choices(p: pr.Prediction) -> tuple[tuple[lq.Choice, Mapping], ...]:
    options = lq.TEXT["prediction"][p.id]["options"]
    return tuple((lq.Choice(str(o["value"]), str(o["label"])), o) for o in options)


def _fits(p: pr.Prediction, option: Mapping, outcome: float) -> bool:
    if "number" in option:
        return p.matches(float(option["number"]), outcome)
    lo, hi = option.get("min", -math.inf), option.get("max", math.inf)
    return lo <= outcome < hi


def _explore(p: pr.Prediction) -> tuple[tuple[lq.Choice, ...], str, str]:
    pairs = _number_choices(p)
    rate = p.rate or 0.0
    outcome = pr.scale_factor(rate)
    answer = next(c.value for c, o in pairs if _fits(p, o, outcome))
    settle = lq.TEXT["settle"]["explore"].format(rate=f"{rate:g}", answer=f"{outcome:g}")
    return tuple(c for c, _ in pairs), answer, settle


def _unscaled(p: pr.Prediction) -> tuple[tuple[lq.Choice, ...], str, str]:
    from dropout_lab.lesson import explore

    u = explore.unscaled(p.rate or 0.0)
    settle = lq.TEXT["settle"]["explore_unscaled"].format(
        rate=fmt.rate(u.rate), test=fmt.mean(u.test), plain=fmt.mean(u.expected_plain),
        ratio=fmt.mean(u.ratio), answer=p.show(u.outcome))  # fmt: skip
    return tuple(lq.Choice(o.value, o.label) for o in p.options), u.outcome, settle


def _shape(p: pr.Prediction, runs: LessonRuns) -> tuple[tuple[lq.Choice, ...], str | None, str]:
    choices = tuple(lq.Choice(o.value, o.label) for o in p.options)
    if not runs.no_dropout or not runs.no_dropout.get("val_loss"):
        return choices, None, lq.TEXT["settle"]["unknown"]
    c, real = curve([runs.no_dropout]), shape_of(runs.no_dropout)
    facts = {"real": p.show(real), "best": fmt.loss(c.best), "best_epoch": fmt.epoch(c.best_epoch),
             "final": fmt.loss(c.final), "epochs": fmt.epoch(c.epochs)}  # fmt: skip
    return choices, real, pr.words("build")["shape_skipped"].format(**facts)


def _accuracy(p: pr.Prediction, runs: LessonRuns) -> tuple[tuple[lq.Choice, ...], str | None, str]:
    pairs = _number_choices(p)
    choices = tuple(c for c, _ in pairs)
    n, d = runs.no_dropout, runs.dropout
    if not n or not d or not n.get("val_accuracy") or not d.get("val_accuracy"):
        return choices, None, lq.TEXT["settle"]["unknown"]
    change = accuracy_change(n, d)
    answer = next((c.value for c, o in pairs if _fits(p, o, change)), None)
    facts = {"real": p.show(change), "d_acc": fmt.acc(d["val_accuracy"][-1]),
             "n_acc": fmt.acc(n["val_accuracy"][-1])}  # fmt: skip
    return choices, answer, pr.words("build")["accuracy_skipped"].format(**facts)


def _rate(p: pr.Prediction, runs: LessonRuns, rates: Sequence[float]):
    choices = tuple(lq.Choice(f"{r:g}", p.show(r)) for r in sorted(rates))
    best = lowest_loss_row(runs.sweep_rows)
    if best is None:
        return choices, None, lq.TEXT["settle"]["unknown"]
    seeds = fmt.count(min(int(r["seeds"]) for r in runs.sweep_rows))
    settle = lq.TEXT["settle"]["compare"].format(
        best=fmt.rate(best["rate"]), best_loss=fmt.loss(best["final_val_loss"]),
        best_sd=fmt.loss(best["final_val_loss_sd"]), seeds=seeds)  # fmt: skip
    return choices, f"{float(best['rate']):g}", settle


def from_prediction(
    p: pr.Prediction, runs: LessonRuns, rates: Sequence[float], epochs: int = 50
) -> lq.Question:
    """A prediction as a live question: its choices, and its outcome once the runs say it
    (`rates`: the sweep's, for the Compare one; `epochs`: Build's, for its prompt)."""
    if p.id == pr.EXPLORE:
        choices, answer, settle = _explore(p)
    elif p.id == pr.EXPLORE_UNSCALED:
        choices, answer, settle = _unscaled(p)
    elif p.id == pr.BUILD_SHAPE:
        choices, answer, settle = _shape(p, runs)
    elif p.id == pr.BUILD_ACCURACY:
        choices, answer, settle = _accuracy(p, runs)
    else:
        choices, answer, settle = _rate(p, runs, rates)
    title = lq.TEXT["titles"]["prediction"].format(title=p.title)
    prompt = p.prompt.format(epochs=epochs)
    return lq.Question(f"prediction:{p.id}", "prediction", title, prompt, choices, answer, settle)


# --------------------------------------------------------------------------- the accessor


def questions(
    runs: LessonRuns = LessonRuns(),
    rates: Sequence[float] = (),
    written: Sequence[lessons.QuizItem] = (),
    epochs: int = 50,
) -> dict[str, lq.Question]:
    """Every question the instructor may ask, by id: the predictions first (in the lesson's
    order), then the quiz items, then the lesson file's `written` ones. `rates` are the sweep's
    rates the Compare prediction is asked over; `epochs`, the Build step's."""
    out: dict[str, lq.Question] = {}
    for p in pr.load().values():
        q = from_prediction(p, runs, rates or (0.0, 0.3, 0.5), epochs)
        out[q.id] = q
    for item in lessons.load_quiz():
        out[f"quiz:{item.id}"] = lq.from_item(item, "quiz")
    for item in written:
        out[f"lesson:{item.id}"] = lq.from_item(item, "lesson")
    return out
