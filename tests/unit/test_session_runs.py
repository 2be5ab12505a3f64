"""An anonymous session's waiting runs end with the session (ui/session_runs.py): the sweep
withdraws them only after the session has been gone for the reconnect grace period, only for
sessions of this process, and never a joined learner's lane."""

from __future__ import annotations

from dropout_lab.ui.session_runs import SessionRuns


class Queue:
    def __init__(self) -> None:
        self.withdrawn: list[str] = []

    def withdraw_waiting(self, lane: str) -> int:
        self.withdrawn.append(lane)
        return 1


def sweeper(active: set[str], queue: Queue, grace: float = 120.0) -> SessionRuns:
    return SessionRuns(lambda sid: sid in active, queue.withdraw_waiting, grace)


def test_a_session_is_swept_only_after_the_grace_period() -> None:
    active, queue = {"a", "b"}, Queue()
    runs = sweeper(active, queue)
    runs.asked("session:a")
    runs.asked("session:b")
    runs.asked("learner:7")  # a joined learner's lane is never this sweeper's
    assert runs.sweep(now=0.0) == []
    active.discard("a")  # a's tab closed
    assert runs.sweep(now=10.0) == []  # first seen gone: it may yet reconnect
    assert runs.sweep(now=129.0) == []
    assert runs.sweep(now=130.0) == ["session:a"]
    assert queue.withdrawn == ["session:a"]
    assert runs.sweep(now=1000.0) == []  # swept once; b is still here


def test_a_session_that_reconnects_within_the_grace_period_keeps_its_runs() -> None:
    active, queue = {"a"}, Queue()
    runs = sweeper(active, queue)
    runs.asked("session:a")
    active.clear()
    runs.sweep(now=0.0)
    active.add("a")  # a network blip: the browser reconnected to its session
    runs.sweep(now=60.0)
    active.clear()
    runs.sweep(now=100.0)
    assert runs.sweep(now=219.0) == []  # the clock started again at 100
    assert runs.sweep(now=220.0) == ["session:a"]
