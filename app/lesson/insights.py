"""What the class thinks, as plain data, for the instructor's view before the next lecture: for
every quiz item the share of the class right on the first try and the wrong answer chosen most
(with the misconception it stands for), for every prediction the class's answers against the
outcome, for every think-deeper question the answers; and the two CSV shapes (a row per
learner, the usual gradebook, and a row per item). Pure: no Streamlit, no database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dropout_lab.lesson.lessons import QuizItem, ReflectQuestion
from dropout_lab.lesson.predictions import Made, Prediction, Value

SKIPPED = "skipped"


@dataclass(frozen=True)
class ClassWork:
    """A class's stored answers: learners (id, name) in order, and per learner id their first
    quiz choices (item id -> choice index), predictions and reflections."""

    learners: tuple[tuple[int, str], ...]
    quiz: Mapping[int, Mapping[str, int]]
    predictions: Mapping[int, Mapping[str, Made]]
    reflections: Mapping[int, Mapping[str, str]]


# --------------------------------------------------------------------------- the quiz


@dataclass(frozen=True)
class QuizStat:
    """One quiz item's first answers in the class."""

    item: QuizItem
    answered: int
    right: int
    wrong: tuple[int, ...]  # the wrong choice(s) chosen most, by index (several on a tie)
    wrong_count: int  # how many learners chose each of them

    @property
    def share_right(self) -> float | None:
        return self.right / self.answered if self.answered else None

    @property
    def tied(self) -> bool:
        return len(self.wrong) > 1

    def wrong_text(self, sep: str = " / ") -> str:
        return sep.join(self.item.choices[i] for i in self.wrong)

    def misconception(self, sep: str = " / ") -> str:
        """What the most chosen wrong answer(s) stand for ("" when the file says nothing)."""
        found = self.item.misconceptions
        return sep.join(found[i] for i in self.wrong if i < len(found) and found[i])


def quiz_stat(item: QuizItem, choices: Sequence[int]) -> QuizStat:
    """The stats of `item` from the class's first choices for it (out-of-range ones ignored)."""
    valid = [c for c in choices if 0 <= c < len(item.choices)]
    right = sum(c == item.answer for c in valid)
    wrong = Counter(c for c in valid if c != item.answer)
    if not wrong:
        return QuizStat(item, len(valid), right, (), 0)
    top = max(wrong.values())
    return QuizStat(item, len(valid), right, tuple(sorted(c for c, n in wrong.items()
                                                          if n == top)), top)  # fmt: skip


def quiz_stats(items: Sequence[QuizItem], work: ClassWork) -> list[QuizStat]:
    """Every item's stats, in the quiz's order."""
    return [
        quiz_stat(item, [a[item.id] for a in work.quiz.values() if item.id in a]) for item in items
    ]


def dropped_answers(items: Sequence[QuizItem], work: ClassWork) -> int:
    """Stored answers to items the quiz no longer has (retired or removed), or to a choice the
    item does not have: they count for no item."""
    by_id = {item.id: item for item in items}
    return sum(
        1
        for answers in work.quiz.values()
        for item_id, choice in answers.items()
        if item_id not in by_id or not 0 <= choice < len(by_id[item_id].choices)
    )


# --------------------------------------------------------------------------- predictions


@dataclass(frozen=True)
class Distribution:
    """One prediction's answers in the class: (answer, learners) in the answers' order, the
    skips, the class size, the outcome (None: not known yet) and how many matched it."""

    prediction: Prediction
    counts: tuple[tuple[Value, int], ...]
    skipped: int
    learners: int
    outcome: Value | None
    matched: int

    @property
    def answered(self) -> int:
        return sum(n for _, n in self.counts)

    @property
    def silent(self) -> int:
        """Learners who neither predicted nor skipped (yet)."""
        return self.learners - self.answered - self.skipped


def _bucket(p: Prediction, value: Value) -> Value:
    """A number answer snapped to the prediction's increment (so near answers count together)."""
    if p.kind != "number":
        return value
    step = p.increment
    return round(round(float(value) / step) * step, 10)


def distribution(
    p: Prediction,
    made: Sequence[Made],
    learners: int,
    outcome: Value | None = None,
    rates: Sequence[float] = (),
) -> Distribution:
    """The class's answers to `p` (one Made per learner who predicted or skipped). A choice
    lists every option, a rate every one of `rates`, even those nobody chose."""
    given = [m.value for m in made if not m.skipped and m.value is not None]
    counts = Counter(_bucket(p, v) for v in given)
    if p.kind == "choice":
        order: list[Value] = [o.value for o in p.options]
        order += sorted((v for v in counts if v not in order), key=str)
    elif p.kind == "rate":
        order = sorted(set(map(float, rates)) | {float(v) for v in counts})
    else:
        order = sorted(counts, key=float)
    matched = sum(p.matches(v, outcome) for v in given)
    return Distribution(p, tuple((v, counts.get(v, 0)) for v in order),
                        sum(m.skipped for m in made), learners, outcome, matched)  # fmt: skip


