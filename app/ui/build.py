"""The Build step's sections: the lab's choice, the lesson's data, the Keras editor with its verdict
and the Train controls, and the runs (live while any trains, through the waiting panel)."""

import pandas as pd
import streamlit as st

from dropout_lab.charts import curves, describe, run_colours
from dropout_lab.charts.data import scatter_by_label
from dropout_lab.codelab import reader as codelab
from dropout_lab.lesson import budget, labs, traffic
from dropout_lab.lesson.content import step_text
from dropout_lab.ui import (
    charts,
    code_editor,
    lab_goals,
    learners,
    predictions,
    session,
    settings,
    training,
    waiting,
    work,
)

LAB = labs.load_lab("overfit")
TEXT = step_text("build")
CODE = session.BUILD_CODE
EDITOR = code_editor.Editor(CODE, session.BUILD_CODE_EDITOR, "Keras code", codelab.MAX_CHARS)
LABS = {"keras": "Keras: tame the overfit model", "numpy": "NumPy: write dropout yourself",
        "backprop": "NumPy: backpropagate through it"}  # fmt: skip


def lab_choice() -> str:
    """Which lab: the Keras one, or one of the NumPy labs (`numpy_lab`)."""
    return st.radio("Lab", list(LABS), format_func=LABS.get, horizontal=True,
                    key=session.BUILD_LAB, label_visibility="collapsed")  # fmt: skip


def data_section() -> None:
    with st.expander(TEXT["data"]["heading"], icon="🗂️"):
        data_preview()


def data_preview() -> None:
    data = traffic.load_lesson_data(settings.train_settings().config.data_seed)
    st.markdown(TEXT["data"]["explain"].format(
        n_train=data.n_train, n_val=data.n_val, noise=traffic.LABEL_NOISE))  # fmt: skip
    table = pd.DataFrame(data.raw_train[:8], columns=data.feature_names)
    table["label"] = ["malicious" if y else "benign" for y in data.y_train[:8, 0]]
    st.dataframe(table, hide_index=True, width="stretch")
    c1, c2, c3 = st.columns([1, 1, 3])
    c1.metric("Malicious (training)", f"{data.y_train.mean():.0%}")
    c2.metric("Malicious (validation)", f"{data.y_val.mean():.0%}")
    names = list(data.feature_names)
    fx = c3.selectbox("x feature", names, index=names.index("failed_logins"), key=session.BUILD_FX)
    fy = c3.selectbox("y feature", names, index=names.index("distinct_ports"), key=session.BUILD_FY)
    ix, iy = names.index(fx), names.index(fy)
    x, y, labels = data.x_train[:, ix], data.x_train[:, iy], data.y_train[:, 0]
    axes = (f"{fx} (standardised)", f"{fy} (standardised)")
    charts.plot(scatter_by_label, x, y, labels, *axes, key=session.BUILD_SCATTER,
                about=describe.scatter(x, y, labels, *axes))  # fmt: skip


def verdict(result) -> None:
    for err in result.errors:
        where = f"Line {err.line}: " if err.line else ""
        st.error(where + err.message, icon="🚫")
    for note in result.notes:
        where = f"Line {note.line}: " if note.line else ""
        st.info(where + note.message, icon="ℹ️")
    if result.ok:
        st.success(TEXT["editor"]["ok"], icon="✅")
    if result.spec is not None:
        st.markdown("**Layers:** " + " → ".join(layer.describe() for layer in result.spec.layers))
    st.markdown("**Goals**")
    run, outcomes = lab_goals.judge(LAB)  # the learner's finished run: an attempt, counted once
    if not result.ok:  # advice about a model that is not there yet would mislead
        st.caption(TEXT["editor"]["goals_wait"])
    for goal in codelab.check_goals(result.spec if result.ok else None, LAB):
        st.markdown(f"{'✅' if goal.met else '⬜'} {goal.label}")
        if result.ok and not goal.met:
            lab_goals.hints(LAB, goal.id)  # the idea; more after each attempt that misses
    lab_goals.outcomes(LAB, run, outcomes)  # judged on the learner's finished run
    lab_goals.solution(LAB)  # only after a trained attempt


def submit(label: str, spec, config, *, replace: bool = True) -> None:
    from dropout_lab.store.runqueue import QueueFull

    try:
        training.submit(label, spec, config, replace=replace)  # stored before it says "queued"
    except QueueFull as e:  # a session that has not joined, its network's places all taken
        st.warning(TEXT["train"]["queue_full"].format(cap=e.cap), icon="⏳")


