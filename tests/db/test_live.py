"""The live class in the store on SQLite and PostgreSQL (issue 27): a vote after the close is
refused by the database, one vote per learner and round (the first stays), two votes at once
from one learner count once, a vote racing the close either counts before it or is refused,
the projector sees counts but no distribution before the reveal, and the class's votes in one
read, gone with their learner."""

from __future__ import annotations

import threading

import pytest

from dropout_lab.store import Store
from dropout_lab.store import live as lv
from dropout_lab.store.live import LiveQueries


def _round(
    store: Store, live: LiveQueries, class_code: str = "C1", question: str = "quiz:q1"
) -> int:
    sid = live.start_live(class_code)
    assert live.ask(sid, question)
    assert live.advance(sid, "asked", "vote1")
    someone = store.join(f"probe-{class_code}", class_code)
    got = live.open_round(someone.id)
    assert got is not None and got.number == 1 and got.question_id == question
    return got.round_id


def test_a_whole_question_through_its_stages(store: Store, live: LiveQueries) -> None:
    ada, bob = store.join("Ada", "C1"), store.join("Bob", "c1")
    sid = live.start_live("C1")
    assert live.start_live("c1") == sid == live.running_live("C1")  # one running per class
    assert live.open_round(ada.id) is None
    assert live.ask(sid, "prediction:build-shape")
    assert live.advance(sid, "asked", "vote1")
    r1 = live.open_round(ada.id)
    assert live.vote(ada.id, r1.round_id, "climb") == lv.COUNTED
    assert live.vote(bob.id, r1.round_id, "level") == lv.COUNTED
    assert live.open_round(ada.id).voted == "climb"
    view = live.live_view(sid)
    assert view.stage == "vote1" and view.rounds[0].answered == 2
    assert view.rounds[0].counts is None  # nothing of the distribution before it is shown
    assert live.advance(sid, "vote1", "closed1")
    assert live.live_view(sid).rounds[0].counts is None
    assert live.advance(sid, "closed1", "shown1")
    assert live.live_view(sid).rounds[0].counts == {"climb": 1, "level": 1}
    for a, b in (("shown1", "discuss"), ("discuss", "vote2")):
        assert live.advance(sid, a, b)
    r2 = live.open_round(bob.id)
    assert r2.number == 2 and r2.voted is None
    assert live.vote(bob.id, r2.round_id, "climb") == lv.COUNTED
    for a, b in (("vote2", "closed2"), ("closed2", "shown2"), ("shown2", "answer")):
        assert live.advance(sid, a, b)
    view = live.live_view(sid)
    assert [(r.number, r.state, r.answered, r.counts) for r in view.rounds] == [
        (1, lv.REVEALED, 2, {"climb": 1, "level": 1}),
        (2, lv.REVEALED, 1, {"climb": 1}),
    ]
    votes = live.class_live_votes("C1")
    assert [(v["name"], v["round"], v["choice"]) for v in votes] == [
        ("Ada", 1, "climb"), ("Bob", 1, "level"), ("Bob", 2, "climb"),
    ]  # fmt: skip
    live.end_live(sid)
    assert live.running_live("C1") is None


def test_stages_move_only_in_order_and_once(store: Store, live: LiveQueries) -> None:
    sid = live.start_live("C1")
    assert live.ask(sid, "quiz:q1")
    with pytest.raises(ValueError):
        live.advance(sid, "asked", "shown1")
    assert live.advance(sid, "asked", "vote1")
    assert not live.advance(sid, "asked", "vote1")  # a second tab's click: nothing happens
    assert not live.ask(sid, "quiz:q1")  # asked before in this session
    assert live.ask(sid, "quiz:q2")  # a new question closes the open round
    assert live.live_view(sid).stage == "asked"
    live.end_live(sid)
    assert not live.advance(sid, "asked", "vote1")


