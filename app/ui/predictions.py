"""Predict, then reveal (issue 13): each step's prediction form (a small Streamlit form with
Check and Skip), the prediction kept in the session and, for a joined learner, in the store; and
each reveal: the answer beside the guess (Explore), the guess on a chart beside the lesson's
runs with a sentence on how far off it was (Build), the pick beside the sweep's lowest final
validation loss (Compare). Words in lessons/predictions.toml; the questions, outcomes and
distances in `dropout_lab.lesson.predictions`.

A prediction is kept once made or skipped: nothing skips it silently. Build's Train buttons and
Compare's sweep wait for it. DROPOUT_LAB_PREDICTIONS=off asks nothing (the steps show their
outcomes at once, as before).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence

import pandas as pd
import streamlit as st

from dropout_lab.findings import predictions as run_answers
from dropout_lab.lesson import fmt
from dropout_lab.lesson import predictions as pr
from dropout_lab.ui import learners, lesson_pair, session

log = logging.getLogger(__name__)

ENV = "DROPOUT_LAB_PREDICTIONS"
TEXT = pr.words()
MADE = session.LEARNERS_PREDICTIONS
PROBLEM = session.LEARNERS_PREDICT_PROBLEM
BUILD_IDS = (pr.BUILD_SHAPE, pr.BUILD_ACCURACY)
INPUT_WIDTH = 360  # pixels: a number box, not a banner


def asking() -> bool:
    """The lesson asks for predictions (DROPOUT_LAB_PREDICTIONS is not "off")."""
    return os.environ.get(ENV, "").strip().lower() not in ("off", "0", "false", "no")


def made(pid: str) -> pr.Made | None:
    """The prediction as made (or skipped) in this session, or None while it is still open."""
    got = st.session_state.get(MADE, {}).get(pid)
    return None if got is None else pr.Made.from_dict(got)


def _keep(step: str, values: Mapping[str, pr.Value | None]) -> None:
    """Keep each prediction id -> value (None: skipped): in the session, and in the store for
    a joined learner (a database hiccup keeps it in the session and says so)."""
    if step == "build":  # its form is in the editor's fragment; the reveal's note is not
        st.session_state[session.BUILD_PREDICT_RERUN] = True
    mine = session.value(MADE)
    for pid, value in values.items():
        mine[pid] = pr.Made(value, value is None).to_dict()
    me = learners.current()
    if me is None:
        return
    try:
        for pid, value in values.items():
            learners.store().save_prediction(me.id, pid, value, skipped=value is None)
    except Exception as e:  # the lesson goes on without a database
        log.exception("saving a prediction failed")
        st.session_state[PROBLEM] = (step, TEXT["form"]["store_down"].format(error=e))


def _commit(step: str, fields: Mapping[str, str], rates: Sequence[float] = ()) -> None:
    """Check: keep every field's value (prediction id -> widget key), or say what is missing."""
    given = {pid: st.session_state.get(key) for pid, key in fields.items()}
    if any(v is None for v in given.values()):
        st.session_state[PROBLEM] = (step, TEXT["form"]["missing"])
        return
    _keep(step, {pid: pr.get(pid).check(v, rates) for pid, v in given.items()})
    for key in fields.values():
        st.session_state.pop(key, None)


def _skip(step: str, pids: Sequence[str]) -> None:
    _keep(step, dict.fromkeys(pids))


def _buttons(step: str, fields: dict[str, str], check: str, skip: str, rates=()) -> None:
    """The form's Check and Skip buttons, side by side."""
    words = TEXT["form"]
    c1, c2, _ = st.columns([1, 1, 4])
    c1.form_submit_button(words["check"], type="primary", key=check, on_click=_commit,
                          args=(step, fields, tuple(rates)), width="stretch")  # fmt: skip
    c2.form_submit_button(words["skip"], key=skip, help=words["skip_help"], on_click=_skip,
                          args=(step, tuple(fields)), width="stretch")  # fmt: skip


def _problem(step: str) -> None:
    got = st.session_state.get(PROBLEM)
    if got and got[0] == step:
        st.session_state.pop(PROBLEM, None)
        st.warning(got[1], icon="✋")


def _direction(off: pr.Off) -> str:
    return TEXT["direction"][off.direction] if off.direction else ""


def _size(p: pr.Prediction, size: float) -> str:
    return f"{size:.{p.digits}f}{p.unit}"


# --------------------------------------------------------------------------- Explore


