"""An open instructor dashboard survives a reload (F5) within its idle time, without the token.

How: when the token is accepted, the server issues a dashboard-session key (32 random bytes,
`secrets.token_urlsafe`) and keeps, in this process's table, only its SHA-256 with the token's
digest, the last activity and the class shown. A tiny hidden component puts the key in the
tab's `sessionStorage`; after a reload it hands the key back, and the server opens the dashboard
again if the key is in the table, the token has not changed since, and the dashboard has not been
idle longer than `[dashboard] idle_minutes`. Locking, idling out, a new token or a server restart
ends it: the token is asked again.

Why `sessionStorage` and not the address, a cookie or `localStorage`:
- the address is seen by everyone behind the instructor at the projector, kept in the browser's
  history and in proxies' logs: nothing secret goes there;
- a cookie is sent with every request to the server (every learner page's too), and one set by
  the page's script can be neither HttpOnly nor read by Streamlit before the first run;
  Streamlit has no way to set one;
- `localStorage` outlives the tab and is shared by every tab of the browser: on a classroom
  computer the next person would find the dashboard open. `sessionStorage` belongs to one tab,
  survives its reloads and is gone when the tab closes.
The key opens nothing by itself once the dashboard is locked or idle, the table holds only its
hash, and the table lives in the server's memory (with sticky sessions, a reload comes back to
the same process).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from functools import cache

import streamlit as st

from dropout_lab.ui import process, session, settings

KEY_BYTES = 32
MAX_HELD = 256  # open dashboard sessions kept at most (the oldest activity goes first)

_JS = """
export default function ({ data, setStateValue }) {
  const name = "dropout-lab.dashboard";
  if (data.keep) sessionStorage.setItem(name, data.keep);
  else if (data.forget) sessionStorage.removeItem(name);
  const held = sessionStorage.getItem(name);
  if (held && !data.keep) setStateValue("key", held);
}
"""


@dataclass
class Held:
    digest: str  # the token's digest when the key was issued
    active: float  # the dashboard's last activity (a click, not a refresh)
    class_code: str = ""


class Sessions:
    """The open dashboard sessions of this process: key hash -> Held. Thread-safe."""

    def __init__(self, limit: int = MAX_HELD) -> None:
        self._lock = threading.Lock()
        self._held: dict[str, Held] = {}
        self._limit = limit

    @staticmethod
    def _id(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    def issue(self, digest: str, now: float) -> str:
        """A new key for a dashboard opened with the token whose digest is `digest`."""
        key = secrets.token_urlsafe(KEY_BYTES)
        with self._lock:
            while len(self._held) >= self._limit:
                oldest = min(self._held, key=lambda k: self._held[k].active)
                del self._held[oldest]
            self._held[self._id(key)] = Held(digest, now)
        return key

    def resume(self, key: str, idle: float, now: float) -> Held | None:
        """The session `key` opens, if it is known and active within `idle` seconds."""
        with self._lock:
            held = self._held.get(self._id(key))
            if held is None or now - held.active > idle:
                self._held.pop(self._id(key), None)
                return None
            held.active = now
            return Held(held.digest, held.active, held.class_code)

    def touch(self, key: str, now: float, class_code: str | None = None) -> None:
        with self._lock:
            held = self._held.get(self._id(key))
            if held is not None:
                held.active = now
                if class_code is not None:
                    held.class_code = class_code

    def end(self, key: str) -> None:
        with self._lock:
            self._held.pop(self._id(key), None)


def sessions() -> Sessions:
    return process.once("dashboard sessions", Sessions)


@cache
def _keeper():
    """Registered once per process (its definition is immutable, shared safely)."""
    return st.components.v2.component("dropout_lab_dashboard_keeper",
                                      html="<span hidden></span>", js=_JS)  # fmt: skip


def issue(digest: str) -> str:
    """A key for the dashboard just opened with the token; the tab keeps it."""
    st.session_state.pop(session.DASHBOARD_FORGET, None)
    return sessions().issue(digest, time.time())


def reopen() -> dict | None:
    """The dashboard's access again, from the key this tab handed back after a reload."""
    sent = st.session_state.get(session.DASHBOARD_KEEPER)
    key = sent.get("key") if isinstance(sent, dict) else None
    if not isinstance(key, str) or not key or st.session_state.get(session.DASHBOARD_FORGET):
        return None
    held = sessions().resume(key[:200], settings.idle_seconds(), time.time())
    if held is None or not settings.digest_ok(held.digest):
        st.session_state[session.DASHBOARD_FORGET] = True  # the tab drops the stale key
        return None
    auth = {"digest": held.digest, "active": time.time(), "key": key, "class": held.class_code}
    st.session_state[session.DASHBOARD_AUTH] = auth
    return auth


def end(auth: object) -> None:
    """The dashboard locked: its key opens nothing any more, and the tab forgets it."""
    if isinstance(auth, dict) and isinstance(auth.get("key"), str):
        sessions().end(auth["key"])
    st.session_state[session.DASHBOARD_FORGET] = True


def keep(auth: dict | None) -> None:
    """Mount the keeper (every run of the page): it stores the open dashboard's key in the tab,
    or hands a stored one back, or forgets it once the dashboard is locked."""
    key = auth.get("key") if isinstance(auth, dict) else None
    if key:  # the table's last activity is the session's (a refresh is none)
        sessions().touch(key, float(auth.get("active", 0.0)))
    data = {"keep": key or "", "forget": bool(st.session_state.get(session.DASHBOARD_FORGET))}
    _keeper()(key=session.DASHBOARD_KEEPER, data=data, default={"key": ""},
              on_key_change=lambda: None)  # fmt: skip


def remember_class(class_code: str) -> None:
    """The class shown, so that a reload shows it again."""
    auth = st.session_state.get(session.DASHBOARD_AUTH)
    if isinstance(auth, dict) and auth.get("key"):
        auth["class"] = class_code
        sessions().touch(auth["key"], float(auth.get("active", 0.0)), class_code)


def class_code() -> str:
    """The class this dashboard session showed before a reload ("" if none)."""
    auth = st.session_state.get(session.DASHBOARD_AUTH)
    return str(auth.get("class") or "") if isinstance(auth, dict) else ""
