"""An anonymous session's waiting runs end with the session (issue 22).

A browser session that has not joined a class trains in a lane of its own (`session:<id>`). When
its tab closes, nobody will ever look at those runs again, yet its queued requests kept their
places and trained after the session was gone: one client opening many tabs, then closing them,
held the class's workers. This sweeper, one thread per app process, withdraws the *queued*
requests of this process's sessions that Streamlit no longer knows. A running one is left to
finish (its result is shared through the run store), and nothing of a joined learner is touched:
their lane is `learner:<id>`, acknowledged work they come back to.

Streamlit has no public "session ended" hook. Its runtime does say which sessions are active
(`Runtime.instance().is_active_session`, public on the Runtime since 1.x), and a disconnected
session may reconnect for `server.disconnectedSessionTTL` seconds (a network blip, a laptop lid):
a session is swept only after it has been inactive for that long. Only sessions this process
submitted for are looked at, so app processes sharing one PostgreSQL queue never sweep each
other's learners.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from dropout_lab.ui import process

log = logging.getLogger(__name__)

SESSION_LANE = "session:"
SWEEP_EVERY = 10.0  # seconds between looks; a closed tab's places free within TTL + this


class SessionRuns:
    """The sessions of this process that asked for runs, and the thread that sweeps them."""

    def __init__(self, is_active: Callable[[str], bool], withdraw_waiting: Callable[[str], int],
                 grace: float, every: float = SWEEP_EVERY) -> None:  # fmt: skip
        self._is_active, self._withdraw = is_active, withdraw_waiting
        self.grace, self.every = grace, every
        self._lock = threading.Lock()
        self._sessions: dict[str, float | None] = {}  # session id -> first seen inactive
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def asked(self, lane: str) -> None:
        """A session lane of this process asked for a run."""
        if lane.startswith(SESSION_LANE):
            with self._lock:
                self._sessions[lane.removeprefix(SESSION_LANE)] = None

    def sweep(self, now: float | None = None) -> list[str]:
        """Withdraw the waiting runs of sessions inactive for longer than the grace period;
        return their lanes."""
        now = time.monotonic() if now is None else now
        ended = []
        with self._lock:
            for sid, since in list(self._sessions.items()):
                if self._is_active(sid):
                    self._sessions[sid] = None
                elif since is None:
                    self._sessions[sid] = now
                elif now - since >= self.grace:
                    del self._sessions[sid]
                    ended.append(SESSION_LANE + sid)
        for lane in ended:
            count = self._withdraw(lane)
            if count:
                log.info("withdrew %d waiting run(s) of an ended session", count)
        return ended

    def start(self) -> SessionRuns:
        self._thread = threading.Thread(target=self._loop, name="session-runs", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.sweep()
            except Exception:  # a database hiccup: the next sweep tries again
                log.warning("sweeping ended sessions' runs failed", exc_info=True)


def _make() -> SessionRuns:
    from streamlit import config
    from streamlit.runtime import Runtime

    from dropout_lab.store.runqueue import RunQueue
    from dropout_lab.ui import learners

    def is_active(session_id: str) -> bool:
        return Runtime.exists() and Runtime.instance().is_active_session(session_id)

    grace = float(config.get_option("server.disconnectedSessionTTL"))
    queue = RunQueue(learners.store().url)  # the learners' database holds the queue too
    return SessionRuns(is_active, queue.queue_withdraw_waiting, grace).start()


def asked(lane: str) -> None:
    """Note that `lane` (this session's) asked for a run; starts the sweeper on first use."""
    if lane.startswith(SESSION_LANE):
        process.once("session-runs", _make, SessionRuns.close).asked(lane)
