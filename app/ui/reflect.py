"""Streamlit pieces of the Reflect step: which models to use, the MC dropout panels, the
"Think deeper" questions and the wrap-up. The passes are in `dropout_lab.training.mc`, their
statistics in `findings.mc_stats`, the figures in `charts.mc`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from dropout_lab.charts import describe
from dropout_lab.charts import mc as mc_charts
from dropout_lab.findings import mc_claims, mc_stats
from dropout_lab.lesson import labs, lessons
from dropout_lab.lesson.content import step_text
from dropout_lab.lesson.spec import ModelSpec, lesson_spec
from dropout_lab.lesson.traffic import load_lesson_data
from dropout_lab.store.schema import TEXT_MAX as ANSWER_MAX  # the store's cap, said by the box
from dropout_lab.training import mc
from dropout_lab.ui import (
    charts,
    claims,
    learners,
    reflect_runs,
    reflect_scaling,
    reflect_spread,
    session,
    state,
    training,
    waiting,
    work,
)
from dropout_lab.ui.reflect_models import data_seed, dropout_in, epochs_done, model_for, set_stats

TEXT = step_text("reflect_page")
QUESTIONS = lessons.load_reflect_questions()
ANSWERS = session.REFLECT_ANSWERS  # {question id: text}: kept when the learner leaves the page
REVEALED = session.REFLECT_REVEALED  # {question id}: model answers shown
NUDGE = session.REFLECT_NUDGE  # id of a question whose reveal was asked for before any answer
REFUSED = session.REFLECT_REFUSED  # {question id: why its answer was not kept}
PICK, INDEX, PASSES = session.REFLECT_PICK, session.REFLECT_INDEX, session.REFLECT_PASSES
RANDOM_INDEX = session.REFLECT_RANDOM_INDEX
PICKS = {"random": "pick_random", "uncertain": "pick_uncertain", "index": "pick_index"}
MC_SEED = 0
WHOLE_SET_PASSES = 50  # fixed: 2,000 × 50 rows take about a second; the slider drives the packet
CONTRAST_SET_PASSES = 10  # enough to show a spread of exactly zero


# --------------------------------------------------------------------------- which models


@dataclass(frozen=True)
class Source:
    """A run this step uses, and why."""

    key: str
    label: str
    note: str  # a markdown sentence: which model this is


def _reference(rate: float) -> str:
    config = labs.load_lab().config
    return training.service().submit(lesson_spec(rate), config)


def _usable(key: str | None) -> bool:
    """The run is training, or finished with weights to load (a run stopped while it was still
    queued has none)."""
    if key is None:
        return False
    svc = training.service()
    state = svc.status(key).state
    return state in ("queued", "running", "done") or (
        state == "stopped" and svc.store.meta(key) is not None
    )


def sources() -> tuple[Source, Source, str | None]:
    """(main, contrast, warning): the learner's latest run or the reference Dropout(0.3) run,
    and the learner's starter run or the reference no-dropout run. Submitting a reference run
    that is already stored (or being trained for anyone) costs nothing."""
    svc = training.service()
    text = TEXT["mc"]
    mine = {r["label"]: r["key"] for r in training.my_runs()}
    warning = None
    key = mine.get("Your model")
    status = svc.status(key) if key else None
    if status is not None and _usable(key):
        meta = svc.store.meta(key) or {}
        spec = meta.get("spec") or st.session_state.get(session.BUILD_LATEST, {}).get("spec")
        describe = ModelSpec.from_dict(spec).describe() if spec else "your layers"
        done = int(meta.get("epochs_done", status.epochs_total))
        name = "model_mine_stopped" if status.state == "stopped" else "model_mine"
        main = Source(key, "Your model", text[name].format(describe=describe, epochs=done))
    else:
        if status is not None and status.state == "failed":
            warning = text["model_failed"].format(error=status.error)
        epochs = labs.load_lab().config.epochs
        main = Source(_reference(0.3), "Reference Dropout(0.3)",
                      text["model_reference"].format(epochs=epochs))  # fmt: skip
    starter = mine.get("Starter (no dropout)")
    if main.label == "Your model" and _usable(starter):
        contrast = Source(starter, "Starter (no dropout)", text["contrast_mine"])
    else:
        contrast = Source(_reference(0.0), "Reference, no dropout", text["contrast_reference"])
    return main, contrast, warning


def pending(runs: list[Source]) -> list[Source]:
    return [s for s in runs if not training.service().status(s.key).finished]


def progress_panel(runs: list[Source]) -> None:
    text = TEXT["mc"]
    st.info(text["waiting"], icon="⏳")
    for s in runs:
        status = training.service().status(s.key)
        if status.state == "queued":
            st.caption(text["queued"].format(label=s.label, position=status.queue_position))
        elif status.state == "running":
            total = max(status.epochs_total, 1)
            st.progress(status.epochs_done / total, text=text["running"].format(
                label=s.label, done=status.epochs_done, total=total))  # fmt: skip
        elif status.state == "failed":
            st.error(text["failed"].format(label=s.label, error=status.error))


def wait_for(runs: list[Source]) -> None:
    """Show progress until every run has finished, then rerun the page once."""

    def show() -> bool:
        progress_panel(runs)
        return not pending(runs)

    waiting.until_done(show, every=training.POLL_SECONDS)


# --------------------------------------------------------------------------- MC panels


def _new_random(n: int) -> None:
    st.session_state[RANDOM_INDEX] = int(np.random.default_rng().integers(n))


def pick_packet(n: int, uncertain: int) -> int:
    """The picker's radio, index input and random button; returns the chosen index."""
    text = TEXT["mc"]
    if RANDOM_INDEX not in st.session_state:
        _new_random(n)
    choice = st.radio(text["pick_label"], list(PICKS), format_func=lambda k: text[PICKS[k]],
                      key=PICK, horizontal=True)  # fmt: skip
    if choice == "index":
        return int(st.number_input(text["index_label"], 0, n - 1, 0, key=INDEX))
    if choice == "uncertain":
        return uncertain
    st.button(text["new_random"], key=session.REFLECT_NEW_RANDOM, on_click=_new_random, args=(n,),
              icon=":material/casino:")  # fmt: skip
    return int(st.session_state[RANDOM_INDEX]) % n


