"""Session-state keys and helpers shared by the steps. Keys are namespaced by step."""

from __future__ import annotations

import streamlit as st

VISITED = "lesson.visited"


def visited() -> set[str]:
    """The step ids this learner has opened in this session."""
    return st.session_state.setdefault(VISITED, set())


def mark_visited(step_id: str) -> None:
    visited().add(step_id)


def query_param(name: str) -> str | None:
    """A deep-link parameter (?name=value), or None."""
    value = st.query_params.get(name)
    return value if isinstance(value, str) else None