def explore_pending() -> bool:
    """One of Explore's two predictions is asked and not yet made or skipped: until then nothing
    on the page may show their answers (the intro's 1/(1 - p), the live view's scale and forms)."""
    return asking() and any(made(pid) is None for pid in (pr.EXPLORE, pr.EXPLORE_UNSCALED))


def _explore_form(p: pr.Prediction, form: str, field: str, check: str, skip: str) -> None:
    with st.form(form):
        st.markdown(p.prompt)
        if p.kind == "choice":
            st.radio(p.label, [o.value for o in p.options], index=None, format_func=p.show,
                     key=field)  # fmt: skip
        else:
            st.number_input(p.label, min_value=p.lo, max_value=p.hi, value=None,
                            step=p.increment, key=field, width=INPUT_WIDTH)  # fmt: skip
        _buttons("explore", {p.id: field}, check, skip)
    _problem("explore")


def explore() -> None:
    """Explore's predictions above the live view, one after the other: the scale of a kept unit,
    then what the next layer gets at test time without it. Each is a form until made or
    skipped, then the guess beside the answer."""
    if not asking():
        return
    p = pr.get(pr.EXPLORE)
    got = made(p.id)
    if got is None:
        _explore_form(p, session.EXPLORE_PREDICT_FORM, session.EXPLORE_PREDICT_SCALE,
                      session.EXPLORE_PREDICT_CHECK, session.EXPLORE_PREDICT_SKIP)  # fmt: skip
        return
    words, rate = TEXT["explore"], p.rate or 0.0
    answer = pr.scale_factor(rate)
    values = {"rate": f"{rate:g}", "answer": f"{answer:g}"}
    with st.container(border=True):
        c1, c2 = st.columns(2)
        c1.metric(words["your_guess"], words["skipped_guess"] if got.skipped else p.show(got.value))
        c2.metric(words["answer"].format(**values), p.show(answer))
        if got.skipped:
            st.markdown(words["skipped"].format(**values))
        else:
            off = pr.off_by(p, float(got.value), answer)
            size = f"{off.size:.{p.digits}f}"  # a distance between factors: no "×"
            st.markdown(words["right" if off.right else "off"].format(
                **values, size=size, direction=_direction(off)))  # fmt: skip
    _explore_unscaled(pr.get(pr.EXPLORE_UNSCALED))


def _explore_unscaled(p: pr.Prediction) -> None:
    """CS231n's "what if you do not divide by 1 - p?": predict, then observe it on the page's
    own layer (lesson/explore.py `unscaled`, at the mask seed the live view uses)."""
    from dropout_lab.lesson import explore as numbers

    got = made(p.id)
    if got is None:
        _explore_form(p, session.EXPLORE_UNSCALED_FORM, session.EXPLORE_UNSCALED_CHOICE,
                      session.EXPLORE_UNSCALED_CHECK, session.EXPLORE_UNSCALED_SKIP)  # fmt: skip
        return
    seed = st.session_state.get(session.EXPLORE_SEED)
    u = numbers.unscaled(p.rate or 0.0, numbers.parse_seed(st.query_params.get("seed"))
                         if seed is None else int(seed))  # fmt: skip
    words, show, keep = TEXT["explore_unscaled"], fmt.mean, 1 - u.rate
    v = {"rate": fmt.rate(u.rate), "seed": u.seed, "masks": fmt.count(u.masks),
         "units": numbers.N_UNITS, "test": show(u.test), "plain": show(u.expected_plain),
         "ratio": show(u.ratio), "scale": show(1 / keep), "keep": show(keep),
         "real": p.show(u.outcome), "guess": p.show(got.value)}  # fmt: skip
    said = "skipped" if got.skipped else "right" if got.value == u.outcome else "off"
    cols = {k: c.format(**v) for k, c in words["columns"].items()}
    table = pd.DataFrame(
        [(u.mask_plain, u.average_plain, u.expected_plain),
         (u.mask_scaled, u.average_scaled, u.expected_scaled), (u.test, u.test, u.test)],
        index=pd.Index([words["rows"][r] for r in ("plain", "scaled", "test")], name=cols["case"]),
        columns=[cols["mask"], cols["average"], cols["expected"]]).map(show)  # fmt: skip
    with st.container(border=True):
        st.subheader(words["heading"], anchor=False)
        st.markdown(words[said].format(**v) + " " + words["explain"].format(**v))
        st.table(table)
        st.markdown(words[u.outcome].format(**v) + " " + words["fix"].format(**v))


