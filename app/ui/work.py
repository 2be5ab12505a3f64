"""A joined learner's work, kept as they go (issue 23): the labs' code as typed (each change the
server sees) and the NumPy labs' last grade, in the store's work table; `ui/resume.py` puts them
back on the learner's resume link. A learner who has not joined is told, on the page, what a
reload loses. Words: lessons/learners.toml [work]."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import asdict, fields
from functools import cache

import streamlit as st

from dropout_lab.lesson.content import step_text
from dropout_lab.ui import learners, session

log = logging.getLogger(__name__)

TEXT = step_text("learners")["work"]
OUTPUT_MAX = 4000  # characters of what graded code printed that are kept (as the page shows)


def keep(item: str, text: str, starter: str) -> None:
    """Store `text` as the joined learner's latest of `item` if it changed since last stored
    (the untouched starter is not work)."""
    me = learners.current()
    if me is None or not isinstance(text, str):
        return
    saved = session.value(session.LEARNERS_WORK_SAVED)
    if saved.get(item) == text or (item not in saved and text == starter):
        return
    try:
        learners.store().save_work(me.id, item, text)
    except Exception:  # a database hiccup must not break the lesson: tried again next change
        log.exception("saving work failed")
        return
    saved[item] = text


def keep_grade(item: str, code: str, verdict) -> None:
    """Store the joined learner's grade of `item`: the graded code and its verdict."""
    me = learners.current()
    if me is None:
        return
    try:
        learners.store().save_grade(me.id, item, code, verdict_json(code, verdict))
    except Exception:
        log.exception("saving a grade failed")


def verdict_json(code: str, verdict) -> dict:
    """A grading's verdict as plain data (every field of `Verdict`), with the code it graded."""
    stored = asdict(verdict)
    stored.update(
        code=code, passed=bool(verdict.passed), seconds=float(verdict.seconds),
        running_seconds=float(verdict.running_seconds),
        output=(verdict.output or "")[:OUTPUT_MAX], graded_at=time.time(),
    )  # fmt: skip
    return stored


def verdict_from_json(grade: dict):
    """(code, Verdict) as the NumPy lab's page keeps it, or None for a grade it cannot read.
    Built by the fields' names (a grade stored before a field existed gets its default)."""
    from dropout_lab.grading.verdict import CheckResult, Verdict

    try:
        checks = [CheckResult(**c) for c in grade.get("checks", [])]
        kept = {f.name: grade[f.name] for f in fields(Verdict) if f.name in grade}
        return str(grade["code"]), Verdict(**{**kept, "checks": checks})
    except (KeyError, TypeError, ValueError):
        return None


def grade_words(grade: dict | None) -> str:
    """A stored grade in a few words: passed, failed (which properties), or did not run."""
    if not grade:
        return ""
    if grade.get("passed"):
        return TEXT["passed"]
    failed = [c.get("label", "") for c in grade.get("checks", []) if not c.get("passed")]
    if failed:
        return TEXT["failed_on"].format(checks="; ".join(failed))
    if grade.get("error"):
        return TEXT["error"].format(error=grade["error"])
    return TEXT["failed"]


NUMPY_LABS = ("numpy_dropout", "numpy_backprop")


def add_grades(table: list[dict], class_progress: list[dict], grades: dict) -> list[dict]:
    """The dashboard's progress table with each NumPy lab's last grade: passed, failed, blank."""
    from dropout_lab.store.classroom import add_lab_grades

    words = (TEXT["passed"], TEXT["failed"])
    return add_lab_grades(table, class_progress, grades, TEXT["columns"], words)


def dashboard_section(work: dict[str, dict]) -> None:
    """A learner's NumPy labs on the instructor dashboard: each last grade and its code."""
    st.markdown(f"**{TEXT['numpy_heading']}**")
    graded = [lab for lab in NUMPY_LABS if (work.get(lab) or {}).get("grade")]
    if not graded:
        st.caption(TEXT["no_numpy"])
    for lab in graded:
        got = work[lab]
        words = f"{TEXT['columns'][lab]} · {grade_words(got['grade'])}"
        if got["text"] != got["grade"].get("code"):
            words += f" · {TEXT['typed_since']}"
        st.caption(words)  # the labels are the lab's, the code the learner's: shown as code
        st.code(got["grade"].get("code", ""), language="python")


# The draft keeper: a hidden component that hears the Reflect boxes as they are typed in (a text
# area tells the server only when it is left) and sends their text a pause after typing stops.
DRAFT_PAUSE_MS = 1000
_DRAFTS_JS = """
export default function ({ data, setStateValue }) {
  const s = window.__dlDrafts || (window.__dlDrafts = { timer: null, drafts: {} });
  s.send = setStateValue;
  s.boxes = data.boxes || {};
  s.wait = data.wait || 1000;
  if (!s.listening) {
    s.listening = true;
    document.addEventListener("input", (event) => {
      const box = event.target;
      if (!(box instanceof HTMLTextAreaElement) || !s.send) return;
      const cls = Object.keys(s.boxes).find((c) => box.closest("." + c));
      if (!cls) return;
      s.drafts[s.boxes[cls]] = box.value;
      clearTimeout(s.timer);
      s.timer = setTimeout(() => s.send && s.send("drafts", { ...s.drafts }), s.wait);
    }, true);
  }
  return () => { s.send = null; s.boxes = {}; };
}
"""


@cache
def _draft_keeper():
    """Registered once per process (its definition is immutable, shared safely)."""
    return st.components.v2.component("dropout_lab_drafts", html="<span hidden></span>",
                                      js=_DRAFTS_JS)  # fmt: skip


def _box_class(key: str) -> str:
    """The CSS class Streamlit gives the container of the widget with `key`."""
    return "st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key.strip())


def _drafts_heard() -> None:
    """Drafts arrived: store each one that changed (a reflection, as leaving the box does)."""
    me = learners.current()
    drafts = (st.session_state.get(session.REFLECT_DRAFTS) or {}).get("drafts")
    if me is None or not isinstance(drafts, dict):
        return
    saved = session.value(session.LEARNERS_WORK_SAVED)
    for qid, text in drafts.items():
        item = f"reflect:{qid}"
        if not isinstance(text, str) or not text.strip() or saved.get(item) == text:
            continue
        try:
            learners.store().save_reflection(me.id, str(qid), text)
        except Exception:  # a bad id or a database hiccup: the box's own save still comes
            log.exception("saving a draft failed")
            continue
        saved[item] = text
        session.value(session.REFLECT_ANSWERS)[str(qid)] = text  # kept: an answer, counted


@st.fragment
def keep_drafts(question_ids: list[str], then: Callable[[], None]) -> None:
    """For a joined learner: Reflect's answers are stored a pause after typing, not only when
    the box is left, so a reload straight after typing loses nothing. Its own fragment: a draft
    reruns only this and `then` (what counts the answers kept), never the boxes being typed in."""
    if learners.current() is not None:
        boxes = {_box_class(session.REFLECT_ANSWER.of(q)): q for q in question_ids}
        _draft_keeper()(key=session.REFLECT_DRAFTS, data={"boxes": boxes, "wait": DRAFT_PAUSE_MS},
                        default={"drafts": {}}, on_drafts_change=_drafts_heard)  # fmt: skip
    then()


def unsaved_notice(kind: str = "code") -> None:
    """One line, for a learner who has not joined: what a reload loses and how to keep it."""
    if learners.current() is None:
        st.info(TEXT[f"unsaved_{kind}"], icon="💾")