def _decision(p: float) -> str:
    return TEXT["mc"]["alert"] if p > mc_stats.THRESHOLD else TEXT["mc"]["no_alert"]


def features_table(key: str, index: int) -> pd.DataFrame:
    data = load_lesson_data(data_seed(key))
    raw = mc_stats.raw_features(data, data.x_val[index : index + 1])[0]
    values = [f"{v:,.0f}" if abs(v) >= 100 else f"{v:.2f}" for v in raw]
    return pd.DataFrame({"feature": data.feature_names, "value": values})


@st.fragment
def packet_panel(main: Source, contrast: Source, uncertain: int) -> None:
    """Pick a packet, run T passes through both models, show the spread."""
    text = TEXT["mc"]
    data = load_lesson_data(data_seed(main.key))
    n = data.n_val
    left, right = st.columns([3, 2], gap="large", vertical_alignment="bottom")
    with left:
        index = pick_packet(n, uncertain)
    passes = right.slider(text["passes_label"], 10, mc.MAX_PASSES, 100, 10, key=PASSES,
                          help=text["passes_help"])  # fmt: skip
    x = data.x_val[index : index + 1]
    model = model_for(main.key, epochs_done(main.key))
    stats = mc_stats.packet_stats(mc.mc_predict(model, x, passes, MC_SEED)[:, 0],
                                  mc.deterministic_predict(model, x)[0])  # fmt: skip
    plain = model_for(contrast.key, epochs_done(contrast.key))
    plain_stats = mc_stats.packet_stats(mc.mc_predict(plain, x, passes, MC_SEED)[:, 0],
                                        mc.deterministic_predict(plain, x)[0])  # fmt: skip
    label = "malicious" if data.y_val[index, 0] > 0.5 else "benign"
    st.markdown(f"**{text['packet_heading'].format(index=index, label=label)}**")
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(
        text["det_metric"],
        f"{stats.deterministic:.3f}",
        delta=_decision(stats.deterministic),
        delta_color="off",
        delta_arrow="off",
    )
    c2.metric(
        text["mean_metric"].format(passes=passes),
        f"{stats.mean:.3f}",
        delta=_decision(stats.mean),
        delta_color="off",
        delta_arrow="off",
    )
    c3.metric(text["std_metric"], f"{stats.std:.3f}", help=text["std_help"])
    c4.metric(text["flip_metric"], f"{stats.flip_rate:.0%}", help=text["flip_help"])
    fig_col, side = st.columns([3, 1], gap="medium")
    labels = (f"{main.label}, {text['main_label']}", f"{contrast.label}")
    with fig_col:
        charts.plot(mc_charts.packet_figure, stats, plain_stats, labels,
                    key=session.REFLECT_PACKET_CHART,
                    about=describe.packet(stats, plain_stats, labels))  # fmt: skip
    side.dataframe(features_table(main.key, index), hide_index=True, width="stretch", height=388)
    whole = set_stats(main.key, epochs_done(main.key), WHOLE_SET_PASSES, MC_SEED)
    said = mc_claims.packet(stats, plain_stats, whole.std)  # "wide" for this model's set
    st.markdown(claims.fill(text["packet_explain"], said))
    claims.conditions(said)


