"""One learner's work as they go (issue 23): for each item (a lab), the text as last typed and,
for a graded lab, its last grade, so a learner's resume link brings back what they left.

`text` is capped at the store's CODE_MAX (the labs' own caps are smaller); `grade` is plain JSON
data chosen by the caller (the NumPy labs keep the graded code and the verdict) with a `passed`
flag the dashboard reads. A saved text never touches the grade, a saved grade never the text
(unless the row is new: then the graded code is the text).
"""

from __future__ import annotations

import json
import time

import sqlalchemy as sa

from dropout_lab.store.base import Database, upsert
from dropout_lab.store.schema import CODE_MAX, KEY_MAX, learners, metadata
from dropout_lab.store.values import check_id, check_key, check_text, clean_name, to_json

GRADE_MAX = 100_000  # characters of a grade's JSON (the verdict, the graded code, its output)

work = sa.Table(  # revision 0007
    "work",
    metadata,
    sa.Column(
        "learner_id", sa.Integer, sa.ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("item", sa.String(KEY_MAX), primary_key=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("grade", sa.JSON(none_as_null=True), nullable=True),
    sa.Column("updated_at", sa.Float, nullable=False),
)


def _grade(grade: dict) -> dict:
    if not isinstance(grade, dict) or not isinstance(grade.get("passed"), bool):
        raise ValueError('a grade is a dict with "passed": true or false')
    data = to_json(grade, "a grade")
    if len(json.dumps(data)) > GRADE_MAX:
        raise ValueError(f"a grade is too long (at most {GRADE_MAX} characters as JSON)")
    return data


class WorkQueries(Database):
    """Each learner's work by item: the text as typed, the last grade."""

    def save_work(self, learner_id: int, item: str, text: str) -> None:
        """Keep `text` as the learner's latest of `item` (its grade stays as it was)."""
        values = {
            "learner_id": check_id(learner_id),
            "item": check_key(item, "a work item"),
            "text": check_text(text, "The work", CODE_MAX),
            "grade": None,
            "updated_at": time.time(),
        }
        with self._learner_write(learner_id) as conn:
            upsert(conn, work, values, ("learner_id", "item"), ("text",))

    def save_grade(self, learner_id: int, item: str, text: str, grade: dict) -> None:
        """Keep `grade` as the learner's last grade of `item`, given for `text` (which becomes
        the item's text only if nothing of it was stored yet)."""
        values = {
            "learner_id": check_id(learner_id),
            "item": check_key(item, "a work item"),
            "text": check_text(text, "The work", CODE_MAX),
            "grade": _grade(grade),
            "updated_at": time.time(),
        }
        with self._learner_write(learner_id) as conn:
            upsert(conn, work, values, ("learner_id", "item"), ("grade",))

    def work(self, learner_id: int) -> dict[str, dict]:
        """item -> {"text", "grade" (dict or None), "updated_at"}."""
        c = work.c
        with self._read() as conn:
            rows = conn.execute(
                sa.select(c.item, c.text, c.grade, c.updated_at)
                .where(c.learner_id == check_id(learner_id))
                .order_by(c.item)
            ).all()
        return {
            item: {"text": text, "grade": grade if isinstance(grade, dict) else None,
                   "updated_at": updated_at}
            for item, text, grade, updated_at in rows
        }  # fmt: skip

    def class_grades(self, class_code: str) -> dict[int, dict[str, bool]]:
        """learner id -> {item: passed} of every graded item of the class `class_code`."""
        key = clean_name(class_code, "Class code").casefold()
        c = work.c
        in_class = sa.select(learners.c.id).where(learners.c.class_key == key)
        with self._read() as conn:
            rows = conn.execute(
                sa.select(c.learner_id, c.item, c.grade).where(
                    c.learner_id.in_(in_class), c.grade.is_not(None)
                )
            ).all()
        out: dict[int, dict[str, bool]] = {}
        for lid, item, grade in rows:
            if isinstance(grade, dict):
                out.setdefault(lid, {})[item] = bool(grade.get("passed"))
        return out
