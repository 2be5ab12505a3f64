"""The lesson's steps and the words of the overview, loaded from lessons/steps.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache

from dropout_lab.lesson.locate import LESSONS_DIR

STEPS_FILE = LESSONS_DIR / "steps.toml"


@dataclass(frozen=True)
class Step:
    id: str  # URL path and script name: /explore → app/steps/explore.py
    title: str
    icon: str
    blurb: str

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

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(f"no step {step_id!r}; the steps are {[s.id for s in self.steps]}")


@cache
def lesson() -> Lesson:
    with STEPS_FILE.open("rb") as f:
        data = tomllib.load(f)
    steps = tuple(Step(**s) for s in data["step"])
    return Lesson(data["title"], data["tagline"], data["overview"], data["coming_soon"], steps)


STEP_IDS = ("explore", "read", "build", "compare", "reflect")
