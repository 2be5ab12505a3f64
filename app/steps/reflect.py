"""Reflect: the lesson's question, Monte Carlo dropout on the learner's model, think deeper."""

import streamlit as st

from dropout_lab.ui import concept_check, reflect, review, state, work

st.title(reflect.TEXT["title"], anchor=False)
st.markdown(reflect.TEXT["intro"])
work.unsaved_notice("answers")
reflect.lesson_question()
st.divider()
reflect.mc_section()
st.divider()
reflect.think_deeper()
st.divider()
review.show()  # interleaved retrieval, after a delay
st.divider()
reflect.wrap_up()
st.divider()
concept_check.show("post")  # the parallel form: ungraded, skippable
state.next_step("reflect")
