"""Streamlit entry point: page config, navigation over the five steps, and the sidebar."""

import sys
from pathlib import Path

# `streamlit run app/main.py` puts app/ on sys.path, not the project root; the package is
# normally installed (pip install -e .), this keeps a plain checkout working too.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import streamlit as st

from app.engine.steps import lesson
from app.ui import precompute, state

st.set_page_config(page_title="Dropout Lab", page_icon="🎲", layout="wide")

LESSON = lesson()
overview = st.Page("steps/overview.py", title="Overview", icon="🏠", default=True)
step_pages = {
    step.id: st.Page(step.script, title=step.title, icon=step.icon, url_path=step.id)
    for step in LESSON.steps
}
current = st.navigation([overview, *step_pages.values()], position="hidden")
state.mark_visited(current.url_path)
precompute.start()  # the Compare step's shared runs, in the background, once per process

with st.sidebar:
    st.markdown(f"### 🎲 {LESSON.title}")
    st.page_link(overview, label="Overview", icon="🏠")
    visited = state.visited()
    for number, step in enumerate(LESSON.steps, start=1):
        mark = " ✓" if step.id in visited else ""
        st.page_link(step_pages[step.id], label=f"{number}. {step.title}{mark}", icon=step.icon)
    done = sum(step.id in visited for step in LESSON.steps)
    st.progress(done / len(LESSON.steps), text=f"{done} of {len(LESSON.steps)} steps visited")

current.run()
