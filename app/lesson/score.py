"""What a learner's progress is worth in a gradebook (issue 26: grades back to the LMS).

An LMS link opens one target (declared once, in `TARGETS`): the whole lesson, one step, the
Keras lab or a NumPy lab, and reports that target's score. The whole lesson's score weighs three
things, as the lesson file's [grading] table says (default: steps 50%, quiz 25%, labs 25%):

- steps: the share of the five steps whose criteria are all met (lessons/learners.toml);
- quiz: the share of Read's required checks answered right (a first answer counts);
- labs: the share of the three labs passed (the Keras lab trained, each NumPy lab's last grade).

A step's target is the share of its criteria met; a lab's is 1 once passed. The score is
`points` times that share, with the progress AGS asks for: `activityProgress` Initialized (nothing
yet: not sent), InProgress, or Completed once the share is 1; `gradingProgress` FullyGraded, as
the score is final for what is done so far (Canvas ignores a scoreGiven marked Pending)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

from dropout_lab.lesson.lesson_file import shown
from dropout_lab.lesson.steps import STEP_IDS

KERAS_LAB, NUMPY_LABS = "overfit", ("numpy_dropout", "numpy_backprop")
PARTS = ("steps", "quiz", "labs")
POINTS_MAX = 1000.0
ALLOWED = {
    "steps": "a weight >= 0 (the share of steps done)",
    "quiz": "a weight >= 0 (the share of required checks right)",
    "labs": "a weight >= 0 (the share of labs passed)",
    "points": f"the score's maximum, a number in [1, {POINTS_MAX:g}]",
}


@dataclass(frozen=True)
class Target:
    """What an LMS link opens (`page`, and Build's lab `choice`) and what its score counts."""

    id: str
    step: str = ""  # a step target: the share of its criteria
    lab: str = ""  # a lab target: passed or not
    page: str = ""  # the page it opens ("": the overview)
    choice: str = ""  # Build's lab shown ("keras", "numpy", "backprop")


TARGETS: dict[str, Target] = {t.id: t for t in (
    Target("lesson"),
    *(Target(s, step=s, page=s) for s in STEP_IDS),
    Target("keras_lab", lab=KERAS_LAB, page="build", choice="keras"),
    Target("numpy_dropout", lab="numpy_dropout", page="build", choice="numpy"),
    Target("numpy_backprop", lab="numpy_backprop", page="build", choice="backprop"),
)}  # fmt: skip


@dataclass(frozen=True)
class Weights:
    """The lesson file's [grading] table: how the whole lesson's score is made."""

    steps: float = 2.0
    quiz: float = 1.0
    labs: float = 1.0
    points: float = 100.0


@dataclass(frozen=True)
class Facts:
    """What the store holds of one learner."""

    progress: Mapping[str, set[str]] = field(default_factory=dict)  # step -> criteria done
    quiz: Mapping[str, bool] = field(default_factory=dict)  # quiz item -> first answer right
    labs: Mapping[str, bool] = field(default_factory=dict)  # NumPy lab -> last grade passed


@dataclass(frozen=True)
class Score:
    given: float
    maximum: float
    activity: str  # AGS activityProgress
    grading: str  # AGS gradingProgress

    @property
    def started(self) -> bool:
        return self.activity != "Initialized"


@cache
def criteria() -> dict[str, frozenset[str]]:
    """step -> the criteria that mark it done (lessons/learners.toml [criteria])."""
    from dropout_lab.lesson.content import step_text

    table = step_text("learners")["criteria"]
    return {s: frozenset(table.get(s, {})) for s in STEP_IDS}


@cache
def required_quiz() -> frozenset[str]:
    """The ids of Read's checks that count (those of the sections not marked optional)."""
    from dropout_lab.lesson import lessons

    sections = lessons.load_sections()
    items = lessons.load_quiz(sections=[s.slug for s in sections])
    return frozenset(i.id for i in lessons.required_items(items, sections))


def _step_share(facts: Facts, step: str) -> float:
    needed = criteria()[step]
    have = set(facts.progress.get(step, ())) & needed
    return len(have) / len(needed) if needed else 0.0


def _lab_passed(facts: Facts, lab: str) -> bool:
    if lab == KERAS_LAB:
        return _step_share(facts, "build") == 1.0
    return bool(facts.labs.get(lab))


def _touched(facts: Facts, target: Target) -> bool:
    if target.step:
        return bool(facts.progress.get(target.step))
    if target.lab == KERAS_LAB:
        return bool(facts.progress.get("build"))
    if target.lab:
        return target.lab in facts.labs
    return bool(facts.progress or facts.quiz or facts.labs)


def shares(facts: Facts) -> dict[str, float]:
    """The whole lesson's three parts, each in [0, 1]."""
    quiz = required_quiz()
    right = sum(1 for item, ok in facts.quiz.items() if ok and item in quiz)
    labs = (KERAS_LAB, *NUMPY_LABS)
    return {
        "steps": sum(_step_share(facts, s) == 1.0 for s in STEP_IDS) / len(STEP_IDS),
        "quiz": right / len(quiz) if quiz else 0.0,
        "labs": sum(_lab_passed(facts, lab) for lab in labs) / len(labs),
    }


def share(facts: Facts, target: Target, weights: Weights) -> float:
    """The part of `target` done, in [0, 1]."""
    if target.step:
        return _step_share(facts, target.step)
    if target.lab:
        return 1.0 if _lab_passed(facts, target.lab) else 0.0
    parts = shares(facts)
    total = sum(getattr(weights, p) for p in PARTS)
    return sum(getattr(weights, p) * parts[p] for p in PARTS) / total


def score(facts: Facts, target_id: str, weights: Weights = Weights()) -> Score:
    """The score `target_id` reports for a learner with `facts` (an unknown target: the lesson)."""
    target = TARGETS.get(target_id, TARGETS["lesson"])
    points = weights.points
    done = share(facts, target, weights)
    if done >= 1.0 - 1e-9:
        activity = "Completed"
    else:
        activity = "InProgress" if _touched(facts, target) or done > 0 else "Initialized"
    return Score(round(done * points, 2), points, activity, "FullyGraded")


def written_weights(table: object, source: str) -> Weights:
    """The lesson file's [grading] table as Weights; LessonConfigError naming the key if not."""
    from dropout_lab.lesson.lesson_config import LessonConfigError

    assert isinstance(table, dict)  # lesson_config checked the section and its keys
    got = {}
    for key, value in table.items():
        top = POINTS_MAX if key == "points" else 1e6
        low = 1.0 if key == "points" else 0.0
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= top:
            raise LessonConfigError(f"{source}: [grading] {key} must be {ALLOWED[key]}, "
                                    f"got {shown(value)}")  # fmt: skip
        got[key] = float(value)
    weights = Weights(**got)
    if not any(getattr(weights, p) for p in PARTS):
        raise LessonConfigError(f"{source}: [grading] gives every part weight 0: at least one of "
                                f"{list(PARTS)} must count")  # fmt: skip
    return weights