def controls(result) -> None:
    st.header(TEXT["train"]["heading"])
    st.markdown(TEXT["train"]["explain"])
    predictions.build_form()  # before the first training, the learner predicts (or skips)
    c1, c2, c3, c4, c5 = st.columns([2, 2, 2, 2, 2], vertical_alignment="bottom")
    lesson = settings.train_settings()  # the lesson file's defaults, cap, locked seed, budget
    base = lesson.config
    epochs = c1.number_input("Epochs", 1, lesson.max_epochs, base.epochs, key=session.BUILD_EPOCHS)
    seed = c2.number_input("Seed", 0, 2**31 - 1, base.seed, key=session.BUILD_SEED,
                           disabled=lesson.locked_seed is not None)  # fmt: skip
    config = lesson.choose(int(epochs), int(seed))
    over = budget.message(result.spec, config, lesson.budget_seconds) if result.ok else None
    blocked = not result.ok or over is not None  # over the lesson's compute budget: no Train
    blocked = blocked or predictions.build_pending()  # the prediction (or its skip) comes first
    mine = c3.button("▶ Train mine", type="primary", disabled=blocked, width="stretch")
    both = c4.button("▶▶ Train both", disabled=blocked, width="stretch")
    stop = c5.button("■ Stop", disabled=not training.any_active(), width="stretch")
    if not result.ok:
        st.caption(TEXT["train"]["invalid"])
    if over is not None:
        st.error(over, icon="⏱️")
    if mine or both:
        submit("Your model", result.spec, config)
        st.session_state[session.BUILD_LATEST] = {"spec": result.spec.to_dict(), "config": config,
                                                  "code": st.session_state[CODE]}  # fmt: skip
    if both:
        submit("Starter (no dropout)", codelab.parse_code(LAB.starter).spec, config, replace=False)
    if stop:
        shared = [
            run["label"] for run in training.my_runs() if not training.service().stop(run["key"])
        ]
        if shared:
            st.info(TEXT["train"]["shared"].format(runs=", ".join(shared)), icon="👥")


def run_panel() -> None:
    rows = training.statuses()
    if not rows:
        return
    text = TEXT["train"]
    for label, status in rows:
        if status.state == "queued":
            st.info(f"**{label}**: " + training.queued_text(status))
        elif status.stop_requested or status.state == "stopped":  # a stop, not a success:
            st.warning(f"**{label}**: " + training.summary(status, text), icon="⏹️")  # at once
        elif status.state == "running":
            done, total = status.epochs_done, max(status.epochs_total, 1)
            st.progress(done / total, text=f"**{label}**: " + text["running"].format(
                done=done, total=total) + training.running_note(status))  # fmt: skip
        elif status.state == "failed":
            st.error(f"**{label}**: " + text["failed"].format(error=status.error))
        else:
            st.success(f"**{label}**: " + training.summary(status, text))
            if learners.build_progress(label, status, LAB.name):
                st.rerun()  # a criterion met: the sidebar, drawn before this, shows it
    total = max(status.epochs_total for _, status in rows)
    runs = [curves.Curve(label, s.history, run_colours.session_colour(label))  # by what it is
            for label, s in rows if s.history]  # fmt: skip
    charts.plot(curves.curves_parts, runs, epochs_total=total, key=session.BUILD_CURVES,
                about=describe.curves(runs))  # fmt: skip
    lab_goals.comparison(LAB, rows)


def runs_section() -> None:
    """The learner's runs: live while any trains, then once more, static, with the buttons."""
    if training.any_active():
        waiting.until_done(live_panel, every=training.POLL_SECONDS)
    else:
        run_panel()


def live_panel() -> bool:
    run_panel()
    return not training.any_active()  # everything finished: the static panel and the buttons


def editor_section() -> None:
    st.header(TEXT["editor"]["heading"])
    st.markdown(TEXT["editor"]["explain"])
    work.unsaved_notice()
    editor_panel()


@st.fragment
def editor_panel() -> None:
    """The editor, its verdict and the Train controls: a pause in typing reruns only these, so
    the check comes back fast (the whole page once a run is started, for its live panel)."""
    code = code_editor.text(EDITOR, LAB.starter)
    work.keep(LAB.name, code, LAB.starter)  # a joined learner's code, as typed
    result = codelab.parse_code(code)
    left, right = st.columns([3, 2])
    with left:
        code_editor.show(EDITOR, code_editor.from_result(result))
    with right:
        verdict(result)
    before = [run["key"] for run in training.my_runs()]
    controls(result)
    if [run["key"] for run in training.my_runs()] != before:  # a run started: its live panel
        st.rerun()
