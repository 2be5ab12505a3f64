"""One learner's rows: joining, progress marks, quiz answers, submissions and reflections.

A learner only ever sees their own data: every method here takes the learner's id, and the app
hands out an id only to a session that showed the learner's resume code (`access`)."""

from __future__ import annotations

import time

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from dropout_lab.store.access import AccessQueries, Learner
from dropout_lab.store.base import insert_or_ignore, upsert
from dropout_lab.store.schema import (
    CODE_MAX,
    KEY_MAX,
    TEXT_MAX,
    learners,
    progress,
    quiz_answers,
    reflections,
    submissions,
)
from dropout_lab.store.values import check_id, check_key, check_text, clean_name, to_json

__all__ = ["Learner", "LearnerQueries"]


class LearnerQueries(AccessQueries):
    """Joining, and each learner's progress, quiz answers, submissions and reflections."""

    # ---- learners

    def join(self, name: str, class_code: str) -> Learner:
        """The learner `name` of class `class_code`, created on first join (without a resume
        code: `issue_code` gives one). For tools and tests acting for the server: the app
        never opens a learner's work by name (it uses `enrol` and `resume`).

        Both are trimmed (inner runs of spaces become one) and matched without regard to case:
        "ada " and "Ada" in "cs101" and "CS101" are the same learner, shown as first typed."""
        name = clean_name(name, "Name")
        class_code = clean_name(class_code, "Class code")
        keys = {"name_key": name.casefold(), "class_key": class_code.casefold()}
        for _attempt in range(3):
            found = self._find_learner(**keys)
            if found is not None:
                return found
            try:
                with self._write() as conn:
                    self._refuse_lookalike(conn, name, keys["class_key"])
                    new_id = conn.execute(
                        learners.insert(),
                        dict(keys, name=name, class_code=class_code, created_at=time.time()),
                    ).inserted_primary_key[0]
                return Learner(new_id, name, class_code)
            except IntegrityError:
                continue  # created meanwhile by someone else: read it
        raise RuntimeError(f"could not join {name!r} to {class_code!r}")  # pragma: no cover

    def _find_learner(self, name_key: str, class_key: str) -> Learner | None:
        with self._read() as conn:
            row = conn.execute(
                sa.select(learners.c.id, learners.c.name, learners.c.class_code).where(
                    learners.c.class_key == class_key, learners.c.name_key == name_key
                )
            ).first()
        return None if row is None else Learner(row.id, row.name, row.class_code)

    def learner(self, learner_id: int) -> Learner | None:
        """The learner with id `learner_id`, if any (e.g. to restore a session)."""
        with self._read() as conn:
            row = conn.execute(
                sa.select(learners.c.id, learners.c.name, learners.c.class_code).where(
                    learners.c.id == check_id(learner_id)
                )
            ).first()
        return None if row is None else Learner(row.id, row.name, row.class_code)

    # ---- progress

    def record(self, learner_id: int, step: str, criterion: str, done: bool = True) -> None:
        """Mark `criterion` of `step` done (or not done again) for the learner."""
        values = {
            "learner_id": check_id(learner_id),
            "step": check_key(step, "step"),
            "criterion": check_key(criterion, "criterion"),
            "done": bool(done),
            "updated_at": time.time(),
        }
        with self._learner_write(learner_id) as conn:
            upsert(conn, progress, values, ("learner_id", "step", "criterion"), ("done",))

    def progress(self, learner_id: int) -> dict[str, set[str]]:
        """step -> the criteria done (steps with none done are left out)."""
        with self._read() as conn:
            rows = conn.execute(
                sa.select(progress.c.step, progress.c.criterion).where(
                    progress.c.learner_id == check_id(learner_id), progress.c.done.is_(True)
                )
            ).all()
        out: dict[str, set[str]] = {}
        for step, criterion in rows:
            out.setdefault(step, set()).add(criterion)
        return out

    # ---- quiz

    def save_quiz_answer(self, learner_id: int, item_id: str, choice: int, correct: bool) -> None:
        """Keep the learner's first answer to `item_id`; later answers are ignored."""
        if isinstance(choice, bool) or not isinstance(choice, int):
            raise ValueError(f"choice must be an integer, got {choice!r}")
        values = {
            "learner_id": check_id(learner_id),
            "item_id": check_key(item_id, "quiz item id"),
            "choice": choice,
            "correct": bool(correct),
            "answered_at": time.time(),
        }
        with self._learner_write(learner_id) as conn:
            insert_or_ignore(conn, quiz_answers, values, ("learner_id", "item_id"))

    def quiz_answers(self, learner_id: int) -> dict[str, tuple[int, bool]]:
        """item id -> (choice, correct) of the learner's first answer."""
        with self._read() as conn:
            rows = conn.execute(
                sa.select(quiz_answers.c.item_id, quiz_answers.c.choice, quiz_answers.c.correct)
                .where(quiz_answers.c.learner_id == check_id(learner_id))
                .order_by(quiz_answers.c.item_id)
            ).all()
        return {item: (choice, bool(correct)) for item, choice, correct in rows}

    # ---- submissions

    def save_submission(
        self,
        learner_id: int,
        lab: str,
        code: str,
        spec: dict | None,
        summary: dict | None,
    ) -> None:
        """Keep one submission of lab `lab`: the code, its parsed spec (or None) and, once
        trained, a summary such as {"run_key", "rates", "val_accuracy", "val_loss", "epochs"}."""
        summary = to_json(summary, "summary")
        if summary is not None and not isinstance(summary, dict):
            raise ValueError("summary must be a dict")
        spec = to_json(spec, "spec")
        run_key = summary.get("run_key") if summary else None
        values = {
            "learner_id": check_id(learner_id),
            "lab": check_key(lab, "lab"),
            "code": check_text(code, "The code", CODE_MAX),
            "spec": spec,
            "summary": summary,
            "run_key": run_key if isinstance(run_key, str) and len(run_key) <= KEY_MAX else None,
            "created_at": time.time(),
        }
        with self._learner_write(learner_id) as conn:
            conn.execute(submissions.insert(), values)

    def submissions(self, learner_id: int) -> list[dict]:
        """The learner's submissions, oldest first: id, lab, code, spec, summary, run_key,
        created_at (seconds since the epoch)."""
        c = submissions.c
        with self._read() as conn:
            rows = conn.execute(
                sa.select(c.id, c.lab, c.code, c.spec, c.summary, c.run_key, c.created_at)
                .where(c.learner_id == check_id(learner_id))
                .order_by(c.id)
            ).all()
        return [dict(row._mapping) for row in rows]

    # ---- reflections

    def save_reflection(self, learner_id: int, question_id: str, text: str) -> None:
        """Keep the learner's latest answer to `question_id` (replacing an earlier one)."""
        values = {
            "learner_id": check_id(learner_id),
            "question_id": check_key(question_id, "question id"),
            "text": check_text(text, "The answer", TEXT_MAX),
            "updated_at": time.time(),
        }
        with self._learner_write(learner_id) as conn:
            upsert(conn, reflections, values, ("learner_id", "question_id"), ("text", "updated_at"))

    def reflections(self, learner_id: int) -> dict[str, str]:
        """question id -> the learner's latest answer."""
        with self._read() as conn:
            rows = conn.execute(
                sa.select(reflections.c.question_id, reflections.c.text)
                .where(reflections.c.learner_id == check_id(learner_id))
                .order_by(reflections.c.question_id)
            ).all()
        return dict(rows)