def distributions(
    preds: Sequence[Prediction],
    work: ClassWork,
    outcomes: Mapping[str, Value],
    rates: Sequence[float] = (),
) -> list[Distribution]:
    """Every prediction's distribution in the class, in the order given."""
    n = len(work.learners)
    out = []
    for p in preds:
        made = [m[p.id] for m in work.predictions.values() if p.id in m]
        out.append(distribution(p, made, n, outcomes.get(p.id), rates))
    return out


# --------------------------------------------------------------------------- reflections


def reflection_answers(
    questions: Sequence[ReflectQuestion], work: ClassWork
) -> list[tuple[ReflectQuestion, list[tuple[str, str]]]]:
    """Per question, (learner name, answer) of everyone who answered it, in the class's order."""
    out = []
    for q in questions:
        texts = [(name, work.reflections.get(lid, {}).get(q.id, "")) for lid, name in work.learners]
        out.append((q, [(name, text) for name, text in texts if text.strip()]))
    return out


# --------------------------------------------------------------------------- the two CSV shapes


def quiz_column(item: QuizItem) -> str:
    return f"quiz:{item.id}"


def prediction_column(p: Prediction) -> str:
    return f"predict:{p.id}"


def reflect_column(q: ReflectQuestion) -> str:
    return f"reflect:{q.id}"


def _raw(p: Prediction, made: Made | None) -> str:
    """A prediction as a spreadsheet cell: the number or option value, "skipped", or ""."""
    if made is None:
        return ""
    if made.skipped:
        return SKIPPED
    return f"{float(made.value):g}" if p.kind != "choice" else str(made.value)


def gradebook(
    work: ClassWork,
    items: Sequence[QuizItem],
    preds: Sequence[Prediction],
    questions: Sequence[ReflectQuestion],
) -> tuple[list[str], list[dict[str, object]]]:
    """(columns, rows): a row per learner, a column per item. A quiz cell is 1 (right on the
    first try), 0 (wrong) or empty; a prediction cell its value or "skipped"; a question's
    cell the answer's text."""
    columns = ["learner", "quiz_right", "quiz_answered"]
    columns += [quiz_column(i) for i in items] + [prediction_column(p) for p in preds]
    columns += [reflect_column(q) for q in questions]
    rows = []
    for lid, name in work.learners:
        quiz, made = work.quiz.get(lid, {}), work.predictions.get(lid, {})
        row: dict[str, object] = {"learner": name}
        marks = {quiz_column(i): int(quiz[i.id] == i.answer) for i in items
                 if i.id in quiz and 0 <= quiz[i.id] < len(i.choices)}  # fmt: skip
        row.update(quiz_right=sum(marks.values()), quiz_answered=len(marks), **marks)
        row.update({prediction_column(p): _raw(p, made.get(p.id)) for p in preds})
        row.update({reflect_column(q): work.reflections.get(lid, {}).get(q.id, "")
                    for q in questions})  # fmt: skip
        rows.append(row)
    return columns, rows


ITEM_COLUMNS = ["kind", "item", "title", "learners", "answered", "right_first_try",
                "most_chosen_wrong", "chosen_by", "misconception", "distribution", "skipped",
                "outcome", "matched"]  # fmt: skip


def _share(x: float | None) -> str:
    return "" if x is None else f"{x:.3f}"


def item_rows(
    stats: Sequence[QuizStat],
    dists: Sequence[Distribution],
    questions: Sequence[ReflectQuestion],
    work: ClassWork,
) -> list[dict[str, object]]:
    """A row per item (ITEM_COLUMNS): quiz items, predictions, then think-deeper questions."""
    n = len(work.learners)
    rows: list[dict[str, object]] = []
    for s in stats:
        rows.append({"kind": "quiz", "item": s.item.id, "title": s.item.prompt, "learners": n,
                     "answered": s.answered, "right_first_try": _share(s.share_right),
                     "most_chosen_wrong": s.wrong_text(), "chosen_by": s.wrong_count or "",
                     "misconception": s.misconception()})  # fmt: skip
    for d in dists:
        p = d.prediction
        spread = "; ".join(f"{p.show(v)}: {k}" for v, k in d.counts if k)
        rows.append({"kind": "prediction", "item": p.id, "title": p.title, "learners": n,
                     "answered": d.answered, "distribution": spread, "skipped": d.skipped,
                     "outcome": p.show(d.outcome),
                     "matched": d.matched if d.outcome is not None else ""})  # fmt: skip
    for q, answers in reflection_answers(questions, work):
        rows.append({"kind": "reflection", "item": q.id, "title": q.question, "learners": n,
                     "answered": len(answers)})  # fmt: skip
    return rows
