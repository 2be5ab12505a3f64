"""The live class on the instructor's dashboard (issue 27): start a live session for the class,
pick a question, ask it, and move it through its stages (open vote 1, close it, show the
distribution, discuss with your neighbour, open vote 2, close it, show both, reveal the
answer), with the counts as they come in (a fragment, every two seconds) and a link to the
projector view. The stages are the store's (`dropout_lab.store.live.STAGES`); a button that
finds the session already moved on by another tab does nothing and says so.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

import streamlit as st

from dropout_lab.lesson import md
from dropout_lab.store import live as lv
from dropout_lab.ui import learners, live, session

TEXT = live.TEXT
REFRESH_SECONDS = 2.0


def _active() -> None:
    """A live control counts as the instructor's activity (the dashboard's idle lock)."""
    auth = st.session_state.get(session.DASHBOARD_AUTH)
    if isinstance(auth, dict):
        auth["active"] = time.time()


def _start(code: str) -> None:
    _active()
    learners.live_store().start_live(code)


def _end(session_id: int) -> None:
    _active()
    learners.live_store().end_live(session_id)


def _ask(session_id: int) -> None:
    _active()
    qid = st.session_state.get(session.DASHBOARD_LIVE_QUESTION)
    if qid and not learners.live_store().ask(session_id, qid):
        st.session_state[session.DASHBOARD_LIVE_SAID] = TEXT["controls"]["asked_before"]


def _advance(session_id: int, expected: str, to: str) -> None:
    _active()
    if not learners.live_store().advance(session_id, expected, to):
        st.session_state[session.DASHBOARD_LIVE_SAID] = TEXT["controls"]["moved"]


def _status(view: lv.LiveView, learners_count: int) -> str:
    answered = {r.number: str(r.answered) for r in view.rounds}
    return TEXT["controls"]["status"].format(
        stage=TEXT["stages"][view.stage], one=answered.get(1, "–"), two=answered.get(2, "–"),
        learners=learners_count)  # fmt: skip


def _question(view: lv.LiveView, learners_count: int) -> None:
    q = live.question(view.question_id) if view.question_id else None
    if q is None or view.stage is None:
        return
    with st.container(border=True):
        st.markdown(f"**{md.text(q.title)}**")
        st.markdown(_status(view, learners_count))
        after = lv.STAGES[view.stage].after
        for col, to in zip(st.columns(max(1, len(after))), after, strict=False):
            col.button(TEXT["buttons"][to], key=session.DASHBOARD_LIVE_STEP.of(to),
                       on_click=_advance, args=(view.session_id, view.stage, to),
                       type="primary", width="stretch")  # fmt: skip


@st.fragment(run_every=REFRESH_SECONDS)
def controls(code: str, learners_count: int) -> None:
    """The live class's controls for class `code`."""
    words = TEXT["controls"]
    store = learners.live_store()
    sid = store.running_live(code)
    if sid is None:
        st.caption(words["no_session"])
        st.button(words["start"], key=session.DASHBOARD_LIVE_START, on_click=_start,
                  args=(code,), icon=":material/campaign:")  # fmt: skip
        return
    qs = live.questions()
    c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
    c1.selectbox(words["question"], list(qs), format_func=lambda i: qs[i].title,
                 key=session.DASHBOARD_LIVE_QUESTION)  # fmt: skip
    c2.button(words["ask"], key=session.DASHBOARD_LIVE_ASK, on_click=_ask, args=(sid,),
              width="stretch")  # fmt: skip
    said = st.session_state.pop(session.DASHBOARD_LIVE_SAID, None)
    if said:
        st.warning(said, icon="🔁")
    view = store.live_view(sid)
    if view is not None:
        _question(view, learners_count)
    c3, c4 = st.columns(2)
    # A tab of its own (the room's screen); a link relative to this page, so a base path holds.
    c3.link_button(words["projector"], f"live?{urlencode({'class': code})}", icon="📽️",
                   help=words["projector_help"])  # fmt: skip
    c4.button(words["end"], key=session.DASHBOARD_LIVE_END, on_click=_end, args=(sid,),
              icon=":material/stop_circle:")  # fmt: skip


def section(code: str, learners_count: int) -> None:
    """The dashboard's live class section: heading, what it does, the controls."""
    st.header(TEXT["controls"]["heading"], anchor=False)
    st.caption(TEXT["controls"]["explain"])
    controls(code, learners_count)
