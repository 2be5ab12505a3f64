"""The live class's questions (issue 27): what a question is (its choices, its right answer and
the sentence that settles it), and the quiz's misconception checks (lessons/quiz.toml) and the
lesson file's own questions ([[live.question]], written as quiz items) as questions. A question's
id says its source: "quiz:<id>", "prediction:<id>", "lesson:<id>"; a choice's value is what a
vote keeps. The predictions, settled by the lesson's runs, and the one accessor for every
question (`questions`) are `findings/live.py`'s. Pure: no Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dropout_lab.lesson import lessons
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
