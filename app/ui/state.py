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
    """'Open <step>' buttons, side by side, for (step id, query pairs) targets of a reading.
    They flow in one row and wrap onto the next as their words need: in equal columns, five of
    them cut the last label short at 1366 px ("Open Explore (rate = 0")."""
    from dropout_lab.lesson.steps import lesson

    row = st.container(horizontal=True, wrap=True, gap="medium")
    for step_id, query in targets:
        step = lesson().step(step_id)
        where = ", ".join(f"{k} = {v}" for k, v in query)
        row.page_link(
            step.script,
            label=f"Open {step.title}" + (f" ({where})" if where else ""),
            icon=step.icon,
            query_params=dict(query) or None,
        )


def next_step(step_id: str) -> None:
    """The foot of a step: a link to the next step of the lesson (the last one: the overview)."""
    from dropout_lab.lesson.steps import lesson

    after = lesson().after(step_id)
    st.divider()
    box = st.container(horizontal_alignment="right", key=session.LESSON_NEXT.of(step_id))
    if after is None:
        box.page_link("steps/overview.py", label=lesson().last, icon="🏠")
        return
    number, step = after
    box.page_link(step.script, label=lesson().next.format(number=number, title=step.title),
                  icon=step.icon, help=step.blurb)  # fmt: skip


_SCROLL = """<div id="{id}" style="scroll-margin-top: 4.5rem"></div><script>
requestAnimationFrame(() => document.getElementById("{id}")?.scrollIntoView({{block: "start"}}));
</script>"""


def scroll_here() -> None:
    """Scroll the page so that what follows is at the top of the screen (below the header):
    a new section's title rather than wherever the last one was read. A fresh id each time, so
    the browser runs the script again."""
    import secrets

    st.html(_SCROLL.format(id=f"dl-top-{secrets.token_hex(4)}"), unsafe_allow_javascript=True)
