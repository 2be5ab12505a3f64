"""The lesson's steps and the words of the overview, loaded from lessons/steps.toml."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from dropout_lab.lesson.content import step_text


@dataclass(frozen=True)
class Step:
    id: str  # URL path and script name: /explore → app/steps/explore.py
    title: str
    icon: str
    blurb: str
    minutes: int = 0  # the step's own activity; Read's readings are added by `length_minutes`

    @property
    def script(self) -> str:
        return f"steps/{self.id}.py"


@dataclass(frozen=True)
class Lesson:
    title: str
    tagline: str
    overview: str
    coming_soon: str
    steps: tuple[Step, ...]
    next: str = "{title}"  # the words of each step's link to the next
    last: str = ""  # the last step's link back to the overview

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(f"no step {step_id!r}; the steps are {[s.id for s in self.steps]}")

    def after(self, step_id: str) -> tuple[int, Step] | None:
        """(its number, the step) that follows `step_id` in the lesson; None after the last."""
        ids = [s.id for s in self.steps]
        i = ids.index(step_id) + 1
        return (i + 1, self.steps[i]) if i < len(self.steps) else None

    def length_minutes(self, reading_minutes: int) -> int:
        """About how long the whole lesson takes: each step's activity plus the readings."""
        return sum(s.minutes for s in self.steps) + reading_minutes


@cache
def lesson() -> Lesson:
    data = step_text("steps")
    steps = tuple(Step(**s) for s in data["step"])
    return Lesson(data["title"], data["tagline"], data["overview"], data["coming_soon"], steps,
                  data.get("next", "{title}"), data.get("last", ""))  # fmt: skip


STEP_IDS = ("explore", "read", "build", "compare", "reflect")
