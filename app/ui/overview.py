"""The overview's section: the lesson's five steps, one line and a link each."""

import streamlit as st

from dropout_lab.lesson.steps import Lesson, lesson

__all__ = ["lesson", "steps"]


def steps(of: Lesson) -> None:
    """Each step of the lesson `of` in a box: its number, title and icon as a link, its blurb."""
    for number, step in enumerate(of.steps, start=1):
        with st.container(border=True):
            st.page_link(step.script, label=f"**{number}. {step.title}**", icon=step.icon)
            st.caption(step.blurb)
