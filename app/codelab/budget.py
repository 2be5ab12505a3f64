"""The budget line of the code lab's verdict: a run over the lesson's compute budget is refused
in plain words (how long it would take, what the lesson allows, what to shrink)."""

from __future__ import annotations

from dropout_lab.codelab.messages import say
from dropout_lab.lesson.budget import DEFAULT_BUDGET_SECONDS, over_budget
from dropout_lab.lesson.spec import ModelSpec, TrainConfig


def lesson_budget() -> float:
    """The budget of the lesson file in use (the default when there is none or it is broken)."""
    from dropout_lab.lesson import lesson_config

    try:
        return lesson_config.load().budget_seconds
    except lesson_config.LessonConfigError:
        return DEFAULT_BUDGET_SECONDS


def budget_message(spec: ModelSpec, config: TrainConfig, allowed: float | None) -> str | None:
    """None when the run fits `allowed` seconds; else the sentence that says why it does not."""
    over = over_budget(spec, config, allowed)
    if over is None:
        return None
    fields = dict(seconds=over.seconds, epochs=over.epochs, params=over.params,
                  allowed=over.allowed, fit=over.epochs_that_fit, widest=over.widest)  # fmt: skip
    return say("budget.over" if over.epochs_that_fit else "budget.over_one_epoch", **fields)
