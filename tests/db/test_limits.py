"""Limits that protect the class (issue 22), on SQLite and PostgreSQL: wrong codes and tokens
count per (target, client); a right secret always opens, whoever guessed before from the same
address; joining counts learners created per client, without escalating."""

from __future__ import annotations

import pytest

from dropout_lab.store import Store
from dropout_lab.store.limits import JOIN_LIMIT, LIMIT, join_limit
from dropout_lab.store.runqueue import RunQueue

NAT = "ip:203.0.113.7"  # one classroom behind one address


def _wrong(_conn):
    return None


def test_a_classmates_wrong_codes_never_keep_a_learner_from_their_own(store: Store) -> None:
    ada, bob = store.enrol("Ada", "C1"), store.enrol("Bob", "C1")
    at_ada = f"{ada.learner.id}-" + "0" * 20
    for _ in range(LIMIT.per_window):  # Bob guesses Ada's code from the class's address
        got = store.resume(at_ada, NAT)
    assert not got.ok and got.wait == pytest.approx(LIMIT.first_wait, abs=5)
    assert store.wait_for("resume", str(ada.learner.id), NAT) > 0
    assert store.resume(ada.code, NAT).value.learner == ada.learner  # Ada: in, at once
    assert store.resume(bob.code, NAT).ok  # and the guesser's own code works too
    assert store.wait_for("resume", str(bob.learner.id), NAT) == 0  # another target: no wait
    assert store.wait_for("resume", str(ada.learner.id), "ip:198.51.100.1") == 0
    assert store.wait_for("token", "dashboard", NAT) == 0  # nor another kind of secret
    still = store.resume(at_ada, NAT)  # the guesser is still told to wait
    assert not still.ok and still.wait > LIMIT.first_wait - 10


def test_a_classmates_wrong_tokens_never_keep_the_instructor_out(store: Store) -> None:
    def token(given: str):
        return lambda _conn: "in" if given == "right" else None

    for n in range(3 * LIMIT.per_window):
        got = store.attempt("token", "dashboard", NAT, token(f"guess-{n}"))
        assert not got.ok
    assert got.wait > 0
    assert store.attempt("token", "dashboard", NAT, token("right")).value == "in"


def test_wrong_tries_wait_longer_each_time_and_are_forgiven(store: Store) -> None:
    t, target, client = 1_000_000.0, "dashboard", "ip:8.8.8.8"
    waits = [store.attempt("token", target, client, _wrong, now=t + i).wait for i in range(10)]
    assert waits[:9] == [0] * 9 and waits[9] == LIMIT.first_wait
    assert store.attempt("token", target, client, lambda _c: "yes", now=t + 12).value == "yes"
    t += 10 + LIMIT.first_wait
    assert store.attempt("token", target, client, _wrong, now=t).wait == 2 * LIMIT.first_wait
    assert store.attempt("token", target, client, _wrong, now=t + 1).wait > 0  # still waiting
    t += 2 * LIMIT.first_wait
    assert store.attempt("token", target, client, _wrong, now=t).wait == 4 * LIMIT.first_wait
    for _ in range(10):  # the wait grows no further than max_wait
        t += LIMIT.max_wait
        last = store.attempt("token", target, client, _wrong, now=t).wait
    assert last == LIMIT.max_wait
    t += LIMIT.max_wait + LIMIT.forgive_after + 1  # an hour without a wrong try: forgiven
    assert store.attempt("token", target, client, _wrong, now=t).wait == 0
    with pytest.raises(ValueError, match="scope"):
        store.attempt("other", target, client, _wrong)
    with pytest.raises(ValueError, match="target"):
        store.attempt("token", "", client, _wrong)


