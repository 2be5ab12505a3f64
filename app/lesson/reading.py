"""Read's book and its checks, without Streamlit: the sections and the checks asked on Read, which
of them count towards finishing it, the section a link names, each section's line in the list,
and the checks' state machine on the learner's answers (item id → chosen index).

A check's first answer is the one recorded (the store keeps it: the class's view); answering
again opens the check (its answer goes from the page, not from the store) until a new choice."""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from functools import cached_property

from dropout_lab.lesson import lessons
from dropout_lab.lesson.content import step_text
from dropout_lab.lesson.lessons import QuizItem, Section

TEXT = step_text("read_page")  # the page's own words


@dataclass(frozen=True)
class Book:
    """Read's sections in order and its checks (an item drawn from a stored run is left to
    Reflect's review, where the runs are)."""

    sections: tuple[Section, ...]
    quiz: tuple[QuizItem, ...]

    @classmethod
    def load(cls) -> Book:
        sections = tuple(lessons.load_sections())
        quiz = lessons.load_quiz(sections=[s.slug for s in sections])
        return cls(sections, tuple(q for q in quiz if not q.needs_runs))

    @cached_property
    def slugs(self) -> list[str]:
        return [s.slug for s in self.sections]

    @cached_property
    def by_slug(self) -> dict[str, Section]:
        return {s.slug: s for s in self.sections}

    @cached_property
    def required(self) -> list[QuizItem]:
        """The checks that count towards finishing Read."""
        return lessons.required_items(self.quiz, self.sections)

    @property
    def minutes(self) -> int:
        return sum(s.minutes for s in self.sections)

    def number(self, slug: str) -> int:
        """The section's number in the list, from 1."""
        return self.slugs.index(slug) + 1

    def items(self, slug: str) -> list[QuizItem]:
        """The checks that follow section `slug`."""
        return [q for q in self.quiz if q.section == slug]

    def from_link(self, raw: str | None) -> str:
        """The section named by ?section= (a slug or its number, leading zeros allowed); the
        first section for anything else."""
        raw = (raw or "").strip()
        if raw in self.by_slug:
            return raw
        by_number = {str(n): slug for n, slug in enumerate(self.slugs, start=1)}
        return by_number.get(raw.lstrip("0"), self.slugs[0])

    def caption(self, section: Section, answers: Mapping[str, int]) -> str:
        """The section's line in the list: reading time, optional, checks answered."""
        words, items = TEXT["list"], self.items(section.slug)
        caption = words["minutes"].format(minutes=section.minutes)
        caption += words["optional"] * section.optional
        if items:
            done = sum(q.id in answers for q in items)
            caption += words["checks"].format(done=done, total=len(items))
            caption += words["all_done"] * (done == len(items))
        return caption

    def neighbours(self, slug: str) -> tuple[str | None, str | None]:
        """The sections before and after `slug` (None at either end)."""
        i = self.slugs.index(slug)
        before = self.slugs[i - 1] if i > 0 else None
        after = self.slugs[i + 1] if i + 1 < len(self.slugs) else None
        return before, after

    def score(self, answers: Mapping[str, int]) -> dict[str, int]:
        """{"correct", "answered", "total"} over every check asked on Read."""
        return lessons.score(self.quiz, answers)

    def required_score(self, answers: Mapping[str, int]) -> dict[str, int]:
        """The same over the checks that count towards finishing Read."""
        return lessons.score(self.required, answers)


def answer(answers: MutableMapping[str, int], item: QuizItem, choice: int | None) -> bool:
    """A choice made on `item`: True when it is the item's first answer (the one to store);
    a check already answered keeps its answer until it is opened again."""
    if choice is None or item.id in answers:
        return False
    answers[item.id] = choice
    return True


def reopen(answers: MutableMapping[str, int], item: QuizItem) -> None:
    """Answer `item` again: its answer goes from the page (the store keeps the first)."""
    answers.pop(item.id, None)


def reset(answers: MutableMapping[str, int]) -> None:
    """Every check open again."""
    answers.clear()
