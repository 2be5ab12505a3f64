"""A launch from an LMS, taken in by the page: the `?lti=CODE` that `/lti/launch` redirected to is
exchanged once for the session (the code leaves the address at once; nothing secret stays in it).

A learner's code opens their work as a resume code does (a fresh resume code is issued: an older
tab of the same learner ends within a minute, as when an instructor replaces a code); an
instructor's opens the dashboard for their course's class, without the token, until it locks.
The endpoints themselves are `dropout_lab.lti` (no Streamlit there)."""

from __future__ import annotations

import logging
import time

import streamlit as st

from dropout_lab.lesson.content import step_text
from dropout_lab.lti import config
from dropout_lab.ui import learners, session, state

log = logging.getLogger(__name__)
PARAM = "lti"


def on() -> bool:
    """Is LTI configured on this server (DROPOUT_LAB_LTI_CONFIG)?"""
    return config.configured()


def take() -> None:
    """Exchange a launch's one-time code, if the address holds one."""
    code = state.query_param(PARAM)
    if code is None:
        return
    del st.query_params[PARAM]
    try:
        got = learners.store().lti_take_handoff(code)
        if got is not None and got.role == "learner" and got.learner_id is not None:
            error = learners.resume_with(learners.store().issue_code(got.learner_id))
            got = None if error else got
    except Exception as e:  # never log the code
        log.error("taking an LTI launch failed: %s", type(e).__name__)
        got = None
    if got is None:
        st.warning(step_text("lti")["page"]["used"], icon="🔗")
    elif got.role == "learner" and ":" in got.target:  # a link to one of Build's labs
        st.session_state[session.BUILD_LAB] = got.target.split(":", 1)[1]
    elif got.role == "instructor":
        st.session_state[session.DASHBOARD_AUTH] = {"lti_class": got.class_code,
                                                    "active": time.time()}  # fmt: skip
        st.session_state[session.DASHBOARD_CLASS] = got.class_code


def course() -> str | None:
    """The class an instructor who came from the LMS may see (None: the token's any class)."""
    auth = st.session_state.get(session.DASHBOARD_AUTH)
    return auth.get("lti_class") if isinstance(auth, dict) else None