def test_joins_are_counted_per_client_and_wait_for_the_window_only(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DROPOUT_LAB_JOINS_PER_MINUTE", raising=False)
    assert join_limit() == JOIN_LIMIT
    t = 2_000_000.0
    waits = [store.spend("join", "*", NAT, now=t + i / 10) for i in range(JOIN_LIMIT.per_window)]
    assert waits[:-1] == [0] * (JOIN_LIMIT.per_window - 1)
    assert waits[-1] == pytest.approx(JOIN_LIMIT.window - (JOIN_LIMIT.per_window - 1) / 10)
    assert store.wait_for("join", "*", NAT, now=t + 30) == pytest.approx(JOIN_LIMIT.window - 30)
    assert store.wait_for("join", "*", "ip:198.51.100.1", now=t + 30) == 0  # another client
    t += JOIN_LIMIT.window  # the next minute: a class goes on joining, no longer wait
    assert store.wait_for("join", "*", NAT, now=t) == 0
    assert store.spend("join", "*", NAT, now=t) == 0
    monkeypatch.setenv("DROPOUT_LAB_JOINS_PER_MINUTE", "3")
    assert join_limit().per_window == 3
    assert [store.spend("join", "*", "ip:10.0.0.9", now=t + i) for i in range(3)][-1] > 0


def test_removing_a_learner_deletes_their_work_and_withdraws_their_runs(store: Store) -> None:
    queue = RunQueue(store.url)  # the queue's own repository, on the same database
    ada, bob = store.enrol("Ada", "C9"), store.enrol("Bob", "C9")
    a, b = ada.learner.id, bob.learner.id
    for who in (a, b):
        store.record(who, "explore", "rate")
        store.save_quiz_answer(who, "q-one", 1, True)
        store.save_reflection(who, "q1", "words")
        store.save_submission(who, "overfit", "Dropout(0.3)", {"layers": []},
                              {"run_key": f"k{who}", "rates": [0.3]})  # fmt: skip
    queue.queue_submit("ka", f"learner:{a}", {}, {"epochs": 3}, 1.0)
    queue.queue_submit("kb", f"learner:{b}", {}, {"epochs": 3}, 1.0)
    gone = store.remove_learner(a)
    assert gone == ada.learner and store.remove_learner(a) is None
    assert store.learner(a) is None and not store.resume(ada.code, NAT).ok
    assert not (store.progress(a) or store.quiz_answers(a) or store.reflections(a))
    assert not store.submissions(a)
    assert [r["key"] for r in queue.lane_requests(f"learner:{a}") if r["state"] == "queued"] == []
    assert queue.queue_interest("ka") == 0 and queue.queue_interest("kb") == 1
    assert store.learner(b) == bob.learner and store.submissions(b) and store.reflections(b)
    assert [p.name for p in store.class_learners("C9")] == ["Bob"]


def test_many_anonymous_sessions_of_one_client_get_bounded_queue_places(store: Store) -> None:
    """Issue 22: each page load is a new session lane; one client opening many got a queue
    place in each. Now its not-joined sessions hold `cap` places together; joined learners
    behind the same address (one place each) and other clients are not held up."""
    queue = RunQueue(store.url)  # the queue's own repository, on the same database
    from dropout_lab.store.runqueue import QueueFull

    cap = 3
    for n in range(cap):
        queue.queue_submit(f"k{n}", f"session:s{n}", {}, {"epochs": 3}, 1.0, client=NAT,
                           client_cap=cap)  # fmt: skip
    with pytest.raises(QueueFull):
        queue.queue_submit("k9", "session:s9", {}, {"epochs": 3}, 1.0, client=NAT, client_cap=cap)
    assert queue.queue_interest("k9") == 0  # nothing stored
    again = queue.queue_submit(
        "k5", "session:s0", {}, {"epochs": 3}, 1.0, client=NAT, client_cap=cap
    )  # a session replacing its own run: no new place
    assert again.withdrawn == ("k0",)
    ada = store.enrol("Ada", "C1").learner
    queue.queue_submit("ka", f"learner:{ada.id}", {}, {"epochs": 3}, 1.0, client=NAT,
                       client_cap=cap)  # a joined learner behind the same address  # fmt: skip
    queue.queue_submit("kx", "session:elsewhere", {}, {"epochs": 3}, 1.0,
                       client="ip:198.51.100.1", client_cap=cap)  # fmt: skip
    queue.queue_withdraw("k1", "session:s1")  # one finished or stopped: a place is free
    queue.queue_submit("k9", "session:s9", {}, {"epochs": 3}, 1.0, client=NAT, client_cap=cap)
    assert queue.queue_interest("k9") == 1
