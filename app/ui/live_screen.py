"""The projector view of the live class (issue 27): for the room's screen, in large type, light
or dark. The question and how many have answered; nothing of the distribution until the
instructor shows it; then the distribution, "discuss with your neighbour", the second vote,
both distributions side by side, and the answer with the sentence that settles it. It reads
the database every second (`live_view`), so it follows a session run from any app process.
Never who voted what: the store hands it counts only. The page is steps/live.py.
"""

from __future__ import annotations

import streamlit as st

from dropout_lab.charts import live as figures
from dropout_lab.lesson import md
from dropout_lab.lesson.names import NAME_MAX
from dropout_lab.store import live as lv
from dropout_lab.ui import charts, learners, live, session, settings, state

TEXT = live.TEXT["projector"]
POLL_SECONDS = 1.0
# Large type for the back of the room; no sidebar (the page is the screen).
STYLE = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"] { display: none; }
.st-key-live-screen [data-testid="stMarkdownContainer"] :is(p, li) {
  font-size: clamp(1.4rem, 2.6vw, 2.6rem); line-height: 1.3;
}
.st-key-live-screen [data-testid="stMarkdownContainer"] code { font-size: 0.9em; }
.st-key-live-count [data-testid="stMarkdownContainer"] p {
  font-size: clamp(2.2rem, 5vw, 4.5rem); font-weight: 700;
}
</style>"""


def _class_code() -> str:
    if session.DASHBOARD_LIVE_CLASS not in st.session_state:
        st.session_state[session.DASHBOARD_LIVE_CLASS] = (
            state.query_param("class") or settings.config().class_code or ""
        )
    return st.text_input(
        TEXT["class_code"], key=session.DASHBOARD_LIVE_CLASS, max_chars=NAME_MAX
    ).strip()


def _shown(view: lv.LiveView) -> list[tuple[int, dict[str, int]]]:
    return [(r.number, r.counts) for r in view.rounds if r.counts is not None]


def _count(view: lv.LiveView, number: int, total: int) -> None:
    r = next((r for r in view.rounds if r.number == number), None)
    answered = 0 if r is None else r.answered
    with st.container(key="live-count"):
        st.markdown(TEXT["answered"].format(count=answered, learners=total))


def _figure(q, view: lv.LiveView, reveal: bool) -> None:
    rounds = _shown(view)
    if rounds:
        st.plotly_chart(figures.rounds_figure(q, rounds, reveal, theme=charts.theme()),
                        width="stretch", key=session.DASHBOARD_LIVE_CHART, config=charts.CONFIG,
                        alt=figures.describe_rounds(q, rounds, reveal).name)  # fmt: skip


def _stage(q, view: lv.LiveView, total: int) -> None:
    """What the screen shows at the question's stage."""
    stage = view.stage or "asked"
    number = 2 if stage in ("discuss", "vote2", "closed2", "shown2") else 1
    if stage == "asked":
        st.info(TEXT["waiting"].format(round=1), icon="⏳")
    elif stage in ("vote1", "vote2"):
        st.success(TEXT["vote_open"].format(round=number), icon="🗳️")
        _count(view, number, total)
    elif stage in ("closed1", "closed2"):
        st.warning(TEXT["vote_closed"].format(round=number), icon="🔒")
        _count(view, number, total)
    elif stage == "discuss":
        st.info(TEXT["discuss"], icon="💬")
    if stage in ("shown1", "discuss", "shown2", "answer"):
        _figure(q, view, reveal=stage == "answer")
    if stage == "answer":
        st.success(TEXT["answer"].format(choice=md.text(q.label(q.answer))), icon="✅")
        st.markdown(q.settle)


@st.fragment(run_every=POLL_SECONDS)
def screen(code: str) -> None:
    """The live session of class `code` as the room sees it."""
    live_store = learners.live_store()
    sid = live_store.running_live(code)
    view = None if sid is None else live_store.live_view(sid)
    with st.container(key="live-screen"):
        if view is None:
            st.info(TEXT["no_session"].format(code=md.in_code(code)), icon="📽️")
            return
        if view.question_id is None:
            st.info(TEXT["no_question"], icon="📽️")
            return
        q = live.question(view.question_id, runs=view.stage == "answer")
        if q is None:
            return
        st.markdown(q.prompt)
        _stage(q, view, len(learners.store().class_learners(code)))


def show() -> None:
    """The projector view (behind the instructor's gate, steps/live.py)."""
    st.html(STYLE)
    code = _class_code()
    if code:
        screen(code)