# --------------------------------------------------------------------------- Build


def build_pending() -> bool:
    """Build's prediction is still open: asked, not made, and the learner has trained nothing
    yet (a learner who trained before predictions were asked is not asked afterwards)."""
    from dropout_lab.ui import training

    if not asking() or all(made(pid) is not None for pid in BUILD_IDS):
        return False
    return not training.my_runs()


def build_form() -> None:
    """The prediction before the first training (the Train buttons wait for it)."""
    if st.session_state.pop(session.BUILD_PREDICT_RERUN, False):
        st.rerun()  # made (or skipped) just now: the whole page, not only the fragment
    if not build_pending():
        return
    words, ps, pa = TEXT["build"], pr.get(pr.BUILD_SHAPE), pr.get(pr.BUILD_ACCURACY)
    epochs = lesson_pair.base_config().epochs
    st.subheader(words["heading"], anchor=False)
    with st.form(session.BUILD_PREDICT_FORM):
        st.markdown(words["explain"].format(epochs=epochs))
        st.markdown(ps.prompt.format(epochs=epochs))
        st.radio(ps.label, [o.value for o in ps.options], index=None, format_func=ps.show,
                 horizontal=True, key=session.BUILD_PREDICT_SHAPE)  # fmt: skip
        st.markdown(pa.prompt)
        st.number_input(pa.label, min_value=pa.lo, max_value=pa.hi, value=None,
                        step=pa.increment, key=session.BUILD_PREDICT_ACCURACY,
                        width=INPUT_WIDTH)  # fmt: skip
        fields = {ps.id: session.BUILD_PREDICT_SHAPE, pa.id: session.BUILD_PREDICT_ACCURACY}
        _buttons("build", fields, session.BUILD_PREDICT_CHECK, session.BUILD_PREDICT_SKIP)
    _problem("build")
    st.caption(words["blocked"])


def build_reveal() -> None:
    """After the learner's first finished run: their prediction on a chart beside the lesson's
    pair, and how far off it was, in sentences from the runs."""
    from dropout_lab.ui import training

    shape, acc = made(pr.BUILD_SHAPE), made(pr.BUILD_ACCURACY)
    if not asking() or shape is None or acc is None:
        return
    words = TEXT["build"]
    if not st.session_state.get(session.BUILD_PREDICT_SHOWN):
        if not any(s.state == "done" for _, s in training.statuses()):
            st.caption(words["kept"])
            return
        st.session_state[session.BUILD_PREDICT_SHOWN] = True
    st.header(words["reveal_heading"], anchor=False)
    pair = lesson_pair.histories(train=True)
    if pair is None:
        lesson_pair.wait_for_both()
        return
    _build_chart(*pair, shape, acc)


def _build_chart(no_dropout: dict, dropout: dict, shape: pr.Made, acc: pr.Made) -> None:
    from dropout_lab.charts import predictions as figures
    from dropout_lab.findings.run_claims import CLIMB, SAME, TAIL, curve
    from dropout_lab.ui import charts

    charts.plot(figures.build_reveal_parts, no_dropout, dropout, shape, acc,
                key=session.BUILD_PREDICT_CHART,
                about=figures.describe_build_reveal(no_dropout, dropout, shape, acc))  # fmt: skip
    words, ps, pa = TEXT["build"], pr.get(pr.BUILD_SHAPE), pr.get(pr.BUILD_ACCURACY)
    c, real = curve([no_dropout]), run_answers.shape_of(no_dropout)
    facts = {"real": ps.show(real), "best": fmt.loss(c.best), "best_epoch": fmt.epoch(c.best_epoch),
             "final": fmt.loss(c.final), "epochs": fmt.epoch(c.epochs)}  # fmt: skip
    if shape.skipped:
        said = [words["shape_skipped"].format(**facts)]
    else:
        same = "shape_same" if shape.value == real else "shape_other"
        said = [words[same].format(**facts, guess=ps.show(shape.value))]
    change = run_answers.accuracy_change(no_dropout, dropout)
    acc_facts = {"real": pa.show(change), "d_acc": fmt.acc(dropout["val_accuracy"][-1]),
                 "n_acc": fmt.acc(no_dropout["val_accuracy"][-1])}  # fmt: skip
    if acc.skipped:
        said.append(words["accuracy_skipped"].format(**acc_facts))
    else:
        off = pr.off_by(pa, float(acc.value), change)
        said.append(words["accuracy_right" if off.right else "accuracy_off"].format(
            **acc_facts, guess=pa.show(acc.value), tolerance=_size(pa, pa.tolerance),
            size=_size(pa, off.size), direction=_direction(off)))  # fmt: skip
    st.markdown(" ".join(said))
    st.caption(words["shapes_explain"].format(climb=fmt.share(CLIMB), tail=fmt.share(TAIL),
                                              same=fmt.share(SAME),
                                              part=fmt.share(run_answers.LAST_PART)))  # fmt: skip


