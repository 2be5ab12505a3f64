"""A class's rows, for the instructor dashboard only: its learners, their progress and counts,
every submitted run (the class's own sweep), and removing a learner with their work."""

from __future__ import annotations

import time

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from dropout_lab.store.base import Database
from dropout_lab.store.learners import Learner
from dropout_lab.store.queue_tables import LIVE, R, run_requests
from dropout_lab.store.schema import learners, progress, quiz_answers, reflections, submissions
from dropout_lab.store.values import clean_name, float_or_none


class ClassQueries(Database):
    """What the dashboard shows of the class `class_code` (matched without regard to case)."""

    def class_learners(self, class_code: str) -> list[Learner]:
        """The learners of `class_code` (matched without regard to case), by name."""
        key = clean_name(class_code, "Class code").casefold()
        with self._read() as conn:
            rows = conn.execute(
                sa.select(learners.c.id, learners.c.name, learners.c.class_code)
                .where(learners.c.class_key == key)
                .order_by(learners.c.name_key, learners.c.id)
            ).all()
        return [Learner(r.id, r.name, r.class_code) for r in rows]

    def remove_learner(self, learner_id: int) -> Learner | None:
        """Delete the learner and all their work (progress, answers, submissions, reflections,
        predictions, lab work: the foreign keys cascade), and withdraw their live run requests;
        their resume code stops working with the row. Returns who was removed (None: nobody).
        Finished runs stay: they are keyed by what determines them, not by whose they were."""
        with self._write() as conn:
            row = conn.execute(
                sa.select(learners.c.id, learners.c.name, learners.c.class_code).where(
                    learners.c.id == learner_id
                )
            ).first()
            if row is None:
                return None
            conn.execute(
                sa.update(run_requests)
                .where(R.lane == f"learner:{row.id}", R.state.in_(LIVE))
                .values(state="withdrawn", updated_at=time.time())
            )
            conn.execute(sa.delete(learners).where(learners.c.id == row.id))
        return Learner(row.id, row.name, row.class_code)

    def class_progress(self, class_code: str) -> list[dict]:
        """One row per learner of the class, by name: learner_id, name, progress (as
        `progress()`: step -> criteria done), quiz_correct, quiz_answered, submissions,
        reflections (counts), has_link (a resume code was issued), link_issued_at and
        last_seen_at (seconds since the epoch, or None). Never a code or its hash."""
        key = clean_name(class_code, "Class code").casefold()
        c = learners.c
        linked = c.secret_hash.is_not(None)
        with self._read() as conn:
            people = conn.execute(
                sa.select(c.id, c.name, linked, c.link_issued_at, c.last_seen_at)
                .where(c.class_key == key)
                .order_by(c.name_key, c.id)
            ).all()
            in_class = sa.select(learners.c.id).where(learners.c.class_key == key)
            done = conn.execute(
                sa.select(progress.c.learner_id, progress.c.step, progress.c.criterion).where(
                    progress.c.learner_id.in_(in_class), progress.c.done.is_(True)
                )
            ).all()
            quiz = conn.execute(
                sa.select(
                    quiz_answers.c.learner_id,
                    sa.func.count(),
                    sa.func.sum(sa.case((quiz_answers.c.correct.is_(True), 1), else_=0)),
                )
                .where(quiz_answers.c.learner_id.in_(in_class))
                .group_by(quiz_answers.c.learner_id)
            ).all()
            subs = _counts(conn, submissions, in_class)
            refl = _counts(conn, reflections, in_class)
        rows = {
            lid: {
                "learner_id": lid,
                "name": name,
                "progress": {},
                "quiz_correct": 0,
                "quiz_answered": 0,
                "submissions": subs.get(lid, 0),
                "reflections": refl.get(lid, 0),
                "has_link": bool(linked),
                "link_issued_at": issued,
                "last_seen_at": seen,
            }
            for lid, name, linked, issued, seen in people
        }
        for lid, step, criterion in done:
            if lid in rows:
                rows[lid]["progress"].setdefault(step, set()).add(criterion)
        for lid, answered, correct in quiz:
            if lid in rows:
                rows[lid]["quiz_answered"] = int(answered)
                rows[lid]["quiz_correct"] = int(correct or 0)
        return list(rows.values())

    def class_sweep(self, class_code: str) -> list[dict]:
        """Every submission of the class that has a summary, oldest first: learner_id, name,
        lab, run_key, rates (list), mean_rate (0.0 without dropout), val_accuracy, val_loss,
        epochs, created_at."""
        key = clean_name(class_code, "Class code").casefold()
        s = submissions.c
        with self._read() as conn:
            rows = conn.execute(
                sa.select(s.learner_id, learners.c.name, s.lab, s.run_key, s.summary, s.created_at)
                .join_from(submissions, learners, s.learner_id == learners.c.id)
                .where(learners.c.class_key == key, s.summary.is_not(None))
                .order_by(s.id)
            ).all()
        out = []
        for lid, name, lab, run_key, summary, created_at in rows:
            if not isinstance(summary, dict):
                continue
            raw = summary.get("rates") or []
            rates = [r for r in (float_or_none(x) for x in raw) if r is not None]
            out.append(
                {
                    "learner_id": lid,
                    "name": name,
                    "lab": lab,
                    "run_key": run_key or summary.get("run_key"),
                    "rates": rates,
                    "mean_rate": sum(rates) / len(rates) if rates else 0.0,
                    "val_accuracy": float_or_none(summary.get("val_accuracy")),
                    "val_loss": float_or_none(summary.get("val_loss")),
                    "epochs": summary.get("epochs"),
                    "created_at": created_at,
                }
            )
        return out


def _counts(conn: Connection, table: sa.Table, in_class: sa.Select) -> dict[int, int]:
    rows = conn.execute(
        sa.select(table.c.learner_id, sa.func.count())
        .where(table.c.learner_id.in_(in_class))
        .group_by(table.c.learner_id)
    ).all()
    return {lid: int(n) for lid, n in rows}
