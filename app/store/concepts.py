"""Each joined learner's concept checks (issue 25): the form before Explore ("pre") and its
parallel form after Reflect ("post"), one row per item with the choice made, or none for an
item left blank or a form skipped. The first form handed in is kept, as with quiz answers.
What the items and phases mean, and the gain, is `dropout_lab.lesson.concepts`."""

from __future__ import annotations

import time
from collections.abc import Mapping

import sqlalchemy as sa

from dropout_lab.store.base import Database, insert_or_ignore
from dropout_lab.store.schema import KEY_MAX, learners, metadata
from dropout_lab.store.values import check_id, check_key, clean_name

PHASES = ("pre", "post")
CHOICE_MAX = 16  # no concept item has this many choices

concept_answers = sa.Table(  # revision 0011
    "concept_answers",
    metadata,
    sa.Column(
        "learner_id", sa.Integer, sa.ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("phase", sa.String(8), primary_key=True),
    sa.Column("item_id", sa.String(KEY_MAX), primary_key=True),
    sa.Column("choice", sa.Integer, nullable=True),
    sa.Column("answered_at", sa.Float, nullable=False),
)

Answers = dict[str, dict[str, int | None]]  # phase -> item id -> choice (None: blank/skipped)


def _choice(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < CHOICE_MAX:
        raise ValueError(f"a concept check's choice is an index below {CHOICE_MAX}, got {value!r}")
    return value


class ConceptQueries(Database):
    """The concept checks of a learner, and of a class (for the dashboard)."""

    def save_concept_check(
        self, learner_id: int, phase: str, answers: Mapping[str, int | None]
    ) -> None:
        """Keep the learner's form `phase` (item id -> choice, None for blank; all None: skipped),
        unless one was handed in already (its rows are kept, later ones ignored)."""
        if phase not in PHASES:
            raise ValueError(f"a concept check's phase is one of {PHASES}, got {phase!r}")
        if not answers:
            raise ValueError("a concept check has at least one item")
        rows = [{"learner_id": check_id(learner_id), "phase": phase,
                 "item_id": check_key(item, "concept item id"), "choice": _choice(choice),
                 "answered_at": time.time()} for item, choice in answers.items()]  # fmt: skip
        with self._learner_write(learner_id) as conn:
            c = concept_answers.c
            taken = conn.execute(
                sa.select(sa.literal(1)).where(c.learner_id == learner_id, c.phase == phase)
            ).first()
            if taken is None:
                for row in rows:
                    insert_or_ignore(conn, concept_answers, row, ("learner_id", "phase", "item_id"))

    def concept_checks(self, learner_id: int) -> Answers:
        """phase -> item id -> choice of the forms this learner handed in (or skipped)."""
        c = concept_answers.c
        with self._read() as conn:
            rows = conn.execute(
                sa.select(c.phase, c.item_id, c.choice).where(c.learner_id == check_id(learner_id))
            ).all()
        out: Answers = {}
        for phase, item, choice in rows:
            out.setdefault(phase, {})[item] = choice
        return out

    def class_concept_checks(self, class_code: str) -> dict[int, Answers]:
        """learner id -> their forms (see `concept_checks`), for the class `class_code`."""
        key = clean_name(class_code, "Class code").casefold()
        c = concept_answers.c
        in_class = sa.select(learners.c.id).where(learners.c.class_key == key)
        with self._read() as conn:
            rows = conn.execute(
                sa.select(c.learner_id, c.phase, c.item_id, c.choice).where(
                    c.learner_id.in_(in_class)
                )
            ).all()
        out: dict[int, Answers] = {}
        for lid, phase, item, choice in rows:
            out.setdefault(lid, {}).setdefault(phase, {})[item] = choice
        return out
