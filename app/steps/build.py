"""Build: edit the Keras model, check it against the lab, train it live in a worker."""

import streamlit as st

from dropout_lab.ui import build, claims, lab_goals, numpy_lab, predictions, state

chosen = build.lab_choice()
if chosen in numpy_lab.LABS:
    numpy_lab.render(chosen)
    state.next_step("build")
    st.stop()
st.title("🛠️ Build: " + build.LAB.title)
st.markdown(build.LAB.intro)
build.data_section()
build.editor_section()
build.runs_section()  # live while a run trains
predictions.build_reveal()  # after the first finished run: the prediction beside the runs
lab_goals.experiment(build.LAB)  # a variant layout to train beside the learner's
claims.lesson_headline(build.TEXT["headline"])  # what the lesson's own runs show, once trained
state.next_step("build")
