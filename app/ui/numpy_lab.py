"""The Build step's NumPy lab: write `dropout_forward`, grade it in the sandbox, read the
checklist of properties with hints, reveal the reference. Words come from `labs/numpy_dropout`."""

from __future__ import annotations

import streamlit as st

from dropout_lab.grading import checks as grading
from dropout_lab.lesson.content import step_text
from dropout_lab.lesson.labs import load_lab
from dropout_lab.ui import session

CODE = session.BUILD_NUMPY_CODE
VERDICT = session.BUILD_NUMPY_VERDICT
PASSED = session.BUILD_NUMPY_PASSED_CODE


def render() -> None:
    lab = load_lab(grading.LAB_NAME)
    st.title("🛠️ Build: " + lab.title)
    st.markdown(lab.intro)
    if CODE not in st.session_state:
        st.session_state[CODE] = lab.starter
    left, right = st.columns([3, 2])
    code = left.text_area("NumPy code", key=CODE, height=460, max_chars=grading.MAX_CODE_CHARS,
                          label_visibility="collapsed")  # fmt: skip
    if left.button("▶ Grade", type="primary", key=session.BUILD_NUMPY_GRADE):
        with right, st.spinner("Running your function in the sandbox…"):
            st.session_state[VERDICT] = (code, grading.grade(code))
    with right:
        checklist(lab, code)
    if st.toggle("Show solution", key=session.BUILD_NUMPY_SHOW_SOLUTION):
        st.code(lab.solution, language="python")


def checklist(lab, code: str) -> None:
    graded = st.session_state.get(VERDICT)
    if graded is None:
        st.info("Press **Grade** to run your function and check it, property by property.")
        for goal in lab.goals:
            st.markdown(f"⬜ {goal.label}")
        return
    graded_code, verdict = graded
    if graded_code != code:
        st.caption("You changed the code since it was graded: press Grade again.")
    for note in verdict.notes:
        st.warning(note, icon="⚠️")
    if verdict.error:
        st.error(verdict.error, icon="🚫")
    if verdict.passed:
        st.success(step_text("build")["numpy"]["passed"], icon="✅")
        st.page_link("steps/explore.py", label="Open Explore with my dropout", icon="🎛️")
        st.session_state[PASSED] = graded_code
    st.markdown("**Properties**")
    for check in verdict.checks:
        st.markdown(f"{'✅' if check.passed else '❌'} **{check.label}**: {check.message}")
        if not check.passed and check.hint:
            st.caption("Hint: " + check.hint)
    st.caption(f"Graded in {verdict.seconds:.2f} s ({verdict.mode or 'not run'}).")
    if verdict.output.strip():
        with st.expander("What your code printed"):
            st.code(verdict.output[:4000], language=None)
