"""The overview: what the lesson is and the five steps, one line each."""

import streamlit as st

from dropout_lab.ui import concept_check, overview

LESSON = overview.lesson()
st.title(f"🎲 {LESSON.title}")
st.header(LESSON.tagline, anchor=False)  # h2 under the title: no heading level skipped
st.markdown(LESSON.overview)
concept_check.show("pre")  # before Explore: ungraded, skippable
overview.steps(LESSON)
