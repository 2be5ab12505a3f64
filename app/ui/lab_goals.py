"""The Keras lab's decisions on Build: the goals' hints that fade (the idea first, more after each
finished run that misses a goal), the outcome goals judged on the learner's own finished run,
one solution only after a trained attempt, a variant layout to train and compare, and the
learner's runs side by side. Words: lessons/build.toml [goals] and [experiment]; goals, hints
and variants: labs/overfit/lab.toml."""

from __future__ import annotations

import streamlit as st

from dropout_lab.codelab import reader as codelab
from dropout_lab.lesson import budget
from dropout_lab.lesson.content import markdown_table, step_text
from dropout_lab.lesson.labs import HINT_LEVELS, Goal, Lab
from dropout_lab.lesson.spec import ModelSpec, TrainConfig
from dropout_lab.training.client import RunStatus
from dropout_lab.ui import attempts, predictions, resume, session, settings, training

TEXT = step_text("build")


def _goal(lab: Lab, goal_id: str) -> Goal:
    return next(goal for goal in lab.goals if goal.id == goal_id)


def hints(lab: Lab, goal_id: str) -> None:
    """The goal's hints as far as the learner's failed attempts at `lab` allow: the idea, a
    pointer, then code."""
    goal = _goal(lab, goal_id)
    level = lab.hint_level(attempts.failed(lab.name))
    words = TEXT["goals"]["levels"]
    for name, text in list(zip(HINT_LEVELS, goal.hints, strict=False))[:level]:
        if name == HINT_LEVELS[-1]:
            st.markdown(f"{words[name]}\n\n{text}")
        else:
            st.caption(f"{words[name]} {text}")


def more_help(lab: Lab, words: str) -> None:
    """`words` (more help follows) while the learner's next failed attempt brings another level."""
    if lab.hint_level(attempts.failed(lab.name)) < max(len(goal.hints) for goal in lab.goals):
        st.caption(words)


def _mine() -> RunStatus | None:
    """The learner's own finished run (done, not stopped), if there is one."""
    for label, status in training.statuses():
        if label == resume.YOUR_MODEL and status.state == "done" and status.history:
            return status
    return None


def judge(lab: Lab) -> tuple[RunStatus | None, list[codelab.GoalResult]]:
    """The learner's finished run and the outcome goals judged on it; a run long enough to
    judge is an attempt, counted once (failed if it misses any goal, of the code or the run)."""
    status = _mine()
    results = codelab.run_goals(status.history if status else None, lab)
    latest = st.session_state.get(session.BUILD_LATEST) or {}
    if status is not None and codelab.judged_run(status.history, lab) and latest.get("spec"):
        code = codelab.check_goals(ModelSpec.from_dict(latest["spec"]), lab)
        missed = not all(g.met for g in [*code, *results])
        attempts.record(lab.name, status.key, failed=missed)
    return status, results


def outcomes(lab: Lab, status: RunStatus | None, results: list[codelab.GoalResult]) -> None:
    """The outcome goals: met or not on the learner's run, or what they wait for."""
    text = TEXT["goals"]
    st.markdown(text["outcomes"])
    if status is None:
        st.caption(text["outcomes_wait"].format(epochs=lab.config.epochs))
    elif not codelab.judged_run(status.history, lab):
        done = len(status.history.get("val_loss", ()))
        st.caption(text["outcomes_short"].format(done=done, epochs=lab.config.epochs))
    for goal in results:
        st.markdown(f"{'✅' if goal.met else '⬜'} {goal.label}")
        if not goal.met:
            hints(lab, goal.id)
    if results and all(g.met for g in results):
        st.success(text["all_met"], icon="🎯")
    else:
        more_help(lab, text["more"])


def solution(lab: Lab) -> None:
    """One solution, behind a toggle that appears only after the learner's first attempt."""
    text = TEXT["goals"]
    if not attempts.tried(lab.name):
        st.caption(text["solution_locked"].format(epochs=lab.config.epochs))
        return
    if st.toggle(text["solution_toggle"], key=session.BUILD_SHOW_SOLUTION):
        st.caption(text["solution_note"])
        st.code(lab.solution, language="python")


def chosen_config() -> TrainConfig:
    """The configuration the Train controls show (their epochs and seed, the lesson file's)."""
    return settings.train_settings().choose(st.session_state.get(session.BUILD_EPOCHS),
                                            st.session_state.get(session.BUILD_SEED))  # fmt: skip


def experiment(lab: Lab) -> None:
    """A variant layout (d2l's lower rate near the input, or swapped) to train beside the
    learner's runs: its curves join theirs here and on Compare."""
    if not lab.variants:
        return
    text = TEXT["experiment"]
    st.subheader(text["heading"])
    st.markdown(text["explain"])
    labels = {v.id: v.label for v in lab.variants}
    chosen = st.radio(text["choose"], list(labels), format_func=labels.get,
                      key=session.BUILD_VARIANT)  # fmt: skip
    variant = next(v for v in lab.variants if v.id == chosen)
    spec = variant.apply(codelab.parse_code(lab.starter).spec)
    config = chosen_config()
    over = budget.message(spec, config, settings.train_settings().budget_seconds)
    blocked = over is not None or predictions.build_pending()
    if st.button(text["train"], key=session.BUILD_VARIANT_TRAIN, disabled=blocked):
        from dropout_lab.store.runqueue import QueueFull

        try:
            training.submit(variant.label, spec, config, replace=False)
        except QueueFull as e:
            st.warning(TEXT["train"]["queue_full"].format(cap=e.cap), icon="⏳")
            return
        st.rerun()  # its live panel
    if over is not None:
        st.error(over, icon="⏱️")


def comparison(lab: Lab, rows: list[tuple[str, RunStatus]]) -> None:
    """The learner's finished runs side by side, with the outcome goals judged on each."""
    text = TEXT["experiment"]
    cols = text["columns"]
    table = []
    for label, status in rows:
        history = status.history or {}
        if not history.get("val_loss") or status.state not in ("done", "stopped"):
            continue
        judged = codelab.run_goals(history, lab)
        met = sum(bool(g.met) for g in judged)
        table.append({
            cols["run"]: label,
            cols["outcomes"]: text["met"].format(met=met, total=len(judged))
            if codelab.judged_run(history, lab) else text["unjudged"],
            cols["final_val_loss"]: f"{history['val_loss'][-1]:.3f}",
            cols["best_val_loss"]: f"{min(history['val_loss']):.3f}",
            cols["final_accuracy"]: f"{history['accuracy'][-1]:.1%}",
        })  # fmt: skip
    if len(table) < 2:
        return  # one run: its summary line says it all
    st.markdown(text["table"].format(epochs=lab.config.epochs))
    st.markdown(markdown_table(table))  # its cells wrap on a phone, the outcomes second
