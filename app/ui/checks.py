"""One misconception check on the page, for Read and for Reflect's review: its prompt, the curves
it asks about, its choices in the learner's order, and after an answer the feedback: the
explanation, and on a wrong answer the misconception behind the choice made. A check answered
can be answered again; the store keeps the first answer (what the class view and the gain
count), the page shows the latest."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from dropout_lab.charts import quiz as quiz_charts
from dropout_lab.lesson import lessons, quiz_meta
from dropout_lab.lesson.content import step_text
from dropout_lab.ui import charts
from dropout_lab.ui.session_key import Family

WORDS = step_text("quiz")["words"]


def show(
    item: lessons.QuizItem,
    *,
    answers: dict[str, int],
    who: str,
    radio: Family,
    retry: Family,
    figure_key: Family,
    on_answer: Callable[..., Any],
    on_retry: Callable[..., Any],
    figure: quiz_meta.Figure | None = None,
) -> None:
    """The item in a bordered box. `answers` holds the latest choice per item; `on_answer(item)`
    is the radio's callback, `on_retry(item)` the "answer again" button's; `figure` replaces the
    item's own (a stored run's curves, filled in)."""
    order = lessons.choice_order(item, who)
    with st.container(border=True):
        st.markdown(f"**{item.prompt}**" if "\n" not in item.prompt else item.prompt)
        drawn = figure or item.figure
        if drawn is not None and drawn.series:
            about = quiz_charts.describe_curves(drawn, WORDS["figure_name"])
            charts.plot(quiz_charts.curves_figure, drawn, key=figure_key.of(item.id), about=about)
        chosen = answers.get(item.id)
        if chosen is None:
            st.radio(item.prompt, order, index=None, format_func=item.choices.__getitem__,
                     key=radio.of(item.id), on_change=on_answer, args=(item,),
                     label_visibility="collapsed")  # fmt: skip
            return
        # Answered: the choices as text (re-creating the keyed radio with a new index would
        # lose its value in the browser), the feedback, and a way to answer again.
        st.markdown("\n".join(choice_line(item, i, chosen) for i in order))
        feedback(item, chosen)
        st.button(WORDS["try_again"], key=retry.of(item.id), on_click=on_retry, args=(item,),
                  help=WORDS["try_again_help"], icon=":material/replay:")  # fmt: skip


def feedback(item: lessons.QuizItem, chosen: int) -> None:
    """Right: the explanation. Wrong: the belief behind the choice made, the answer, and why."""
    if lessons.grade(item, chosen):
        st.success(f"{WORDS['right']} {item.explanation}", icon="✅")
        return
    parts = [WORDS["wrong"].format(right=item.choices[item.answer])]
    if belief := item.misconception(chosen):
        parts.append(WORDS["misconception"].format(belief=belief))
    st.error("\n\n".join([*parts, item.explanation]), icon="❌")


def choice_line(item: lessons.QuizItem, i: int, chosen: int) -> str:
    """One choice of an answered check: the right one in green, a wrong pick in red."""
    mine = f" *{WORDS['your_answer']}*" if i == chosen else ""
    if i == item.answer:
        return f"- :green[✔ {item.choices[i]}]{mine}"
    if i == chosen:
        return f"- :red[✘ {item.choices[i]}]{mine}"
    return f"- :gray[{item.choices[i]}]"
