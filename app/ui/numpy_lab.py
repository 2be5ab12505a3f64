"""The Build step's NumPy labs: write dropout (the forward pass, then the backward pass too),
grade it in the sandbox, read the checklist of properties with hints that fade (the idea after
a failed Grade, a pointer after the next, code after the one after), reveal the reference once
graded.
Words come from `labs/numpy_dropout` and `labs/numpy_backprop`; once the backprop lab passes,
`ui.numpy_net` lets the learner's two functions train a network."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from dropout_lab.grading import checks as grading
from dropout_lab.grading import net_run
from dropout_lab.lesson.content import step_text
from dropout_lab.lesson.labs import Lab, load_lab
from dropout_lab.ui import attempts, code_editor, lab_goals, numpy_net, session, work


@dataclass(frozen=True)
class NumpyLab:
    """One NumPy lab on the page: its name and the session keys of its widgets and results."""

    lab: str
    code: str
    verdict: str
    passed: str
    grade: str
    show_solution: str
    editor: str  # the code editor component's own key


LABS = {
    "numpy": NumpyLab(grading.DROPOUT_LAB, session.BUILD_NUMPY_CODE, session.BUILD_NUMPY_VERDICT,
                      session.BUILD_NUMPY_PASSED_CODE, session.BUILD_NUMPY_GRADE,
                      session.BUILD_NUMPY_SHOW_SOLUTION, session.BUILD_NUMPY_CODE_EDITOR),
    "backprop": NumpyLab(grading.BACKPROP_LAB, session.BUILD_BACKPROP_CODE,
                         session.BUILD_BACKPROP_VERDICT, session.BUILD_BACKPROP_PASSED_CODE,
                         session.BUILD_BACKPROP_GRADE, session.BUILD_BACKPROP_SHOW_SOLUTION,
                         session.BUILD_BACKPROP_CODE_EDITOR),
}  # fmt: skip
CODE, VERDICT, PASSED = LABS["numpy"].code, LABS["numpy"].verdict, LABS["numpy"].passed


def render(choice: str = "numpy") -> None:
    """The lab `choice` ("numpy": the forward pass; "backprop": both passes, then training)."""
    keys = LABS[choice]
    lab = load_lab(keys.lab)
    st.title("🛠️ Build: " + lab.title)
    st.markdown(lab.intro)
    work.unsaved_notice()
    left, right = st.columns([3, 2])
    editor = code_editor.Editor(keys.code, keys.editor, "NumPy code", grading.MAX_CODE_CHARS)
    code = code_editor.text(editor, lab.starter)
    work.keep(keys.lab, code, lab.starter)  # a joined learner's code, as typed
    with left:
        code_editor.show(editor, code_editor.syntax_diagnostics(code))
    if left.button("▶ Grade", type="primary", key=keys.grade):
        with right, st.spinner("Running your functions in the sandbox…"):
            st.session_state[keys.verdict] = (code, grading.grade(code, lab=keys.lab))
            work.keep_grade(keys.lab, *st.session_state[keys.verdict])
    graded = st.session_state.get(keys.verdict)
    if graded is not None:  # a Grade (or one restored): an attempt, counted once per code
        attempts.record(keys.lab, attempts.code_id(graded[0]), failed=not graded[1].passed)
    with right:
        checklist(lab, code, keys)
    text = step_text("build")["numpy"]
    if not attempts.tried(keys.lab):
        st.caption(text["solution_locked"])
    elif st.toggle(text["solution_toggle"], key=keys.show_solution):
        st.code(lab.solution, language="python")
    if choice == "backprop":
        numpy_net.panel(st.session_state.get(keys.passed), code)


def checklist(lab: Lab, code: str, keys: NumpyLab = LABS["numpy"]) -> None:
    graded = st.session_state.get(keys.verdict)
    if graded is None:
        st.info("Press **Grade** to run your code and check it, property by property.")
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
        if keys.lab == grading.BACKPROP_LAB:
            st.success(net_run.texts()["passed"], icon="✅")
        else:
            st.success(step_text("build")["numpy"]["passed"], icon="✅")
            st.page_link("steps/explore.py", label="Open Explore with my dropout", icon="🎛️")
        st.session_state[keys.passed] = graded_code
    st.markdown("**Properties**")
    for check in verdict.checks:
        st.markdown(f"{'✅' if check.passed else '❌'} **{check.label}**: {check.message}")
        if not check.passed and any(goal.id == check.name for goal in lab.goals):
            lab_goals.hints(lab, check.name)
    if not verdict.passed:
        lab_goals.more_help(lab, step_text("build")["numpy"]["more"])
    st.caption(f"Graded in {verdict.seconds:.2f} s ({verdict.mode or 'not run'}).")
    if verdict.output.strip():
        with st.expander("What your code printed"):
            st.code(verdict.output[:4000], language=None)
