"""The lesson's readings, misconception checks and reflection questions, loaded from lessons/.

Pure loading and checking: no Streamlit, no TensorFlow. The words live in lessons/ as markdown
and TOML so a teacher can edit them without touching code; this module only reads, validates
and grades them.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from dropout_lab.lesson import quiz_meta
from dropout_lab.lesson.content import read_toml
from dropout_lab.lesson.entries import text as _text
from dropout_lab.lesson.locate import LESSONS_DIR
from dropout_lab.lesson.steps import STEP_IDS

READ_DIR = LESSONS_DIR / "read"
QUIZ_FILE = LESSONS_DIR / "quiz.toml"
REFLECT_FILE = LESSONS_DIR / "reflect.toml"
TAKEAWAYS_FILE = LESSONS_DIR / "takeaways.md"  # Read's last section and Reflect's wrap-up
TAKEAWAYS_SLUG = "key-takeaways"
WORDS_PER_MINUTE = 200

# [text](/step) or [text](/step?rate=0.5): a link to one of the app's steps.
_LINK = re.compile(r"\[(?P<text>[^\]]+)\]\((?P<target>/[^)\s]*)\)")
# A line holding only <!-- figure: variant/spatial -->: a picture the page draws there.
_FIGURE = re.compile(r"^[ \t]*<!--\s*figure:\s*(?P<name>[\w./-]+)\s*-->[ \t]*$", re.MULTILINE)
_FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
# A line holding only <!-- optional -->: the section is for those who want more; its checks are
# not required to finish Read.
_OPTIONAL = re.compile(r"^[ \t]*<!--\s*optional\s*-->[ \t]*\n?", re.MULTILINE)


@dataclass(frozen=True)
class StepLink:
    """One markdown link from a reading to a step, e.g. [Explore at 0.5](/explore?rate=0.5)."""

    text: str
    step: str
    query: tuple[tuple[str, str], ...] = ()

    @property
    def query_params(self) -> dict[str, str]:
        """The link's query as a dict, for st.page_link(query_params=...)."""
        return dict(self.query)


@dataclass(frozen=True)
class Section:
    """One reading: a markdown file with a `# Title` first line."""

    slug: str  # file stem, e.g. "03-the-maths"
    title: str
    body: str  # markdown without the title line
    minutes: int  # estimated reading time
    links: tuple[StepLink, ...] = ()
    optional: bool = False  # marked <!-- optional -->: its checks do not count towards Read

    @property
    def step_links(self) -> tuple[str, ...]:
        """The steps the body links to, in order of first appearance, without repeats."""
        return tuple(dict.fromkeys(link.step for link in self.links))

    @property
    def figures(self) -> tuple[str, ...]:
        """The names of the figures the body asks for, in order."""
        return tuple(m["name"] for m in _FIGURE.finditer(self.body))

    def parts(self) -> list[tuple[str, str]]:
        """The body split at figure lines: ("markdown", text) and ("figure", name) in order."""
        parts: list[tuple[str, str]] = []
        start = 0
        for m in _FIGURE.finditer(self.body):
            if text := self.body[start : m.start()].strip():
                parts.append(("markdown", text))
            parts.append(("figure", m["name"]))
            start = m.end()
        if text := self.body[start:].strip():
            parts.append(("markdown", text))
        return parts


@dataclass(frozen=True)
class QuizItem:
    """A misconception check: one prompt, two or more choices, exactly one right answer."""

    id: str
    section: str
    prompt: str
    choices: tuple[str, ...]
    answer: int  # index into choices
    explanation: str
    # per choice, the misconception a learner who picks it holds ("" for the right one)
    misconceptions: tuple[str, ...] = ()
    level: str = "recall"  # quiz_meta.LEVELS
    task: str = ""  # quiz_meta.TASKS, or "" for none of them
    figure: quiz_meta.Figure | None = None  # curves shown with the prompt

    @property
    def needs_runs(self) -> bool:
        """Its figure is drawn from a stored run: asked only where the runs are (Reflect)."""
        return self.figure is not None and bool(self.figure.run)

    def misconception(self, choice: int) -> str:
        """The mistaken belief behind `choice` ("" for the right one or when none is given)."""
        found = self.misconceptions
        return found[choice] if 0 <= choice < len(found) else ""


@dataclass(frozen=True)
class ReflectQuestion:
    """A "Think deeper" question with a model answer and an optional hint."""

    id: str
    question: str
    model_answer: str
    hint: str | None = None
    runs: str | None = None  # one of RUN_ANSWERS: the model answer ends with what the runs show


def reading_minutes(markdown: str) -> int:
    """Reading time at WORDS_PER_MINUTE, rounded up, at least one minute."""
    words = len(_FIGURE.sub(" ", markdown).split())
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


