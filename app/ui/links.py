"""Resume links in the app: who the client is (for counting wrong codes), the app's address,
the resume link box a learner sees once, and the resume code form. The states these change
(joining, resuming, leaving) are `ui/learners.py`'s.

A client is its network address (`st.context.ip_address`, the WebSocket peer; uvicorn takes it
from X-Forwarded-For when the proxy is on this machine). Streamlit gives no address for a
loopback connection: every such session counts as one client, "local", rather than each
session on its own, since a new session costs an attacker nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

import streamlit as st

from dropout_lab.lesson.content import step_text
from dropout_lab.lesson.steps import STEP_IDS
from dropout_lab.ui import session

TEXT = step_text("learners")["join"]
PAGES = (*STEP_IDS, "dashboard")  # url paths a page address may end with


def client() -> str:
    """The key wrong codes and tokens are counted under: the client's address, or "local"."""
    try:
        ip = st.context.ip_address
    except Exception:  # no client context (a bare script run)
        ip = None
    return f"ip:{ip}"[:120] if ip else "local"


def base_url() -> str | None:
    """The app's address in the browser without the page (None when it is not known)."""
    try:
        url = st.context.url
    except Exception:
        url = None
    if not url:
        return None
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    head, _, last = path.rpartition("/")
    if last in PAGES:
        path = head
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def link(code: str) -> str:
    """The whole resume link of `code` on this server."""
    from dropout_lab.store.access import resume_link  # the store loads when a learner joins

    return resume_link(base_url(), code)


def wait_words(seconds: float) -> str:
    """ "45 seconds" or "3 minutes" (rounded up)."""
    if seconds <= 90:
        return TEXT["wait_seconds"].format(n=max(1, math.ceil(seconds)))
    return TEXT["wait_minutes"].format(n=math.ceil(seconds / 60))


def link_box(code: str, on_kept: Callable[[], None]) -> None:
    """The learner's resume link with a copy button and a line saying to keep it."""
    with st.container(border=True):
        st.markdown(TEXT["link_heading"])
        st.code(link(code), language=None, wrap_lines=True)
        st.caption(TEXT["link_secret"].format(code=code))
        st.button(TEXT["kept"], key=session.LEARNERS_KEPT, on_click=on_kept, icon="✅")


def resume_form(on_resume: Callable[[], None]) -> None:
    """The resume code field and its button (the code is hidden as it is typed)."""
    st.markdown(f"**{TEXT['resume_heading']}**")
    st.text_input(TEXT["resume_code"], key=session.LEARNERS_RESUME_CODE, type="password",
                  help=TEXT["resume_help"], max_chars=400)  # fmt: skip
    st.button(TEXT["resume_button"], key=session.LEARNERS_RESUME_GO, on_click=on_resume)
