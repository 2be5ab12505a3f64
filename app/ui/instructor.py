"""The instructor dashboard's Streamlit pieces: the token gate (the right token always opens;
wrong tokens counted per client like wrong resume codes; the session locks itself after
`[dashboard] idle_minutes` without a click), each learner's resume link status, a new link for a
learner who lost theirs, removing a learner and their work, and the lesson file's roster. The
page is steps/dashboard.py.

Resume codes appear only in `st.code` blocks the instructor copies from, never in a table or
a CSV export, and only in the session that issued them, until the dashboard locks.
"""

from __future__ import annotations

import logging
import time

import streamlit as st

from dropout_lab.lesson import md
from dropout_lab.lesson.fmt import Count
from dropout_lab.store import classroom
from dropout_lab.ui import dashboard_keep, dashboard_refresh, learners, links, session, settings

log = logging.getLogger(__name__)

TEXT = learners.TEXT["dashboard"]
TOKEN_MAX = 1000  # characters the token box takes (a token is far shorter)


# --------------------------------------------------------------------------- the gate


def _check_token() -> None:
    given = st.session_state.pop(session.DASHBOARD_TOKEN, "") or ""
    try:
        got = learners.store().attempt(
            "token", "dashboard", links.client(), lambda _conn: settings.token_ok(given) or None
        )
    except Exception as e:  # never log the token
        log.error("checking the instructor token failed: %s", type(e).__name__)
        st.session_state[session.DASHBOARD_REFUSED] = learners.TEXT["join"]["store_down"].format(
            error=type(e).__name__
        )
        return
    if got.ok:
        digest = settings.token_digest(given)
        st.session_state[session.DASHBOARD_AUTH] = {
            "digest": digest,
            "active": time.time(),
            "key": dashboard_keep.issue(digest),  # kept by this tab over a reload
        }
        return
    lock()
    st.session_state[session.DASHBOARD_REFUSED] = (
        TEXT["wrong_token_wait"].format(wait=links.wait_words(got.wait))
        if got.wait
        else TEXT["wrong_token"]
    )


def lock() -> None:
    """End the dashboard session: access, and the links issued in it."""
    dashboard_keep.end(st.session_state.get(session.DASHBOARD_AUTH))
    for key in (session.DASHBOARD_AUTH, session.DASHBOARD_ISSUED, session.DASHBOARD_ROSTER_LINES):
        st.session_state.pop(key, None)


def _idle(auth: dict) -> bool:
    return time.time() - float(auth.get("active", 0.0)) > settings.idle_seconds()


def gate() -> bool:
    """True while this session has given the right token and been active; otherwise the form."""
    auth = st.session_state.get(session.DASHBOARD_AUTH)
    if not isinstance(auth, dict):  # a reload: the key this tab kept, within the idle time
        auth = dashboard_keep.reopen()
    # the token's digest, or a launch from the LMS as its course's instructor (ui/lti.py)
    if isinstance(auth, dict) and (settings.digest_ok(auth.get("digest")) or auth.get("lti_class")):
        if not _idle(auth):
            if not dashboard_refresh.refreshed():  # a refresh is not activity
                auth["active"] = time.time()
            dashboard_keep.keep(auth)
            dashboard_refresh.drawn()
            return True
        lock()
        st.session_state[session.DASHBOARD_SIGNED_OUT] = True
    dashboard_keep.keep(None)
    with st.form(session.DASHBOARD_LOGIN):
        st.text_input(TEXT["token"], type="password", key=session.DASHBOARD_TOKEN,
                      max_chars=TOKEN_MAX)  # fmt: skip
        st.form_submit_button(TEXT["token_button"], on_click=_check_token)
    refused = st.session_state.pop(session.DASHBOARD_REFUSED, None)
    if refused:
        st.error(refused, icon="🚫")
    elif st.session_state.pop(session.DASHBOARD_SIGNED_OUT, False):
        minutes = round(settings.idle_seconds() / 60)
        st.warning(TEXT["signed_out"].format(minutes=minutes), icon="🔒")
    else:
        st.info(TEXT["no_token"], icon="🔑")
    return False


# --------------------------------------------------------------------------- resume links


def _when(seconds: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(seconds)) if seconds else TEXT["never"]


def add_status(table: list[dict], class_progress: list[dict]) -> list[dict]:
    """The progress table with each learner's resume link status and last visit (no codes)."""
    for row, learner in zip(table, class_progress, strict=True):
        row[TEXT["link_column"]] = (
            TEXT["link_issued"].format(when=_when(learner["link_issued_at"]))
            if learner["has_link"]
            else TEXT["link_none"]
        )
        row[TEXT["seen_column"]] = _when(learner["last_seen_at"])
    return table


