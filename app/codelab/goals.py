"""The lab's checklist for the learner's model: each goal of the lab, met or not.

The checks themselves are defined once, in `dropout_lab.lesson.goals` (the lab loader validates
`labs/*/lab.toml` against the same registry); this module runs them. Goals about the code are
judged on a reading of it, as the learner types (`check_goals`); goals about the outcome are
judged on the history of the learner's finished run (`run_goals`), so any layout that reaches
the outcome meets them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dropout_lab.lesson.goals import CHECKS, RUN_CHECKS
from dropout_lab.lesson.labs import Lab
from dropout_lab.lesson.spec import ModelSpec

__all__ = ["CHECKS", "RUN_CHECKS", "GoalResult", "check_goals", "judged_run", "run_goals"]

History = Mapping[str, Sequence[float]]


@dataclass(frozen=True)
class GoalResult:
    id: str
    label: str
    met: bool | None  # None: an outcome goal with no finished run of the lab's length to judge
    hint: str


def check_goals(spec: ModelSpec | None, lab: Lab) -> list[GoalResult]:
    """The lab's goals about the code, for `spec` (every one unmet if the code could not be
    read). Outcome goals are left out: they are judged on a run (`run_goals`)."""
    return [
        GoalResult(
            id=goal.id,
            label=goal.label,
            met=spec is not None and bool(CHECKS[goal.check].holds(spec, dict(goal.params))),
            hint=goal.hint,
        )
        for goal in lab.goals
        if not goal.on_run
    ]


def judged_run(history: History | None, lab: Lab) -> bool:
    """A history the outcome goals can judge: at least the lab's epochs (a shorter run has not
    had the time to overfit, so it would meet them without deciding anything)."""
    return bool(history) and len(history.get("val_loss") or ()) >= lab.config.epochs


def run_goals(history: History | None, lab: Lab) -> list[GoalResult]:
    """The lab's outcome goals for a finished run's `history` (met None if it cannot judge)."""
    judged = judged_run(history, lab)
    return [
        GoalResult(
            id=goal.id,
            label=goal.label,
            met=bool(RUN_CHECKS[goal.check].holds(history, dict(goal.params)))
            if judged and history is not None
            else None,
            hint=goal.hint,
        )
        for goal in lab.goals
        if goal.on_run
    ]
