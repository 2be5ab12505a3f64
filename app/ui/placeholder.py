"""The page a step shows until it is built: a short note, never an error."""

import streamlit as st

from app.engine.steps import lesson


def coming_soon(step_id: str) -> None:
    step = lesson().step(step_id)
    st.title(f"{step.icon} {step.title}")
    st.write(step.blurb)
    st.info(lesson().coming_soon, icon="🚧")