def step_links(markdown: str, *, source: str = "markdown") -> tuple[StepLink, ...]:
    """Every site-relative link in `markdown`; a link to anything but a step is a ValueError."""
    links = []
    for m in _LINK.finditer(_FENCE.sub("", markdown)):
        parts = urlsplit(m["target"])
        step = parts.path.strip("/")
        if step not in STEP_IDS or parts.fragment:
            raise ValueError(
                f"{source}: link {m['target']!r} does not point to a step; "
                f"use one of {['/' + s for s in STEP_IDS]} (optionally with ?query)"
            )
        links.append(StepLink(m["text"], step, tuple(parse_qsl(parts.query))))
    return tuple(links)


def relative_links(markdown: str) -> str:
    """Rewrite (/step...) links as (step...), so they also work under a server base path."""
    return _LINK.sub(lambda m: f"[{m['text']}]({m['target'][1:]})", markdown)


def demote_headings(markdown: str, levels: int = 1) -> str:
    """Push every markdown heading down `levels` levels (## -> ###), leaving code blocks alone."""
    out, in_fence = [], False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        elif not in_fence and re.match(r"#{1,6} ", line):
            line = "#" * levels + line
        out.append(line)
    return "\n".join(out)


def parse_section(slug: str, text: str) -> Section:
    """A Section from a markdown text whose first non-blank line is `# Title`."""
    lines = text.strip().splitlines()
    if not lines or not lines[0].startswith("# ") or not lines[0][2:].strip():
        raise ValueError(f"{slug}: a reading must start with a '# Title' line")
    title = lines[0][2:].strip()
    body = "\n".join(lines[1:]).strip()
    optional = bool(_OPTIONAL.search(body))
    body = _OPTIONAL.sub("", body).strip()
    if not body:
        raise ValueError(f"{slug}: the reading {title!r} has no text after its title")
    links = step_links(body, source=slug)
    return Section(slug, title, body, reading_minutes(body), links, optional)


def load_sections(
    directory: Path = READ_DIR, takeaways: Path | None = TAKEAWAYS_FILE
) -> list[Section]:
    """The readings in `directory`, in file-name order (01-..., 02-...), then the takeaways.

    The takeaways are one file, shown as Read's last section and as Reflect's wrap-up; their
    slug continues the numbering (e.g. "12-key-takeaways").
    """
    files = sorted(directory.glob("*.md"))
    if not files:
        raise ValueError(f"no readings (*.md) found in {directory}")
    sections = [parse_section(f.stem, f.read_text(encoding="utf-8")) for f in files]
    if takeaways is not None:
        slug = f"{len(sections) + 1:02d}-{TAKEAWAYS_SLUG}"
        sections.append(parse_section(slug, takeaways.read_text(encoding="utf-8")))
    return sections


def required_items(items: Iterable[QuizItem], sections: Iterable[Section]) -> list[QuizItem]:
    """The checks that count towards finishing Read: those of the sections not marked optional."""
    optional = {s.slug for s in sections if s.optional}
    return [item for item in items if item.section not in optional]


def load_takeaways(path: Path = TAKEAWAYS_FILE) -> Section:
    """The lesson's key takeaways and "what to try next", for the Reflect wrap-up."""
    return parse_section(TAKEAWAYS_SLUG, path.read_text(encoding="utf-8"))


def _entries(path: Path, table: str, data: Mapping[str, Any] | None = None) -> list[Mapping]:
    data = read_toml(path) if data is None else data
    entries = data.get(table)
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{path.name}: expected one or more [[{table}]] tables")
    return entries


def _unique_id(entry: Mapping[str, Any], seen: set[str], where: str) -> str:
    item_id = _text(entry, "id", where)
    if item_id in seen:
        raise ValueError(f"{where}: duplicate id {item_id!r}")
    seen.add(item_id)
    return item_id


def quiz_item(entry: Mapping[str, Any], where: str = "quiz item") -> QuizItem:
    """A checked QuizItem from one TOML table; a ValueError names the item and the problem."""
    if isinstance(entry.get("id"), str):
        where = f"quiz item {entry['id']!r}"
    item_id = _text(entry, "id", where)
    choices = entry.get("choices")
    if (
        not isinstance(choices, list)
        or len(choices) < 2
        or not all(isinstance(c, str) and c.strip() for c in choices)
    ):
        raise ValueError(f"{where}: 'choices' must list two or more non-empty strings")
    if len({c.strip() for c in choices}) != len(choices):
        raise ValueError(f"{where}: two choices have the same text")
    answer = entry.get("answer")
    # bool is an int in Python; a list would mean several right answers.
    if not isinstance(answer, int) or isinstance(answer, bool):
        raise ValueError(
            f"{where}: 'answer' must be exactly one choice index (an integer), got {answer!r}"
        )
    if not 0 <= answer < len(choices):
        raise ValueError(
            f"{where}: 'answer' {answer} is out of range for {len(choices)} choices (0-based)"
        )
    return QuizItem(
        id=item_id,
        section=_text(entry, "section", where),
        prompt=_text(entry, "prompt", where),
        choices=tuple(c.strip() for c in choices),
        answer=answer,
        explanation=_text(entry, "explanation", where),
        misconceptions=_misconceptions(entry, len(choices), answer, where),
        level=quiz_meta.level(entry, where),
        task=quiz_meta.task(entry, where),
        figure=quiz_meta.figure(entry, where),
    )


