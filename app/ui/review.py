"""Reflect's interleaved review (ui side): 6 to 8 of Read's checks drawn across the sections
(`lesson/review.py`), with the same feedback and "answer again" as on Read. An item that reads
one of the lesson's stored runs is filled in from it, and left out while the run is not stored
or does not meet the item's premise. Answers here are practice: kept for the session only."""

from __future__ import annotations

import logging

import streamlit as st

from dropout_lab.lesson import catalogue, lessons, quiz_meta
from dropout_lab.lesson import review as draw
from dropout_lab.ui import checks, learners, session, settings

log = logging.getLogger(__name__)
ANSWERS = session.REFLECT_REVIEW_ANSWERS


def _run_figures(items: list[lessons.QuizItem]) -> dict[str, quiz_meta.Figure]:
    """item id -> its figure filled from the stored run (the runs are never trained here)."""
    wanted = [i for i in items if i.needs_runs]
    if not wanted:
        return {}
    from dropout_lab.training import precompute
    from dropout_lab.ui import training

    try:
        reqs = catalogue.requests(settings.train_settings().config)
        loaded = precompute.load(training.service().store, reqs)
    except Exception:  # the review goes on without the run's items
        log.exception("reading the lesson's runs for the review failed")
        return {}
    out = {}
    for item in wanted:
        history = loaded.get(item.figure.run)
        filled = item.figure.from_history(history) if history else None
        if filled is not None:
            out[item.id] = filled
    return out


def _who() -> str:
    me = learners.current()
    return f"learner:{me.id}" if me is not None else "review"


def _again(item: lessons.QuizItem) -> None:
    session.value(ANSWERS).pop(item.id, None)
    st.session_state.pop(session.REFLECT_REVIEW.of(item.id), None)


def _answer(item: lessons.QuizItem) -> None:
    choice = st.session_state.get(session.REFLECT_REVIEW.of(item.id))
    if choice is not None:
        session.value(ANSWERS)[item.id] = choice


def show() -> None:
    """The review: a heading, a line on why, and the drawn checks."""
    words = checks.WORDS
    sections = [s for s in lessons.load_sections() if not s.optional]
    quiz = lessons.load_quiz(sections=[s.slug for s in lessons.load_sections()])
    figures = _run_figures(quiz)
    askable = [i for i in quiz if not i.needs_runs or i.id in figures]
    items = draw.draw(askable, [s.slug for s in sections], _who())
    st.subheader(words["review_heading"], anchor=False)
    st.caption(words["review_intro"])
    answers = session.value(ANSWERS)
    for item in items:
        checks.show(item, answers=answers, who=_who(), radio=session.REFLECT_REVIEW,
                    retry=session.REFLECT_REVIEW_RETRY, figure_key=session.REFLECT_REVIEW_FIGURE,
                    on_answer=_answer, on_retry=_again, figure=figures.get(item.id))  # fmt: skip
    right = sum(lessons.grade(i, answers[i.id]) for i in items if i.id in answers)
    if answers:
        st.caption(words["review_score"].format(right=right, total=len(items)))
