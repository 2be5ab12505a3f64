"""Issue 24: on PostgreSQL an idle worker is woken by the queue's own notification
(LISTEN/NOTIFY), not by its next look. The wait here looks again only after 120 s, so a wait that
ends within a minute of a request was ended by the request."""

from __future__ import annotations

import threading

from dropout_lab.store.runqueue import RunQueue
from dropout_lab.training.worker import idle_wait

SPEC, CONFIG = {"input_dim": 10, "layers": []}, {"epochs": 3}


def test_an_idle_worker_on_postgresql_wakes_when_a_run_is_asked_for(fresh_pg_url: str) -> None:
    queue = RunQueue(fresh_pg_url)
    with idle_wait(fresh_pg_url, every=120.0) as wait:  # listening from here on
        waiting = threading.Thread(target=wait, daemon=True)
        waiting.start()
        queue.queue_submit("k1", "learner:1", SPEC, CONFIG, 1.0)
        waiting.join(60)
        assert not waiting.is_alive(), "the request did not wake the idle worker"
        claim = queue.queue_claim("w1")
        assert claim is not None and claim.key == "k1"

        waiting = threading.Thread(target=wait, daemon=True)
        waiting.start()
        queue.queue_finish("k1", "w1", "done")  # a lane's run ends: its next may train now
        waiting.join(60)
        assert not waiting.is_alive(), "a finished run did not wake the idle worker"
