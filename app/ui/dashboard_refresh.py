"""The open dashboard refreshes itself: every `SECONDS` a small fragment reruns the page, so a
learner who joins shows up without a click, with "updated N s ago" at the top.

It waits in the one waiting panel (`ui/waiting.py`), for the time of the next refresh. The
whole page is rerun, not a fragment around the class's part: everything on it is about the
class (progress, the live class, what the class thinks, the sweep, each learner's work), and its
widgets keep their state over a rerun. A refresh is not activity: the gate does not count it
(`refreshed()`), so the dashboard still locks itself when nobody has clicked for its idle time;
the same fragment's rerun is what locks it then.

The seconds tick in the browser (a tiny component counting from the last refresh it was sent),
not on the server: nothing is sent between refreshes, and if the connection to the server is
lost the count keeps growing, so a stale page says it is stale."""

from __future__ import annotations

import time
from functools import cache

import streamlit as st

from dropout_lab.ui import learners, session, waiting

SECONDS = 10  # how often an open dashboard reads the class again
TEXT = learners.TEXT["dashboard"]

_JS = """
export default function ({ data, parentElement }) {
  const out = parentElement.querySelector("span");
  const s = parentElement.__dlUpdated || (parentElement.__dlUpdated = {});
  if (s.stamp !== data.stamp) { s.stamp = data.stamp; s.since = Date.now(); }
  const show = () => {
    const seconds = Math.max(0, Math.round((Date.now() - s.since) / 1000));
    out.textContent = data.words.replace("{seconds}", String(seconds));
  };
  show();
  clearInterval(s.timer);
  s.timer = setInterval(show, 1000);
  return () => clearInterval(s.timer);
}
"""
_CSS = "span { font-size: 0.875rem; opacity: 0.75; }"


@cache
def _ticker():
    """Registered once per process (its definition is immutable, shared safely)."""
    return st.components.v2.component("dropout_lab_updated", html="<span></span>", css=_CSS,
                                      js=_JS)  # fmt: skip


def drawn() -> None:
    """The page was just drawn (by a click or a refresh): the next refresh is due in SECONDS."""
    st.session_state[session.DASHBOARD_DRAWN] = time.time()


def refreshed() -> bool:
    """True (once) when this run is a refresh, not something the instructor did."""
    return bool(st.session_state.pop(session.DASHBOARD_REFRESH, False))


def every() -> None:
    """Rerun the whole page every SECONDS (the gate locks it then if it has been idle too
    long), and show how long ago it was last read. Called once per run of the open page."""
    waiting.until_done(_due, every=SECONDS)


def _due() -> bool:
    """True when a refresh is due (the timer's run, not the page's own); else the ticker."""
    since = time.time() - float(st.session_state.get(session.DASHBOARD_DRAWN, 0.0))
    if since >= SECONDS / 2:
        st.session_state[session.DASHBOARD_REFRESH] = True
        return True
    words = TEXT["updated"].format(seconds="{seconds}", every=SECONDS)
    _ticker()(key=session.DASHBOARD_UPDATED, data={"stamp": time.time(), "words": words})
    return False