def whole_set_panel(main: Source, contrast: Source) -> None:
    text = TEXT["whole"]
    stats = set_stats(main.key, epochs_done(main.key), WHOLE_SET_PASSES, MC_SEED)
    plain = set_stats(contrast.key, epochs_done(contrast.key), CONTRAST_SET_PASSES, MC_SEED)
    st.subheader(text["heading"], anchor=False)
    st.markdown(text["explain"].format(passes=stats.passes, n=stats.n,
                                       rows=stats.passes * stats.n))  # fmt: skip
    kept = 0.8
    acc_kept = mc_stats.rejection_curve(stats.std, stats.mc_correct, [kept])[0]
    wrong, right = stats.std[~stats.mc_correct], stats.std[stats.mc_correct]
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(text["acc_det"], f"{stats.det_correct.mean():.3f}")
    c2.metric(text["acc_mc"], f"{stats.mc_correct.mean():.3f}")
    c3.metric(text["acc_kept"].format(kept=kept), f"{acc_kept:.3f}",
              delta=f"{acc_kept - stats.mc_correct.mean():+.3f}")  # fmt: skip
    if wrong.size and right.size and right.mean() > 0:
        c4.metric(text["spread_ratio"], f"{wrong.mean():.3f} vs {right.mean():.3f}",
                  delta=f"× {wrong.mean() / right.mean():.1f}", delta_color="off",
                  delta_arrow="off")  # fmt: skip
    charts.plot(mc_charts.uncertainty_parts, stats, key=session.REFLECT_WHOLE_CHART,
                about=describe.uncertainty(stats))  # fmt: skip
    said, contrast_said = reflect_spread.whole_set_claims(
        main.key, epochs_done(main.key), contrast.key, epochs_done(contrast.key), stats, plain
    )
    st.markdown(claims.fill(text["takeaway"], said))
    st.info(claims.fill("{claims}", contrast_said), icon="⚖️")
    claims.conditions(said + contrast_said)


def mc_section() -> None:
    text = TEXT["mc"]
    st.header(text["heading"], anchor=False)
    st.markdown(text["explain"])
    main, contrast, warning = sources()
    if warning:
        st.warning(warning)
    waiting = pending([main, contrast])
    if waiting:
        wait_for(waiting)
        return
    for s in (main, contrast):
        if training.service().status(s.key).state == "failed":
            st.error(text["failed"].format(label=s.label, error=training.service().status(
                s.key).error))  # fmt: skip
            return
    st.markdown(main.note + " " + contrast.note)
    if not dropout_in(main.key, epochs_done(main.key)):
        st.warning(text["no_dropout"], icon="⚠️")
    stats = set_stats(main.key, epochs_done(main.key), WHOLE_SET_PASSES, MC_SEED)
    packet_panel(main, contrast, stats.most_uncertain())
    whole_set_panel(main, contrast)
    epochs = epochs_done(main.key)
    reflect_spread.section(main.key, epochs, WHOLE_SET_PASSES, MC_SEED)
    data = load_lesson_data(data_seed(main.key))
    reflect_scaling.section(main.key, epochs, model_for(main.key, epochs), data,
                            mine=main.label == "Your model")  # fmt: skip


# --------------------------------------------------------------------------- think deeper


def answers() -> dict[str, str]:
    return st.session_state.setdefault(ANSWERS, {})


def revealed() -> set[str]:
    return st.session_state.setdefault(REVEALED, set())


