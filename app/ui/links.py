"""Resume links in the app: who the client is (for counting wrong codes), the app's address,
the resume link box a learner sees once, and the resume code form. The states these change
(joining, resuming, leaving) are `ui/learners.py`'s.

A client is its network address: the WebSocket's socket peer, or the address a proxy named in
DROPOUT_LAB_TRUSTED_PROXIES forwards (`dropout_lab.clients` decides; a forged X-Forwarded-For
from anyone else is ignored). Every loopback session counts as one client, "local", rather than
each session on its own, since a new session costs an attacker nothing.
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


def _peer() -> tuple[str | None, str | None]:
    """The connection's socket peer and its X-Forwarded-For header (None when unknown).

    `st.context.ip_address` hides a loopback peer (None), and a trusted proxy on loopback is
    exactly what must be recognised, so the peer is read from the session's client context
    (Streamlit's runtime, the same object `st.context` reads)."""
    peer = None
    try:
        from streamlit.runtime import get_instance
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
        session_client = get_instance().get_client(ctx.session_id) if ctx else None
        peer = session_client.client_context.remote_ip if session_client else None
    except Exception:  # no runtime (a bare script run, AppTest) or another Streamlit
        try:
            peer = st.context.ip_address
        except Exception:
            peer = None
    try:
        forwarded = st.context.headers.get("X-Forwarded-For")
    except Exception:
        forwarded = None
    return peer, forwarded


def client() -> str:
    """The key wrong codes, tokens, joins and queue places are counted under: the peer's
    address, or a trusted proxy's forwarded one (`dropout_lab.clients`), or "local"."""
    from dropout_lab.clients import client_key, trusted_proxies

    peer, forwarded = _peer()
    return client_key(peer, forwarded, trusted_proxies())


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


def resume_form(on_resume: Callable[[], None], *, heading: bool = True) -> None:
    """The resume code field and its button (the code is hidden as it is typed)."""
    if heading:
        st.markdown(f"**{TEXT['resume_heading']}**")
    st.text_input(TEXT["resume_code"], key=session.LEARNERS_RESUME_CODE, type="password",
                  help=TEXT["resume_help"], max_chars=400)  # fmt: skip
    st.button(TEXT["resume_button"], key=session.LEARNERS_RESUME_GO, on_click=on_resume)
