"""The concept check before Explore and its parallel form after Reflect, and the learning gain.

lessons/concept_check.toml holds both forms: the same concepts, other items. A learner's form is
scored as the items right out of the form's length (an item left blank counts as wrong); a form
skipped, or never taken, has no score. The normalised gain (Hake 1998) is
(post − pre) / (max − pre): the share of what was left to learn that was learnt; it is
undefined for a learner with full marks before, or without both scores. Pure: no Streamlit.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from dropout_lab.lesson.content import read_toml
from dropout_lab.lesson.lessons import QuizItem, quiz_item
from dropout_lab.lesson.locate import LESSONS_DIR

FILE = LESSONS_DIR / "concept_check.toml"
PHASES = ("pre", "post")
SECTION = "concept-check"  # the section a concept item is filed under (it belongs to none)


@dataclass(frozen=True)
class Forms:
    """The two forms, item for item on the same concepts, and the page's words."""

    pre: tuple[QuizItem, ...]
    post: tuple[QuizItem, ...]
    concepts: tuple[str, ...]
    words: Mapping[str, object]

    def form(self, phase: str) -> tuple[QuizItem, ...]:
        if phase not in PHASES:
            raise ValueError(f"a concept check's phase is one of {PHASES}, got {phase!r}")
        return self.pre if phase == "pre" else self.post


def parse(data: Mapping, where: str = FILE.name) -> Forms:
    """Both forms from the file's tables, checked: unique ids, the same concepts in order."""
    forms, concepts = {}, {}
    for phase in PHASES:
        entries = data.get(phase)
        if not isinstance(entries, list) or not entries:
            raise ValueError(f"{where}: expected one or more [[{phase}]] items")
        items = []
        for n, e in enumerate(entries, start=1):
            if not isinstance(e.get("concept"), str) or not e["concept"].strip():
                raise ValueError(f"{where}: [[{phase}]] item {n} needs its 'concept'")
            full = {"section": SECTION, "explanation": "-", "level": "apply", **e}
            items.append(quiz_item(full, where=f"{where}: [[{phase}]] item {n}"))
        forms[phase] = tuple(items)
        concepts[phase] = tuple(e["concept"].strip() for e in entries)
    if concepts["pre"] != concepts["post"]:
        raise ValueError(f"{where}: the two forms must ask the same concepts in the same order")
    ids = [i.id for p in PHASES for i in forms[p]]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{where}: every item needs an id of its own")
    return Forms(forms["pre"], forms["post"], concepts["pre"], data.get("words", {}))


@cache
def load(path: Path = FILE) -> Forms:
    return parse(read_toml(path), path.name)


def score(items: Sequence[QuizItem], answers: Mapping[str, int | None]) -> int | None:
    """Items right; None when the form was not taken (no answer at all: skipped or never seen)."""
    if not any(answers.get(i.id) is not None for i in items):
        return None
    return sum(answers.get(i.id) == i.answer for i in items)


def gain(pre: int | None, post: int | None, out_of: int) -> float | None:
    """(post − pre) / (out_of − pre); None when a form is missing or pre was full marks."""
    if pre is None or post is None:
        return None
    if not (0 <= pre <= out_of and 0 <= post <= out_of) or out_of <= 0:
        raise ValueError(f"scores must be within 0..{out_of}, got {pre} and {post}")
    if pre == out_of:
        return None
    return (post - pre) / (out_of - pre)


@dataclass(frozen=True)
class GainRow:
    """One learner's two scores and gain (None: not taken, skipped, or undefined)."""

    learner_id: int
    name: str
    pre: int | None
    post: int | None
    gain: float | None


@dataclass(frozen=True)
class ClassGain:
    rows: tuple[GainRow, ...]
    out_of: int

    @property
    def both(self) -> int:
        """Learners who took both checks."""
        return sum(r.pre is not None and r.post is not None for r in self.rows)

    @property
    def gains(self) -> list[float]:
        return [r.gain for r in self.rows if r.gain is not None]

    @property
    def undefined(self) -> int:
        """Took both, but had full marks before: nothing left to gain."""
        return self.both - len(self.gains)

    @property
    def mean(self) -> float | None:
        return statistics.fmean(self.gains) if self.gains else None

    @property
    def sd(self) -> float | None:
        """The sample standard deviation of the gains (None below two gains)."""
        return statistics.stdev(self.gains) if len(self.gains) >= 2 else None


def class_gain(
    forms: Forms,
    learners: Sequence[tuple[int, str]],
    answers: Mapping[int, Mapping[str, Mapping[str, int | None]]],
) -> ClassGain:
    """Every learner's scores and gain from their stored answers (id -> phase -> item -> choice)."""
    if len(forms.pre) != len(forms.post):
        raise ValueError("the two forms must have the same length")
    out_of, rows = len(forms.pre), []
    for lid, name in learners:
        mine = answers.get(lid, {})
        pre = score(forms.pre, mine.get("pre", {}))
        post = score(forms.post, mine.get("post", {}))
        rows.append(GainRow(lid, name, pre, post, gain(pre, post, out_of)))
    return ClassGain(tuple(rows), out_of)


def fmt(value: float | None, digits: int = 2) -> str:
    """A gain or spread as a cell: "" for none."""
    return "" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"