def test_a_vote_after_the_close_is_refused_by_the_store(store: Store, live: LiveQueries) -> None:
    rid = _round(store, live)
    ada, eve = store.join("Ada", "C1"), store.join("Eve", "C2")
    sid = live.running_live("C1")
    assert live.vote(eve.id, rid, "0") == lv.NOT_IN_CLASS
    assert live.advance(sid, "vote1", "closed1")
    assert live.vote(ada.id, rid, "0") == lv.NOT_OPEN
    assert live.open_round(ada.id) is None
    assert live.live_view(sid).rounds[0].answered == 0
    assert live.vote(ada.id, 10_000, "0") == lv.NOT_OPEN


def test_one_vote_per_learner_and_round_the_first_stays(store: Store, live: LiveQueries) -> None:
    rid = _round(store, live)
    ada = store.join("Ada", "C1")
    assert live.vote(ada.id, rid, "1") == lv.COUNTED
    assert live.vote(ada.id, rid, "2") == lv.AGAIN
    assert live.open_round(ada.id).voted == "1"
    with pytest.raises(ValueError):
        live.vote(ada.id, rid, "not a key!")


def _at_once(*calls) -> list:
    barrier = threading.Barrier(len(calls))
    out: list = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        out[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def test_two_votes_at_once_from_one_learner_count_once(store: Store, live: LiveQueries) -> None:
    for k in range(5):
        rid = _round(store, live, f"K{k}")
        ada = store.join("Ada", f"K{k}")
        got = _at_once(*(lambda c=c, a=ada.id, r=rid: live.vote(a, r, c) for c in "01"))
        assert sorted(got) == [lv.AGAIN, lv.COUNTED]
        assert live.live_view(live.running_live(f"K{k}")).rounds[0].answered == 1


def test_votes_racing_the_close_count_only_if_they_came_first(
    store: Store, live: LiveQueries
) -> None:
    rid = _round(store, live)
    sid = live.running_live("C1")
    people = [store.join(f"L{i}", "C1") for i in range(8)]
    calls = [lambda p=p: live.vote(p.id, rid, "0") for p in people]
    got = _at_once(*calls, lambda: live.advance(sid, "vote1", "closed1"))
    counted = got[:-1].count(lv.COUNTED)
    assert got[-1] is True and set(got[:-1]) <= {lv.COUNTED, lv.NOT_OPEN}
    assert live.live_view(sid).rounds[0].answered == counted  # nothing slipped in after
    assert live.vote(people[0].id, rid, "1") in (lv.NOT_OPEN,)


def test_votes_go_with_their_learner(store: Store, live: LiveQueries) -> None:
    rid = _round(store, live)
    ada = store.join("Ada", "C1")
    assert live.vote(ada.id, rid, "0") == lv.COUNTED
    store.remove_learner(ada.id)
    assert live.class_live_votes("C1") == []


def test_two_app_processes_follow_one_live_session(
    store: Store, store_url: str, live: LiveQueries
) -> None:
    """Two stores on one URL, as two app processes behind a load balancer: the instructor's and
    a learner's in one, the projector's in the other. A vote through one is counted on the
    other's projector; the close through the other refuses the next vote through the first."""
    other = LiveQueries(store_url)
    try:
        ada, bob = store.join("Ada", "C2"), store.join("Bob", "C2")
        sid = live.start_live("C2")
        assert other.running_live("c2") == sid
        assert live.ask(sid, "quiz:q1") and live.advance(sid, "asked", "vote1")
        got = other.open_round(ada.id)  # Ada's page is served by the other process
        assert got is not None and got.number == 1
        assert other.vote(ada.id, got.round_id, "1") == lv.COUNTED
        assert live.live_view(sid).rounds[0].answered == 1  # seen by the first process
        assert other.advance(sid, "vote1", "closed1")  # the instructor's tab on the other one
        assert not live.advance(sid, "vote1", "closed1")  # a second tab: nothing moves
        assert live.vote(bob.id, got.round_id, "0") == lv.NOT_OPEN
        assert other.advance(sid, "closed1", "shown1")
        assert live.live_view(sid).rounds[0].counts == {"1": 1}
    finally:
        other.close()


@pytest.fixture
def live(store: Store) -> LiveQueries:
    """The live class's own repository, on the test's database."""
    return LiveQueries(store.url)
