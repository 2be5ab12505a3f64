"""The dashboard's LMS section: the course's members from the LMS (NRPS) and who of them has not
started, how many scores went to the LMS's gradebook, and the class's scores as the Canvas and
Moodle gradebooks import them (for any class, LTI or not). The logic is `dropout_lab.lti.roster`
and `dropout_lab.lesson.gradebooks`; the score is `dropout_lab.lesson.score`'s."""

from __future__ import annotations

import logging
import typing as t

import streamlit as st

from dropout_lab.lesson import gradebooks
from dropout_lab.lesson import score as scoring
from dropout_lab.lesson.content import step_text
from dropout_lab.lti import config, keys, outbox, roster
from dropout_lab.ui import session, settings

log = logging.getLogger(__name__)
WORDS = step_text("lti")["dashboard"]


def _tool_conf() -> t.Any:
    from dropout_lab.lti.tool import Tool
    from dropout_lab.ui import learners

    return Tool(config.load(), keys.ensure(), learners.store()).tool_conf


def _members(store: t.Any, code: str) -> list[dict] | None:
    """The course's members as kept; pulled from the LMS first when the button is pressed."""
    if not st.button(WORDS["pull"], key=session.DASHBOARD_LMS_PULL, icon=":material/group:"):
        return roster.roster(store, code)
    try:
        pulled = roster.pull(store, _tool_conf(), code)
    except Exception as e:  # the LMS down, slow or refusing
        log.warning("NRPS pull failed: %s", type(e).__name__)
        st.warning(WORDS["failed"].format(error=type(e).__name__))
        return roster.roster(store, code)
    if pulled is None:
        st.info(WORDS["no_service"])
    return pulled if pulled is not None else roster.roster(store, code)


def course(store: t.Any, code: str, progress: list[dict]) -> list[dict]:
    """The LMS course's roster and who has not started (shown only for an LMS course and with
    LTI on); the members, for the CSVs' identifiers."""
    if not config.configured() or store.lti_course(code) is None:
        return []
    st.header(WORDS["heading"], anchor=False)
    members = _members(store, code) or []
    started = {p["learner_id"] for p in progress if p["progress"] or p["quiz_answered"]}
    waiting = roster.waiting(members, started)
    if members:
        among = sum(m["learner"] for m in members)
        st.markdown(WORDS["pulled"].format(members=len(members), learners=among,
                                           waiting=len(waiting)))  # fmt: skip
        if waiting:
            st.markdown(f"**{WORDS['not_started']}**")
            st.dataframe([{"Name": m["name"], "Email": m["email"] or ""} for m in waiting],
                         hide_index=True, key=session.DASHBOARD_LMS_WAITING)  # fmt: skip
        else:
            st.caption(WORDS["none_waiting"])
    counts = store.lti_outbox_counts()
    st.caption(WORDS["scores"].format(sent=counts["sent"], due=counts["due"]))
    return members


def exports(store: t.Any, people: list, members: list[dict], stem: str) -> None:
    """The Canvas and Moodle gradebook CSVs of the class's whole-lesson scores."""
    weights = settings.config().grading if settings.config_ok() else scoring.Weights()
    known = {m["learner_id"]: m for m in members if m["learner_id"] is not None}
    rows = []
    for person in people:
        got = scoring.score(outbox.facts(store, person.id), "lesson", weights)
        lms = known.get(person.id, {})
        rows.append(gradebooks.Row(person.name, got.given, lms.get("email") or "",
                                   lms.get("sourcedid") or ""))  # fmt: skip
    title = step_text("lti")["targets"]["lesson"]["label"]
    st.caption(WORDS["export_help"])
    c1, c2 = st.columns(2)
    c1.download_button(WORDS["export_canvas"], gradebooks.canvas(rows, title, weights.points),
                       file_name=f"{stem}_canvas.csv", mime="text/csv", on_click="ignore",
                       key=session.DASHBOARD_CSV_CANVAS, icon="📄")  # fmt: skip
    c2.download_button(WORDS["export_moodle"], gradebooks.moodle(rows, title),
                       file_name=f"{stem}_moodle.csv", mime="text/csv", on_click="ignore",
                       key=session.DASHBOARD_CSV_MOODLE, icon="📄")  # fmt: skip