def _save(qid: str) -> None:
    """Keep the box's answer and store it for a joined learner; Reflect is marked done only
    once every answer is stored. An answer the store refuses (or cannot take) is said under
    its box. (The box takes at most ANSWER_MAX characters: the browser stops there, and
    Streamlit cuts a longer value a forged message sends.)"""
    text = st.session_state.get(session.REFLECT_ANSWER.of(qid), "")
    refused = session.value(REFUSED)
    refused.pop(qid, None)
    if text.strip():
        answers()[qid] = text
        why = learners.save_reflection(qid, text)
        if why:
            refused[qid] = TEXT["answers"]["not_saved"].format(why=why)
        else:
            learners.reflect_progress([q.id for q in QUESTIONS])
    else:
        answers().pop(qid, None)


def _reveal(qid: str) -> None:
    _save(qid)
    if answers().get(qid, "").strip():
        revealed().add(qid)
        st.session_state.pop(NUDGE, None)
    else:
        st.session_state[NUDGE] = qid


def _hide(qid: str) -> None:
    revealed().discard(qid)


def question_card(q: lessons.ReflectQuestion) -> None:
    text = TEXT["answers"]
    key = session.REFLECT_ANSWER.of(q.id)
    with st.container(border=True):
        st.markdown(f"**{q.question}**")
        if q.hint:
            st.caption(f"Hint: {q.hint}")
        saved = answers().get(q.id, "")
        refill = session.value(session.REFLECT_REFILL)
        drawn = key in st.session_state  # the box has a value of its own in this session
        if drawn and q.id in refill:  # drawn before the learner resumed: put the answer in it
            st.session_state[key] = saved
        # The saved answer is also the box's default, for a box the browser has not drawn yet:
        # a value set through the session state reaches the browser only with the run that
        # sets it, and a rerun right after (a fresh page reporting its theme) can overtake it,
        # leaving the box empty while the server holds the answer. (No default in the run
        # that sets the state: Streamlit warns about the two together.)
        default = "" if drawn and q.id in refill else saved
        st.text_area(text["label"], value=default, key=key, placeholder=text["placeholder"],
                     height=110, on_change=_save, args=(q.id,), max_chars=ANSWER_MAX,
                     label_visibility="collapsed")  # fmt: skip
        refill.discard(q.id)
        why = session.value(REFUSED).get(q.id)
        if why:
            st.error(why, icon="✋")
        if q.id in revealed():
            st.button(text["hide"], key=session.REFLECT_HIDE.of(q.id), on_click=_hide, args=(q.id,),
                      icon=":material/visibility_off:")  # fmt: skip
            said = f"**{text['model_heading']}.** {q.model_answer}"
            if q.runs:  # and what the lesson's own runs show
                said += "\n\n" + reflect_runs.paragraph(q.runs)
            st.success(said, icon="🎓")
            return
        st.button(text["reveal"], key=session.REFLECT_REVEAL.of(q.id), on_click=_reveal,
                  args=(q.id,), icon=":material/visibility:")  # fmt: skip
        if st.session_state.get(NUDGE) == q.id:
            st.warning(text["write_first"], icon="✍️")


def lesson_question() -> None:
    st.header(TEXT["question"]["heading"], anchor=False)
    st.markdown(TEXT["question"]["explain"])
    question_card(QUESTIONS[0])


def think_deeper() -> None:
    st.header(TEXT["deeper"]["heading"], anchor=False)
    st.markdown(TEXT["deeper"]["explain"].format(count=len(QUESTIONS) - 1))
    left, right = st.columns(2, gap="medium")
    for i, q in enumerate(QUESTIONS[1:]):
        with left if i % 2 == 0 else right:
            question_card(q)
    work.keep_drafts([q.id for q in QUESTIONS], answered)  # stored as typed, not only when left


def answered() -> None:
    """How many answers are kept: left in their box, or (a joined learner's) stored as typed."""
    done = sum(bool(answers().get(q.id, "").strip()) for q in QUESTIONS)
    words = TEXT["answers"]["progress" if learners.current() is not None else "progress_session"]
    st.caption(words.format(answered=done, total=len(QUESTIONS)))


# --------------------------------------------------------------------------- wrap-up


def wrap_up() -> None:
    section = lessons.load_takeaways()
    st.header(TEXT["wrapup"]["heading"], anchor=False)
    st.markdown(lessons.relative_links(lessons.demote_headings(section.body)))
    targets = {(link.step, link.query): link for link in section.links if link.step != "reflect"}
    if not targets:
        return
    st.markdown(TEXT["wrapup"]["links"])
    state.step_links(targets)
