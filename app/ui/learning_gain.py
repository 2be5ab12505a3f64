"""The learning gain on the instructor's dashboard: each learner's concept check before and
after, the normalised gain of those who took both, the class's mean with its spread and how
many took both; and the same three columns in the gradebook CSV. The sums are
`dropout_lab.lesson.concepts`; the words lessons/concept_check.toml's [words]."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from dropout_lab.lesson import concepts
from dropout_lab.ui import learners, session

GRADEBOOK = ("concept_pre", "concept_post", "concept_gain")  # the gradebook's columns


def class_gain(class_code: str, people: Sequence[tuple[int, str]]) -> concepts.ClassGain:
    """The class's scores and gains, `people` (id, name) in the order given."""
    answers = learners.store().class_concept_checks(class_code)
    return concepts.class_gain(concepts.load(), people, answers)


def show(class_code: str, people: Sequence[tuple[int, str]]) -> concepts.ClassGain:
    """The section: one sentence for the class, then a row per learner."""
    words = concepts.load().words
    got = class_gain(class_code, people)
    st.subheader(words["dashboard_heading"], anchor=False)
    st.caption(words["dashboard_explain"])
    if not got.both:
        st.info(words["dashboard_none"])
        return got
    st.markdown(words["dashboard_summary"].format(
        both=got.both, learners=len(got.rows), mean=concepts.fmt(got.mean) or "–",
        sd=concepts.fmt(got.sd) or "–", undefined=got.undefined))  # fmt: skip
    cols = words["columns"]
    rows = [{cols["learner"]: r.name, cols["pre"]: _score(r.pre, got.out_of),
             cols["post"]: _score(r.post, got.out_of), cols["gain"]: r.gain}
            for r in got.rows]  # fmt: skip
    gain = st.column_config.NumberColumn(cols["gain"], format="%.2f")
    st.dataframe(rows, hide_index=True, width="stretch", column_config={cols["gain"]: gain},
                 key=session.DASHBOARD_GAIN)  # fmt: skip
    return got


def _score(value: int | None, out_of: int) -> str:
    return "" if value is None else f"{value}/{out_of}"


def gradebook(
    columns: list[str], rows: list[dict], class_code: str, people: Sequence[tuple[int, str]]
) -> tuple[list[str], list[dict]]:
    """The gradebook with each learner's score before, after, and gain (blank when none); rows
    are those of `people`, in that order."""
    got = class_gain(class_code, people)
    for row, r in zip(rows, got.rows, strict=True):
        pre, post, gain = GRADEBOOK
        row.update({pre: "" if r.pre is None else r.pre, post: "" if r.post is None else r.post,
                    gain: concepts.fmt(r.gain, 3)})  # fmt: skip
    return [*columns, *GRADEBOOK], rows
