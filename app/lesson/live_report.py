"""After class (issue 27): the live sessions' votes as tables. Per learner and question asked:
their first and second answer, and whether they moved to the right answer, away from it, or
stayed; per question asked: how many answered each vote, the share right in each, the shares
of every choice, how many moved to the right answer and away from it, and, beside them, the
share right when the class answered it at its own pace. Pure: the votes are
`Store.class_live_votes` rows; the questions `lesson.live`'s.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dropout_lab.lesson import fmt
from dropout_lab.lesson.live import TEXT, Question

COLUMNS = TEXT["report"]["columns"]
LEARNER_COLUMNS = tuple(COLUMNS[k] for k in (
    "session", "started", "question", "learner", "first", "second", "right", "moved"))  # fmt: skip
QUESTION_COLUMNS = tuple(COLUMNS[k] for k in (
    "session", "started", "question", "voters1", "right1", "voters2", "right2", "to_right", "away",
    "self_paced", "shares1", "shares2"))  # fmt: skip


@dataclass(frozen=True)
class Asked:
    """One question asked in one session: each learner's (first, second) answer (None: no vote)."""

    session_id: int
    started_at: float
    question_id: str
    answers: dict[str, tuple[str | None, str | None]]  # learner name -> (vote 1, vote 2)


def asked(votes: Sequence[Mapping]) -> list[Asked]:
    """The votes grouped by session and question, in the order they come (oldest first)."""
    out: dict[tuple[int, str], Asked] = {}
    for v in votes:
        key = (v["session_id"], v["question_id"])
        a = out.setdefault(key, Asked(v["session_id"], v["started_at"], v["question_id"], {}))
        first, second = a.answers.get(v["name"], (None, None))
        pair = (v["choice"], second) if v["round"] == 1 else (first, v["choice"])
        a.answers[v["name"]] = pair
    return list(out.values())


def moved(q: Question | None, first: str | None, second: str | None) -> str:
    """The words for "to the right answer" or "away from it", or "" (stayed, missing, no answer)."""
    if q is None or q.answer is None or first is None or second is None or first == second:
        return ""
    if second == q.answer:
        return TEXT["report"]["moved_right"]
    return TEXT["report"]["moved_away"] if first == q.answer else ""


def _when(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(seconds))


def learner_rows(items: Sequence[Asked], qs: Mapping[str, Question]) -> list[dict]:
    """A row per learner and question asked (LEARNER_COLUMNS)."""
    rows = []
    for a in items:
        q = qs.get(a.question_id)
        for name, (first, second) in a.answers.items():
            show = q.label if q else (lambda v: v or "")
            values = (a.session_id, _when(a.started_at), q.title if q else a.question_id, name,
                      show(first), show(second), show(q.answer) if q else "",
                      moved(q, first, second))  # fmt: skip
            rows.append(dict(zip(LEARNER_COLUMNS, values, strict=True)))
    return rows


def _share_right(q: Question | None, answers: list[str]) -> float | None:
    if q is None or q.answer is None or not answers:
        return None
    return sum(a == q.answer for a in answers) / len(answers)


def _shares(q: Question | None, answers: list[str]) -> str:
    if not answers:
        return ""
    values = [c.value for c in q.choices] if q else sorted(set(answers))
    label = q.label if q else str
    return "; ".join(f"{label(v)}: {fmt.share(answers.count(v) / len(answers))}" for v in values)


def question_rows(
    items: Sequence[Asked], qs: Mapping[str, Question], self_paced: Mapping[str, float | None]
) -> list[dict]:
    """A row per question asked (QUESTION_COLUMNS); `self_paced`: question id -> the share
    right when the class answered it at its own pace (None: nobody did)."""
    rows = []
    for a in items:
        q = qs.get(a.question_id)
        one = [f for f, _ in a.answers.values() if f is not None]
        two = [s for _, s in a.answers.values() if s is not None]
        moves = [moved(q, f, s) for f, s in a.answers.values()]
        values = (a.session_id, _when(a.started_at), q.title if q else a.question_id,
                  len(one), _share_right(q, one), len(two), _share_right(q, two),
                  moves.count(TEXT["report"]["moved_right"]),
                  moves.count(TEXT["report"]["moved_away"]), self_paced.get(a.question_id),
                  _shares(q, one), _shares(q, two))  # fmt: skip
        rows.append(dict(zip(QUESTION_COLUMNS, values, strict=True)))
    return rows
