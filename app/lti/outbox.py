"""The scores outbox's sender: progress in the store becomes scores in the LMS's gradebook.

One daemon thread per server process (started with the LTI server, `start`), every `EVERY`
seconds:

1. sweep: the learners linked to an LMS gradebook whose progress, quiz answers or lab grades
   changed since the last sweep get their score computed (lesson/score.py, the lesson file's
   [grading]); a score that differs from the one stored is stored as due (`lti_scores_outbox`);
2. send: the due scores are claimed (a lease, so two processes never post one twice at once) and
   posted through PyLTI1p3 (services.put_score). A failure (the LMS down, slow, refusing) keeps
   the score due and sets its next try after an exponential back-off: `RETRY_BASE * 2**attempts`
   seconds, at most `RETRY_CAP`, so a learner's page never waits for the LMS and nothing is lost.

A score replaced by a newer one while it was being posted stays due (the store marks sent only
the score that was posted), so the LMS always ends with the latest."""

from __future__ import annotations

import logging
import os
import threading
import time
import typing as t

from dropout_lab.lesson import score as scoring
from dropout_lab.lti import services

log = logging.getLogger(__name__)
EVERY = 2.0  # seconds between rounds
RETRY_BASE, RETRY_CAP = 2.0, 3600.0  # seconds
BASE_ENV = "DROPOUT_LAB_LTI_RETRY_SECONDS"  # the back-off's first wait (tests shorten it)
LEASE = 120.0  # a claimed score is another sender's again after this long
OVERLAP = 2.0  # seconds a sweep looks back before the last one began (clock ties)


def retry_in(attempts: int, base: float = RETRY_BASE) -> float:
    """Seconds before the next try of a score that failed `attempts` times before this one."""
    return min(RETRY_CAP, base * 2.0 ** min(attempts, 30))


def facts(store: t.Any, learner_id: int) -> scoring.Facts:
    """What the store holds of a learner, as lesson/score.py reads it."""
    grades = {item: bool((w.get("grade") or {}).get("passed"))
              for item, w in store.work(learner_id).items() if w.get("grade")}  # fmt: skip
    return scoring.Facts(store.progress(learner_id),
                         {i: ok for i, (_c, ok) in store.quiz_answers(learner_id).items()},
                         grades)  # fmt: skip


class Sender:
    """Sweeps the store for changed scores and sends the due ones (`round`)."""

    def __init__(self, store: t.Any, tool_conf: t.Callable[[], t.Any],
                 weights: scoring.Weights, labels: t.Mapping[str, str]) -> None:  # fmt: skip
        self.store, self.tool_conf, self.weights, self.labels = store, tool_conf, weights, labels
        self.base = float(os.environ.get(BASE_ENV) or RETRY_BASE)
        self._since: float | None = None  # None: every linked learner (a first sweep)

    def sweep(self) -> int:
        """Store the changed scores as due; how many were stored."""
        began = time.time()
        queued = 0
        for learner_id, links in self.store.lti_grade_links(self._since).items():
            known = facts(self.store, learner_id)
            for link in links:
                got = scoring.score(known, link.target, self.weights)
                if got.started and self.store.lti_queue_score(learner_id, link.link_id, got):
                    queued += 1
        self._since = began - OVERLAP
        return queued

    def send(self) -> int:
        """Post the due scores; how many arrived."""
        sent, connectors, conf = 0, {}, None
        for due in self.store.lti_claim_scores(LEASE):
            key = (due.link.platform, due.link.client_id)
            try:
                if key not in connectors:
                    conf = conf or self.tool_conf()  # the keys as they are now (rotation)
                    connectors[key] = services.connector(conf, *key)
                label = self.labels.get(due.link.target, due.link.target)
                services.put_score(connectors[key], due.link, due.score, due.scored_at, label)
            except Exception as e:  # the LMS down, slow or refusing: try again later
                wait = retry_in(due.attempts, self.base)
                log.warning("LTI score not sent (try %d, next in %.0f s): %s", due.attempts + 1,
                            wait, _said(e))  # fmt: skip
                self.store.lti_score_failed(due, _said(e), wait)
                continue
            self.store.lti_score_sent(due)
            sent += 1
        return sent

    def round(self) -> int:
        try:
            self.sweep()
        except Exception as e:  # the database: the next round tries again
            log.error("LTI score sweep failed: %s", type(e).__name__)
        try:
            return self.send()
        except Exception as e:
            log.error("LTI score sending failed: %s", type(e).__name__)
            return 0


def _said(e: Exception) -> str:
    """What failed, without tokens: the exception's kind and, for an HTTP answer, its status."""
    status = getattr(getattr(e, "response", None), "status_code", None)
    arg = e.args[0] if e.args else None
    status = status or getattr(arg, "status_code", None)
    return f"{type(e).__name__}" + (f" (HTTP {status})" if status else "")


class SenderThread:
    """The sender's thread; `stop()` ends it (at the process's exit)."""

    def __init__(self, sender: Sender, every: float = EVERY) -> None:
        self.sender, self.every = sender, every
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="lti-scores", daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sender.round()
            self._stop.wait(self.every)

    def stop(self) -> None:
        self._stop.set()
        self.thread.join(timeout=30)


def start(store: t.Any, tool_conf: t.Callable[[], t.Any], weights: scoring.Weights,
          labels: t.Mapping[str, str]) -> SenderThread:  # fmt: skip
    return SenderThread(Sender(store, tool_conf, weights, labels))