def _misconceptions(entry: Mapping[str, Any], n: int, answer: int, where: str) -> tuple[str, ...]:
    """The optional `misconception` list: one entry per choice, "" for the right answer and
    the misconception behind each wrong one (the instructor's view names it)."""
    found = entry.get("misconception")
    if found is None:
        return ()
    if not isinstance(found, list) or len(found) != n or not all(isinstance(m, str) for m in found):
        raise ValueError(f"{where}: 'misconception' must list one string per choice ({n})")
    if found[answer].strip():
        raise ValueError(f"{where}: 'misconception' of the right answer must be \"\"")
    if not all(m.strip() for i, m in enumerate(found) if i != answer):
        raise ValueError(f"{where}: every wrong choice needs its 'misconception'")
    return tuple(m.strip() for m in found)


def load_quiz(path: Path = QUIZ_FILE, sections: Iterable[str] | None = None) -> list[QuizItem]:
    """The misconception checks, validated; `sections`, if given, are the allowed section slugs.

    Stored answers are (item id, choice index), so an id in the file's `retired` list (an item
    whose choices were rewritten) may not come back: old answers to it meant other choices.
    """
    known = set(sections) if sections is not None else None
    data = read_toml(path)
    retired = data.get("retired", [])
    if not isinstance(retired, list) or not all(isinstance(r, str) for r in retired):
        raise ValueError(f"{path.name}: 'retired' must be a list of item ids")
    items: list[QuizItem] = []
    seen: set[str] = set()
    for n, entry in enumerate(_entries(path, "question", data), start=1):
        item = quiz_item(entry, where=f"{path.name}: question {n}")
        _unique_id(entry, seen, f"{path.name}: quiz item {item.id!r}")
        if item.id in retired:
            raise ValueError(
                f"{path.name}: quiz item {item.id!r} uses a retired id; stored answers to the "
                "old item would be read as answers to this one: choose a new id"
            )
        if known is not None and item.section not in known:
            raise ValueError(
                f"{path.name}: quiz item {item.id!r} names an unknown section {item.section!r}"
            )
        items.append(item)
    return items


def choice_order(item: QuizItem, who: str) -> tuple[int, ...]:
    """The order in which `who` (a learner or a session) sees the item's choices.

    A permutation of the choice indices, the same every time for the same (who, item) and
    independent of the choices' text, so a resumed learner sees what they saw before. The
    answer kept is the choice's index in the file, never its shown position.
    """

    def rank(i: int) -> bytes:
        return hashlib.sha256(f"{who}\x1f{item.id}\x1f{i}".encode()).digest()

    return tuple(sorted(range(len(item.choices)), key=rank))


def grade(item: QuizItem, choice_index: int) -> bool:
    """True if `choice_index` is the item's right answer."""
    if not 0 <= choice_index < len(item.choices):
        raise ValueError(f"quiz item {item.id!r}: choice {choice_index} is out of range")
    return choice_index == item.answer


def score(items: Iterable[QuizItem], answers: Mapping[str, int]) -> dict[str, int]:
    """{"correct", "answered", "total"} for the given answers (item id -> chosen index)."""
    items = list(items)
    answered = [item for item in items if item.id in answers]
    correct = sum(grade(item, answers[item.id]) for item in answered)
    return {"correct": correct, "answered": len(answered), "total": len(items)}


def load_reflect_questions(path: Path = REFLECT_FILE) -> list[ReflectQuestion]:
    """The "Think deeper" questions, validated (unique ids, question and model answer)."""
    questions: list[ReflectQuestion] = []
    seen: set[str] = set()
    for n, entry in enumerate(_entries(path, "question"), start=1):
        where = f"{path.name}: question {n}"
        item_id = _unique_id(entry, seen, where)
        where = f"{path.name}: question {item_id!r}"
        questions.append(
            ReflectQuestion(
                id=item_id,
                question=_text(entry, "question", where),
                model_answer=_text(entry, "model_answer", where),
                hint=_text(entry, "hint", where, required=False) or None,
                runs=_runs_answer(entry, where),
            )
        )
    return questions


RUN_ANSWERS = ("additive",)  # model answers the app completes from the lesson's runs


def _runs_answer(entry: Mapping[str, Any], where: str) -> str | None:
    name = entry.get("runs")
    if name is not None and name not in RUN_ANSWERS:
        raise ValueError(f"{where}: 'runs' must be one of {list(RUN_ANSWERS)}, got {name!r}")
    return name
