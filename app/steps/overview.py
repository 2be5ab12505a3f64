"""The overview: what the lesson is and the five steps, one line each."""

import streamlit as st

from dropout_lab.lesson.steps import lesson
from dropout_lab.ui import concept_check

LESSON = lesson()
st.title(f"🎲 {LESSON.title}")
st.header(LESSON.tagline, anchor=False)  # h2 under the title: no heading level skipped
st.markdown(LESSON.overview)
concept_check.show("pre")  # before Explore: ungraded, skippable
for number, step in enumerate(LESSON.steps, start=1):
    with st.container(border=True):
        st.page_link(step.script, label=f"**{number}. {step.title}**", icon=step.icon)
        st.caption(step.blurb)