# --------------------------------------------------------------------------- Compare


def compare_sweep(sweep: Mapping[float, list], rates: Sequence[float]) -> bool:
    """Before the rate sweep: the form (and False: do not draw it yet), or, once made or
    skipped, the pick beside the sweep's lowest final validation loss (and True)."""
    if not asking():
        return True
    p = pr.get(pr.COMPARE)
    got = made(p.id)
    if got is None:
        with st.form(session.COMPARE_PREDICT_FORM):
            st.markdown(p.prompt)
            st.radio(p.label, sorted(rates), index=None, format_func=p.show, horizontal=True,
                     key=session.COMPARE_PREDICT_RATE)  # fmt: skip
            keys = (session.COMPARE_PREDICT_CHECK, session.COMPARE_PREDICT_SKIP)
            _buttons("compare", {p.id: session.COMPARE_PREDICT_RATE}, *keys, rates)
        _problem("compare")
        return False
    _compare_reveal(sweep, None if got.skipped else float(got.value))
    return True


def _compare_reveal(sweep: Mapping[float, list], pick: float | None) -> None:
    from dropout_lab.charts import predictions as figures
    from dropout_lab.findings.sweep import summary_rows
    from dropout_lab.ui import charts

    rows = summary_rows(dict(sweep))
    best = run_answers.lowest_loss_row(rows)
    if best is None:
        return
    words = TEXT["compare"]
    with st.container(border=True):
        st.subheader(words["reveal_heading"], anchor=False)
        charts.plot(figures.sweep_reveal_figure, rows, pick, key=session.COMPARE_PREDICT_CHART,
                    about=figures.describe_sweep_reveal(rows, pick))  # fmt: skip
        st.markdown(compare_sentence(rows, pick))


def compare_sentence(rows: Sequence[Mapping], pick: float | None) -> str:
    """How the pick fared against the sweep's lowest mean final validation loss, with the
    condition that tells a real difference from the seeds' spread."""
    words, best = TEXT["compare"], run_answers.lowest_loss_row(rows)
    seeds = fmt.count(min(int(r["seeds"]) for r in rows))
    values = {"best": fmt.rate(best["rate"]), "best_loss": fmt.loss(best["final_val_loss"]),
              "best_sd": fmt.loss(best["final_val_loss_sd"]), "seeds": seeds}  # fmt: skip
    if pick is None:
        return words["skipped"].format(**values)
    mine = next((r for r in rows if abs(r["rate"] - pick) < pr.RATE_TOLERANCE), None)
    if mine is None:
        return words["skipped"].format(**values) + " " + words["missing"].format(pick=pick)
    values.update(pick=fmt.rate(pick), pick_loss=fmt.loss(mine["final_val_loss"]),
                  pick_sd=fmt.loss(mine["final_val_loss_sd"]))  # fmt: skip
    if mine is best:
        said = words["right"].format(**values)
        others = [r for r in rows if r is not best]
        if not others:
            return said
        runner = run_answers.lowest_loss_row(others)
        close, diff = _close(runner, best)
        tail = words["right_close" if close else "right_apart"].format(
            runner=fmt.rate(runner["rate"]), runner_loss=fmt.loss(runner["final_val_loss"]),
            runner_sd=fmt.loss(runner["final_val_loss_sd"]), diff=diff)  # fmt: skip
        return said + " " + tail
    close, diff = _close(mine, best)
    tail = words["close" if close else "apart"].format(**values, diff=diff)
    return words["off"].format(**values) + " " + tail


def _close(row: Mapping, best: Mapping) -> tuple[bool, str]:
    """Whether `row`'s mean final validation loss is within the seeds' spread (the larger sd)
    of `best`'s, and the difference as written."""
    diff = row["final_val_loss"] - best["final_val_loss"]
    return diff <= max(row["final_val_loss_sd"], best["final_val_loss_sd"]), fmt.loss(diff)
