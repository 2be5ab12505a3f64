"""The lab's checklist for the learner's model: each goal of the lab, met or not.

The checks themselves are defined once, in `dropout_lab.lesson.goals` (the lab loader validates
`labs/*/lab.toml` against the same registry); this module runs them on a reading of the code.
"""

from __future__ import annotations

from dataclasses import dataclass

from dropout_lab.lesson.goals import CHECKS
from dropout_lab.lesson.labs import Lab
from dropout_lab.lesson.spec import ModelSpec

__all__ = ["CHECKS", "GoalResult", "check_goals"]


@dataclass(frozen=True)
class GoalResult:
    id: str
    label: str
    met: bool
    hint: str


def check_goals(spec: ModelSpec | None, lab: Lab) -> list[GoalResult]:
    """The lab's checklist for `spec` (every goal unmet if the code could not be read)."""
    return [
        GoalResult(
            id=goal.id,
            label=goal.label,
            met=spec is not None and bool(CHECKS[goal.check].holds(spec, dict(goal.params))),
            hint=goal.hint,
        )
        for goal in lab.goals
    ]
