"""The live class's questions (issue 27): every question the instructor may put to the class, with
its choices, its right answer and the sentence that settles it, from one accessor (`questions`).

Three sources: the quiz's misconception checks (lessons/quiz.toml; the right answer and the
explanation are the item's), the predictions (lessons/predictions.toml; their outcome and the
lesson's own sentence computed from the lesson's runs, a number prediction asked over the
choices of lessons/live.toml), and the lesson file's own questions ([[live.question]], written as
quiz items). A question's id says its source: "quiz:<id>", "prediction:<id>", "lesson:<id>";
a choice's value is what a vote keeps. Pure: no Streamlit; the runs are handed in.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dropout_lab.lesson import fmt, lessons
from dropout_lab.lesson import predictions as pr
from dropout_lab.lesson.content import step_text

TEXT = step_text("live")
TITLE_CHARS = 90  # a question's title in the dashboard's list and the CSV


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Question:
    id: str
    source: str  # "quiz", "prediction" or "lesson"
    title: str
    prompt: str  # Markdown
    choices: tuple[Choice, ...]
    answer: str | None  # the right choice's value; None while the runs cannot say
    settle: str  # the sentence that settles it (Markdown)

    def label(self, value: str | None) -> str:
        """A choice's label ("" for none; the value itself for one the question lacks)."""
        if value is None:
            return ""
        return next((c.label for c in self.choices if c.value == value), value)


@dataclass(frozen=True)
class LessonRuns:
    """The lesson's own runs that settle the predictions: the pair, and the whole sweep's
    summary rows (findings/sweep.py `summary_rows`; empty until every rate is stored)."""

    no_dropout: Mapping[str, Sequence[float]] | None = None
    dropout: Mapping[str, Sequence[float]] | None = None
    sweep_rows: Sequence[Mapping[str, Any]] = field(default_factory=tuple)


# --------------------------------------------------------------------------- quiz items