def progress_tables(table: list[dict], steps: list[str]) -> None:
    """The progress table as two that fit the page at 1366 px (fifteen columns do not): how
    far each learner has come and when they were last seen; then their work and resume link.
    The CSV export keeps it as one."""
    if not table:
        return
    name = next(iter(table[0]))
    first = [name, *[s for s in steps if s in table[0]], classroom.STEPS_DONE, TEXT["seen_column"]]
    second = [name, *[c for c in table[0] if c not in first]]
    for columns, key in ((first, session.DASHBOARD_PROGRESS),
                         (second, session.DASHBOARD_PROGRESS_WORK)):  # fmt: skip
        st.dataframe(table, hide_index=True, width="stretch", key=key,
                     column_order=[c for c in columns if c in table[0]])  # fmt: skip


def _reissue(learner_id: int) -> None:
    session.value(session.DASHBOARD_ISSUED)[learner_id] = learners.store().issue_code(learner_id)


def new_link(learner) -> None:
    """A new resume link for `learner` (behind a confirmation), and the one just issued."""
    with st.popover(TEXT["new_link"], icon="🔑"):
        st.caption(TEXT["new_link_explain"])
        st.button(TEXT["new_link_button"].format(name=md.text(learner.name)),
                  key=session.DASHBOARD_REISSUE.of(learner.id), on_click=_reissue,
                  args=(learner.id,), type="primary")  # fmt: skip
    code = st.session_state.get(session.DASHBOARD_ISSUED, {}).get(learner.id)
    if code:
        st.success(TEXT["new_link_given"].format(name=md.text(learner.name)))
        st.code(links.link(code), language=None, wrap_lines=True)


def _remove(learner_id: int) -> None:
    """Remove the learner, only when this session ticked the confirmation (a click alone,
    forged or not, removes nobody)."""
    if not st.session_state.get(session.DASHBOARD_REMOVE_SURE.of(learner_id)):
        st.session_state[session.DASHBOARD_REMOVED] = ("warning", TEXT["remove_not_sure"])
        return
    gone = learners.store().remove_learner(learner_id)
    st.session_state.pop(session.DASHBOARD_REMOVE_SURE.of(learner_id), None)
    session.value(session.DASHBOARD_ISSUED).pop(learner_id, None)
    if gone is not None:
        log.info("the instructor removed learner %s and their work", gone.id)
        st.session_state[session.DASHBOARD_REMOVED] = (
            "success",
            TEXT["removed"].format(name=md.text(gone.name)),
        )


def remove(learner) -> None:
    """Remove `learner` and all their work, behind a confirmation box ticked first."""
    with st.popover(TEXT["remove"], icon="🗑️"):
        st.caption(TEXT["remove_explain"])
        sure = st.checkbox(TEXT["remove_sure"].format(name=md.text(learner.name)),
                           key=session.DASHBOARD_REMOVE_SURE.of(learner.id))  # fmt: skip
        st.button(TEXT["remove_button"].format(name=md.text(learner.name)),
                  key=session.DASHBOARD_REMOVE.of(learner.id), on_click=_remove,
                  args=(learner.id,), type="primary", disabled=not sure)  # fmt: skip


def removed_notice() -> None:
    """Say once who was just removed; and a refused removal's reason."""
    said = st.session_state.pop(session.DASHBOARD_REMOVED, None)
    if said:
        getattr(st, said[0])(said[1], icon="🗑️")


def _make_roster() -> None:
    cfg = settings.config()
    lines = learners.store().roster(cfg.class_code, list(cfg.roster))
    st.session_state[session.DASHBOARD_ROSTER_LINES] = lines


def roster(class_code: str) -> None:
    """The lesson file's roster: create its learners and show their links (once)."""
    cfg = settings.config()
    if not cfg.roster or not cfg.class_code:
        return
    st.subheader(TEXT["roster_heading"], anchor=False)
    if class_code.casefold() != cfg.class_code.casefold():
        st.caption(TEXT["roster_other_class"].format(roster=md.in_code(cfg.class_code)))
        return
    st.markdown(
        TEXT["roster_explain"].format(count=Count(len(cfg.roster)), code=md.in_code(cfg.class_code))
    )
    st.button(TEXT["roster_button"], key=session.DASHBOARD_ROSTER, on_click=_make_roster,
              icon="📋")  # fmt: skip
    lines = st.session_state.get(session.DASHBOARD_ROSTER_LINES) or []
    given = [line for line in lines if line.code]
    if given:
        st.markdown(TEXT["roster_links"])
        st.code("\n".join(f"{line.name}\t{links.link(line.code)}" for line in given),
                language=None)  # fmt: skip
    for line in lines:
        if not line.code:
            st.caption(TEXT["roster_has_link"].format(name=md.text(line.name)))
