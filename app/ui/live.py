"""The live class on a learner's page (issue 27): the open question of their class, on whatever
step they are on, within a second of the instructor opening the vote (a fragment that asks the
store one small query a second: `open_round`), and their vote. What the store says of a vote
(counted; closed before it arrived; voted already; another class's) is said beside the
question. Only joined learners vote: the store keeps one vote per learner and round.

The questions are `dropout_lab.lesson.live`'s, made once per process for the learners' pages
(their prompts and choices; the answer needs the lesson's runs: `question(qid, runs=True)`).
"""

from __future__ import annotations

import logging

import streamlit as st

from dropout_lab.charts import panels
from dropout_lab.findings import live as live_questions
from dropout_lab.lesson import live as lq
from dropout_lab.lesson import md
from dropout_lab.store import live as lv
from dropout_lab.ui import charts, learners, process, session, settings

log = logging.getLogger(__name__)

TEXT = lq.TEXT
POLL_SECONDS = 1.0  # how often a learner's page asks whether a vote is open
SAID_KIND = {lv.COUNTED: "success", lv.NOT_OPEN: "error", lv.AGAIN: "warning",
             lv.NOT_IN_CLASS: "error"}  # fmt: skip
# The ballot sticks under the page's header while the learner scrolls: a question opened while
# they read the bottom of a long step is in view at once. Opaque (the page's own background), a
# line under it, and never taller than most of a phone's screen (it scrolls inside then). The
# outermost of Streamlit's wrappers around the fragment is the one that sticks.
STICKY = """<style>
[data-testid="stLayoutWrapper"]:has(.st-key-live-ballot) {{
  position: sticky; top: 3.75rem; z-index: 50;
}}
.st-key-live-ballot {{
  background: {background}; max-height: 70vh; overflow-y: auto;
  box-shadow: 0 0.4rem 0.6rem -0.4rem {shadow};
}}
</style>"""


def _questions(runs: live_questions.LessonRuns) -> dict[str, lq.Question]:
    cfg = settings.config()
    return live_questions.questions(runs, cfg.sweep_rates, cfg.live_questions, cfg.epochs or 50)


def questions() -> dict[str, lq.Question]:
    """Every live question, without the runs' answers to the predictions (made once)."""
    return process.once("live.questions", lambda: _questions(live_questions.LessonRuns()))


def question_set(*, runs: bool = False) -> dict[str, lq.Question]:
    """Every question; with `runs`, the predictions' answers and sentences from the runs."""
    if not runs:
        return questions()
    from dropout_lab.ui import class_view

    return _questions(class_view.lesson_runs())


def question(qid: str, *, runs: bool = False) -> lq.Question | None:
    """One question; with `runs`, its answer and settling sentence from the lesson's runs."""
    return question_set(runs=runs).get(qid)


def _vote(round_id: int) -> None:
    me, choice = learners.current(), st.session_state.get(session.LEARNERS_LIVE_CHOICE.of(round_id))
    if me is None:
        return
    if choice is None:
        st.session_state[session.LEARNERS_LIVE_SAID] = (
            round_id,
            "warning",
            TEXT["learner"]["missing"],
        )
        return
    try:
        got = learners.live_store().vote(me.id, round_id, choice)
    except Exception as e:  # the page goes on; the learner may try again
        log.error("storing a live vote failed: %s", type(e).__name__)
        said = TEXT["learner"]["store_down"].format(error=type(e).__name__)
        st.session_state[session.LEARNERS_LIVE_SAID] = (round_id, "error", said)
        return
    words = TEXT["learner"][got]
    st.session_state[session.LEARNERS_LIVE_SAID] = (round_id, SAID_KIND[got], words)


def _said(round_id: int | None) -> None:
    """What the store said of this learner's last vote (kept until another round opens)."""
    said = st.session_state.get(session.LEARNERS_LIVE_SAID)
    if not said:
        return
    if round_id is not None and said[0] != round_id:
        st.session_state.pop(session.LEARNERS_LIVE_SAID, None)
        return
    if said[1] != "success":
        getattr(st, said[1])(said[2], icon="🗳️")


def _ballot(got: lv.OpenRound, q: lq.Question) -> None:
    words = TEXT["learner"]
    st.markdown(f"**{words['heading'].format(round=got.number)}**")
    st.markdown(q.prompt)
    if got.voted is not None:
        st.success(words["voted"].format(choice=md.text(q.label(got.voted))), icon="🗳️")
        return
    values = [c.value for c in q.choices]
    st.radio(words["choose"], values, index=None, format_func=q.label,
             key=session.LEARNERS_LIVE_CHOICE.of(got.round_id))  # fmt: skip
    st.button(words["vote"], type="primary", key=session.LEARNERS_LIVE_VOTE.of(got.round_id),
              on_click=_vote, args=(got.round_id,), icon="🗳️")  # fmt: skip


def panel() -> None:
    """The open question of the learner's class and their ballot, on a joined learner's page:
    only theirs ask every second (each ask is a fragment run, tens of ms of the server's CPU);
    joining reruns the page, which starts it."""
    if learners.current() is not None:
        _poll()


@st.fragment(run_every=POLL_SECONDS)
def _poll() -> None:
    me = learners.current()
    if me is None:  # left the class: the next full run stops asking
        return
    try:
        got = learners.live_store().open_round(me.id)
    except Exception as e:  # a database hiccup: try again in a second
        log.warning("reading the open live round failed: %s", type(e).__name__)
        return
    q = None if got is None else questions().get(got.question_id)
    if got is None or q is None:
        _said(None)
        return
    colours = panels.theme_of(charts.theme())
    st.html(STICKY.format(background=colours.background, shadow=colours.zeroline))
    with st.container(border=True, key="live-ballot"):
        _ballot(got, q)
        _said(got.round_id)