def _short(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= TITLE_CHARS else line[: TITLE_CHARS - 1] + "…"


def from_item(item: lessons.QuizItem, source: str) -> Question:
    """A quiz item (or a lesson file's question) as a live question."""
    choices = tuple(Choice(str(i), c) for i, c in enumerate(item.choices))
    title = TEXT["titles"][source].format(prompt=_short(item.prompt))
    return Question(f"{source}:{item.id}", source, title, item.prompt, choices,
                    str(item.answer), item.explanation.strip())  # fmt: skip


def written_questions(table: Any, source: str) -> tuple[lessons.QuizItem, ...]:
    """The lesson file's [live] table: `question`, a list of quiz items (id, prompt, choices,
    answer, explanation) with distinct ids; a LessonConfigError names the problem."""
    from dropout_lab.lesson.lesson_config import LessonConfigError

    entries = table.get("question", []) if isinstance(table, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise LessonConfigError(f"{source}: [live] question must be a list of [[live.question]]")
    items = []
    for n, entry in enumerate(entries, start=1):
        try:
            items.append(lessons.quiz_item({**entry, "section": "live"}, f"question {n}"))
        except ValueError as e:
            raise LessonConfigError(f"{source}: [[live.question]] {e}") from None
    if len({i.id for i in items}) != len(items):
        raise LessonConfigError(f"{source}: two [[live.question]] tables have the same id")
    return tuple(items)


# --------------------------------------------------------------------------- predictions


def _number_choices(p: pr.Prediction) -> tuple[tuple[Choice, Mapping], ...]:
    options = TEXT["prediction"][p.id]["options"]
    return tuple((Choice(str(o["value"]), str(o["label"])), o) for o in options)


def _fits(p: pr.Prediction, option: Mapping, outcome: float) -> bool:
    if "number" in option:
        return p.matches(float(option["number"]), outcome)
    lo, hi = option.get("min", -math.inf), option.get("max", math.inf)
    return lo <= outcome < hi


def _explore(p: pr.Prediction) -> tuple[tuple[Choice, ...], str, str]:
    pairs = _number_choices(p)
    rate = p.rate or 0.0
    outcome = pr.scale_factor(rate)
    answer = next(c.value for c, o in pairs if _fits(p, o, outcome))
    settle = TEXT["settle"]["explore"].format(rate=f"{rate:g}", answer=f"{outcome:g}")
    return tuple(c for c, _ in pairs), answer, settle


def _shape(p: pr.Prediction, runs: LessonRuns) -> tuple[tuple[Choice, ...], str | None, str]:
    choices = tuple(Choice(o.value, o.label) for o in p.options)
    if not runs.no_dropout or not runs.no_dropout.get("val_loss"):
        return choices, None, TEXT["settle"]["unknown"]
    from dropout_lab.findings.run_claims import curve

    c, real = curve([runs.no_dropout]), pr.shape_of(runs.no_dropout)
    facts = {"real": p.show(real), "best": fmt.loss(c.best), "best_epoch": fmt.epoch(c.best_epoch),
             "final": fmt.loss(c.final), "epochs": fmt.epoch(c.epochs)}  # fmt: skip
    return choices, real, pr.words("build")["shape_skipped"].format(**facts)


def _accuracy(p: pr.Prediction, runs: LessonRuns) -> tuple[tuple[Choice, ...], str | None, str]:
    pairs = _number_choices(p)
    choices = tuple(c for c, _ in pairs)
    n, d = runs.no_dropout, runs.dropout
    if not n or not d or not n.get("val_accuracy") or not d.get("val_accuracy"):
        return choices, None, TEXT["settle"]["unknown"]
    change = pr.accuracy_change(n, d)
    answer = next((c.value for c, o in pairs if _fits(p, o, change)), None)
    facts = {"real": p.show(change), "d_acc": fmt.acc(d["val_accuracy"][-1]),
             "n_acc": fmt.acc(n["val_accuracy"][-1])}  # fmt: skip
    return choices, answer, pr.words("build")["accuracy_skipped"].format(**facts)


def _rate(p: pr.Prediction, runs: LessonRuns, rates: Sequence[float]):
    choices = tuple(Choice(f"{r:g}", p.show(r)) for r in sorted(rates))
    best = pr.lowest_loss_row(runs.sweep_rows)
    if best is None:
        return choices, None, TEXT["settle"]["unknown"]
    seeds = fmt.count(min(int(r["seeds"]) for r in runs.sweep_rows))
    settle = TEXT["settle"]["compare"].format(
        best=fmt.rate(best["rate"]), best_loss=fmt.loss(best["final_val_loss"]),
        best_sd=fmt.loss(best["final_val_loss_sd"]), seeds=seeds)  # fmt: skip
    return choices, f"{float(best['rate']):g}", settle


def from_prediction(
    p: pr.Prediction, runs: LessonRuns, rates: Sequence[float], epochs: int = 50
) -> Question:
    """A prediction as a live question: its choices, and its outcome once the runs say it
    (`rates`: the sweep's, for the Compare one; `epochs`: Build's, for its prompt)."""
    if p.id == pr.EXPLORE:
        choices, answer, settle = _explore(p)
    elif p.id == pr.BUILD_SHAPE:
        choices, answer, settle = _shape(p, runs)
    elif p.id == pr.BUILD_ACCURACY:
        choices, answer, settle = _accuracy(p, runs)
    else:
        choices, answer, settle = _rate(p, runs, rates)
    title = TEXT["titles"]["prediction"].format(title=p.title)
    prompt = p.prompt.format(epochs=epochs)
    return Question(f"prediction:{p.id}", "prediction", title, prompt, choices, answer, settle)


# --------------------------------------------------------------------------- the accessor


def questions(
    runs: LessonRuns = LessonRuns(),
    rates: Sequence[float] = (),
    written: Sequence[lessons.QuizItem] = (),
    epochs: int = 50,
) -> dict[str, Question]:
    """Every question the instructor may ask, by id: the predictions first (in the lesson's
    order), then the quiz items, then the lesson file's `written` ones. `rates` are the sweep's
    rates the Compare prediction is asked over; `epochs`, the Build step's."""
    out: dict[str, Question] = {}
    for p in pr.load().values():
        q = from_prediction(p, runs, rates or (0.0, 0.3, 0.5), epochs)
        out[q.id] = q
    for item in lessons.load_quiz():
        out[f"quiz:{item.id}"] = from_item(item, "quiz")
    for item in written:
        out[f"lesson:{item.id}"] = from_item(item, "lesson")
    return out
