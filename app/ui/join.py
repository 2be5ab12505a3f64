"""Joining, on the page itself: one line and one form at the top of the overview and of every
step until the learner has joined (on a phone too, where the sidebar is folded away), with the
lesson's length; the join and resume messages beside it. The joining itself is
`ui/learners.py`'s (`join`, `resume_with`); this module only lays out the form."""

from __future__ import annotations

import time

import streamlit as st

from dropout_lab.lesson import md
from dropout_lab.lesson.names import NAME_MAX
from dropout_lab.lesson.steps import lesson
from dropout_lab.ui import learners, links, session, settings, state

TEXT = learners.TEXT["join"]


def lesson_minutes() -> int:
    """About how long the lesson takes (its steps' minutes and the readings'), to 5 minutes."""
    from dropout_lab.lesson import lessons

    reading = sum(s.minutes for s in lessons.load_sections() if not s.optional)
    return max(5, 5 * round(lesson().length_minutes(reading) / 5))


def messages() -> None:
    """The last join, resume or store message, on the page where it is seen: once, or on every
    run until its time to be read is over (then it stays on screen until the next run)."""
    message = st.session_state.pop(session.LEARNERS_MESSAGE, None)
    if not message:
        return
    kind, text, *until = message
    getattr(st, kind)(text)
    if until and time.time() < until[0]:
        st.session_state[session.LEARNERS_MESSAGE] = message


def strip() -> None:
    """For a learner who has not joined: the lesson's length, the join form on one line, the
    resume code folded under it. A name found taken opens the resume form with what to do."""
    messages()
    if learners.current() is not None:
        return
    taken = st.session_state.get(session.LEARNERS_TAKEN)
    with st.container(border=True, key=session.LESSON_JOIN_STRIP):
        st.markdown(TEXT["strip"].format(minutes=lesson_minutes(), steps=len(lesson().steps)))
        if taken:
            st.warning(TEXT["taken"].format(name=md.text(taken[0]), code=md.in_code(taken[1])),
                       icon="🔒")  # fmt: skip
            links.resume_form(on_resume=learners.resume_clicked)
        form()
        if not taken:
            with st.expander(TEXT["resume_heading"], icon="🔑"):
                links.resume_form(on_resume=learners.resume_clicked, heading=False)


def form() -> None:
    """Name, class code and Join, side by side (stacked on a phone); Enter joins."""
    if session.LEARNERS_CODE not in st.session_state:  # ?class=, else the lesson file's
        code = state.query_param("class") or (
            settings.config().class_code if settings.config_ok() else None
        )
        st.session_state[session.LEARNERS_CODE] = code or ""
    with st.form(key=session.LESSON_JOIN_FORM, border=False, enter_to_submit=True):
        name, code, go = st.columns([3, 3, 1.4], vertical_alignment="bottom")
        name.text_input(TEXT["name"], key=session.LEARNERS_NAME, help=TEXT["name_help"],
                        max_chars=NAME_MAX)  # fmt: skip
        code.text_input(TEXT["code"], key=session.LEARNERS_CODE, help=TEXT["code_help"],
                        max_chars=NAME_MAX)  # fmt: skip
        go.form_submit_button(TEXT["button"], key=session.LEARNERS_JOIN, type="primary",
                              on_click=learners.join_clicked, width="stretch")  # fmt: skip
