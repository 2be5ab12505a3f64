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


def step_links(targets) -> None:
    """'Open <step>' buttons, side by side, for (step id, query pairs) targets of a reading."""
    from dropout_lab.lesson.steps import lesson

    targets = list(targets)
    for col, (step_id, query) in zip(st.columns(len(targets)), targets, strict=True):
        step = lesson().step(step_id)
        where = ", ".join(f"{k} = {v}" for k, v in query)
        col.page_link(
            step.script,
            label=f"Open {step.title}" + (f" ({where})" if where else ""),
            icon=step.icon,
            query_params=dict(query) or None,
        )
