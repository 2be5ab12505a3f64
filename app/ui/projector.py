"""The projector view of the dashboard: the class as a whole, for the screen the class sees.

No learner's name, work or resume link anywhere on it (the sweep's hover and data table
included): how many have joined, how far the class has come step by step, the quiz's first
tries and the predictions as counts and shares, and the class's runs as anonymous points.
The think-deeper answers stay off it: a learner's own words can name them. Behind a toggle on
the dashboard (steps/dashboard.py), which shows nothing else while it is on."""

from __future__ import annotations

import streamlit as st

from dropout_lab.charts import describe
from dropout_lab.charts.classroom import class_sweep_figure
from dropout_lab.lesson import md
from dropout_lab.lesson.fmt import Count
from dropout_lab.lesson.steps import lesson
from dropout_lab.store import classroom
from dropout_lab.ui import charts, class_view, learners, marks, session

TEXT = learners.TEXT["dashboard"]


def _steps(store, class_code: str) -> None:
    st.subheader(TEXT["projector_steps"], anchor=False)
    cols = TEXT["projector_columns"]
    titles = {s.id: s.title for s in lesson().steps}
    counts = classroom.step_counts(store.class_progress(class_code), marks.criteria())
    rows = [{cols["step"]: titles.get(c["step"], c["step"]), cols["done"]: c["done"],
             cols["started"]: c["started"],
             cols["share"]: c["done"] / c["learners"] if c["learners"] else 0.0}
            for c in counts]  # fmt: skip
    share = st.column_config.ProgressColumn(cols["share"], min_value=0.0, max_value=1.0,
                                            format="percent")  # fmt: skip
    st.dataframe(rows, hide_index=True, width="stretch", column_config={cols["share"]: share},
                 key=session.DASHBOARD_PROJECTOR_STEPS)  # fmt: skip


def show(store, class_code: str, learner_count: int) -> None:
    """The projector view of class `class_code`."""
    st.header(TEXT["projector_heading"], anchor=False)
    st.markdown(TEXT["projector_learners"].format(count=Count(learner_count),
                                                  code=md.text(class_code)))  # fmt: skip
    _steps(store, class_code)
    class_view.anonymous(store, class_code)
    st.subheader(TEXT["sweep_heading"], anchor=False)
    sweep = store.class_sweep(class_code)
    if not sweep:
        st.info(TEXT["no_sweep"])
        return
    charts.plot(class_sweep_figure, sweep, named=False, key=session.DASHBOARD_SWEEP,
                about=describe.class_sweep(sweep, named=False))  # fmt: skip
