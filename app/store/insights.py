"""What a class answered, for the instructor's "what the class thinks" view only: every
learner's first quiz choices, predictions and reflections, read in one transaction. The
aggregates (shares, the wrong answers chosen most, distributions) are computed from these rows
by `dropout_lab.lesson.insights`."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from dropout_lab.store.base import Database
from dropout_lab.store.predictions import made, predictions
from dropout_lab.store.schema import learners, quiz_answers, reflections
from dropout_lab.store.values import clean_name


@dataclass(frozen=True)
class ClassAnswers:
    """A class's answers: learners (id, name) by name, and per learner id their first quiz
    choices (item id -> choice), predictions (id -> {"value", "skipped"}) and reflections."""

    learners: tuple[tuple[int, str], ...]
    quiz: dict[int, dict[str, int]] = field(default_factory=dict)
    predictions: dict[int, dict[str, dict]] = field(default_factory=dict)
    reflections: dict[int, dict[str, str]] = field(default_factory=dict)


class InsightQueries(Database):
    """The answers of the class `class_code` (matched without regard to case)."""

    def class_answers(self, class_code: str) -> ClassAnswers:
        """Every learner's first quiz choices, predictions and reflections (see ClassAnswers)."""
        key = clean_name(class_code, "Class code").casefold()
        c = learners.c
        in_class = sa.select(c.id).where(c.class_key == key)
        q, p, r = quiz_answers.c, predictions.c, reflections.c
        with self._read() as conn:
            people = conn.execute(
                sa.select(c.id, c.name).where(c.class_key == key).order_by(c.name_key, c.id)
            ).all()
            quiz = conn.execute(
                sa.select(q.learner_id, q.item_id, q.choice).where(q.learner_id.in_(in_class))
            ).all()
            preds = conn.execute(
                sa.select(p.learner_id, p.prediction_id, p.number, p.choice, p.skipped).where(
                    p.learner_id.in_(in_class)
                )
            ).all()
            texts = conn.execute(
                sa.select(r.learner_id, r.question_id, r.text).where(r.learner_id.in_(in_class))
            ).all()
        out = ClassAnswers(tuple((lid, name) for lid, name in people))
        for lid, item, choice in quiz:
            out.quiz.setdefault(lid, {})[item] = int(choice)
        for lid, pid, number, choice, skipped in preds:
            out.predictions.setdefault(lid, {})[pid] = made(number, choice, skipped)
        for lid, qid, text in texts:
            out.reflections.setdefault(lid, {})[qid] = text
        return out
