"""Helpers shared by the steps: steps visited, deep-link parameters, links to other steps.
The session keys themselves are declared in `dropout_lab.ui.session`."""

from __future__ import annotations

import streamlit as st

from dropout_lab.ui import session


def visited() -> set[str]:
    """The step ids this learner has opened in this session."""
    return session.value(session.LESSON_VISITED)


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
