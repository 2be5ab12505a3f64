"""One learner's predictions (issue 13): before a reveal, a value or an explicit skip, kept once.

A prediction is stored as its number (a typed value or a rate) or its choice (an option's
value), or as skipped with neither. The first one made is kept, as with quiz answers: a
prediction changed after its reveal would not be one. What the ids and values mean is
`dropout_lab.lesson.predictions`; the store only checks their form.
"""

from __future__ import annotations

import math
import time

import sqlalchemy as sa

from dropout_lab.store.base import Database, insert_or_ignore
from dropout_lab.store.schema import KEY_MAX, metadata
from dropout_lab.store.values import check_id, check_key

NUMBER_MAX = 1e6  # no prediction the lesson asks is anywhere near this

predictions = sa.Table(  # revision 0006
    "predictions",
    metadata,
    sa.Column(
        "learner_id", sa.Integer, sa.ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("prediction_id", sa.String(KEY_MAX), primary_key=True),
    sa.Column("number", sa.Float, nullable=True),
    sa.Column("choice", sa.String(KEY_MAX), nullable=True),
    sa.Column("skipped", sa.Boolean, nullable=False),
    sa.Column("made_at", sa.Float, nullable=False),
)


def row_values(value: float | str | None, skipped: bool) -> dict:
    """The (number, choice, skipped) columns of a prediction; a ValueError for a bad one."""
    if skipped:
        if value is not None:
            raise ValueError("a skipped prediction has no value")
        return {"number": None, "choice": None, "skipped": True}
    if isinstance(value, str):
        return {"number": None, "choice": check_key(value, "a prediction's choice"),
                "skipped": False}  # fmt: skip
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"a prediction is a number or a choice, got {value!r}")
    number = float(value)
    if not math.isfinite(number) or abs(number) > NUMBER_MAX:
        raise ValueError(f"a prediction's number must be finite and at most {NUMBER_MAX:g}")
    return {"number": number, "choice": None, "skipped": False}


def made(number: float | None, choice: str | None, skipped: bool) -> dict:
    """A stored row as {"value", "skipped"}."""
    value = None if skipped else (choice if choice is not None else number)
    return {"value": value, "skipped": bool(skipped)}


class PredictionQueries(Database):
    """Each learner's predictions, by prediction id."""

    def save_prediction(
        self, learner_id: int, prediction_id: str, value: float | str | None, *,
        skipped: bool = False,
    ) -> None:  # fmt: skip
        """Keep the learner's first prediction `prediction_id` (a number, a choice, or
        skipped with value None); later ones are ignored."""
        values = {
            "learner_id": check_id(learner_id),
            "prediction_id": check_key(prediction_id, "prediction id"),
            **row_values(value, bool(skipped)),
            "made_at": time.time(),
        }
        with self._learner_write(learner_id) as conn:
            insert_or_ignore(conn, predictions, values, ("learner_id", "prediction_id"))

    def predictions(self, learner_id: int) -> dict[str, dict]:
        """prediction id -> {"value": number, choice or None, "skipped", "made_at"}."""
        c = predictions.c
        with self._read() as conn:
            rows = conn.execute(
                sa.select(c.prediction_id, c.number, c.choice, c.skipped, c.made_at)
                .where(c.learner_id == check_id(learner_id))
                .order_by(c.prediction_id)
            ).all()
        return {
            pid: {**made(number, choice, skipped), "made_at": made_at}
            for pid, number, choice, skipped, made_at in rows
        }
