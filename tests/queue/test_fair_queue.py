"""The queue tables on SQLite and PostgreSQL: stored before acknowledged, one live run per
learner, lanes in turn, shared runs never ahead of learners, dead workers' runs queued again."""

from __future__ import annotations

from dropout_lab.store.runqueue import RunQueue
from tests.support import wait

SPEC, CONFIG = {"input_dim": 10, "layers": []}, {"epochs": 5}


def submit(store: RunQueue, key: str, lane: str, *, replace: bool = True, cost: float = 1.0,
           paired: bool = False):  # fmt: skip
    return store.queue_submit(key, lane, SPEC, CONFIG, cost, replace=replace, paired=paired)


def states(store: RunQueue, lane: str) -> list[tuple[str, str]]:
    return [(r["key"], r["state"]) for r in reversed(store.lane_requests(lane))]


def test_a_request_is_stored_before_it_is_acknowledged(store_url: str) -> None:
    submit(RunQueue(store_url), "k1", "learner:1")
    again = RunQueue(store_url)  # another process, or the same one after a restart
    assert again.queue_view("k1")["request"]["state"] == "queued"
    assert [q["key"] for q in again.queue_order()[0]] == ["k1"]


def test_a_new_request_replaces_the_learners_live_one_and_keeps_its_place(store_url) -> None:
    store = RunQueue(store_url)
    submit(store, "a", "learner:1")
    submit(store, "b", "learner:2")
    done = submit(store, "a2", "learner:1")  # the same learner presses Train again
    assert done.withdrawn == ("a",)
    assert states(store, "learner:1") == [("a", "withdrawn"), ("a2", "queued")]
    assert [q["key"] for q in store.queue_order()[0]] == ["a2", "b"]  # a's place in the ring
    assert submit(store, "a2", "learner:1").again  # the same run again: nothing new
    claim = store.queue_claim("w1")
    assert claim.key == "a2"
    submit(store, "a3", "learner:1")  # while a2 trains: a2 is withdrawn (its worker stops it)
    assert store.queue_interest("a2") == 0
    assert states(store, "learner:1")[-2:] == [("a2", "withdrawn"), ("a3", "queued")]


def test_lanes_are_taken_in_turn_not_first_come(store_url: str) -> None:
    store = RunQueue(store_url)
    for k in ("a1", "a2", "a3"):  # one lane's three runs (a press of several runs)
        submit(store, k, "learner:1", replace=False)
    submit(store, "b", "learner:2")
    submit(store, "c", "learner:3")
    order = [store.queue_claim("w1").key, store.queue_claim("w2").key]
    assert order == ["a1", "b"]  # a learner trains one run at a time
    assert store.queue_claim("w3").key == "c"
    assert store.queue_claim("w4") is None  # a2 waits for a1: its lane is busy
    store.queue_finish("a1", "w1", "done")
    order += ["c", store.queue_claim("w1").key]
    assert order == ["a1", "b", "c", "a2"]  # FIFO would have been a1 a2 a3 b c


def test_a_pair_asked_for_together_trains_at_once_when_two_workers_are_free(store_url) -> None:
    """Issue 23: "Train both" trained the learner's two models one after the other even with a
    free core. The pair's second run trains beside the first; a third run of the lane does not,
    and the pair never jumps another lane's turn."""
    store = RunQueue(store_url)
    submit(store, "mine", "learner:1")
    submit(store, "starter", "learner:1", replace=False, paired=True)  # one press: Train both
    assert [store.queue_claim("w1").key, store.queue_claim("w2").key] == ["mine", "starter"]
    submit(store, "third", "learner:1", replace=False)  # not of the pair: it waits its turn
    assert store.queue_claim("w3") is None
    store.queue_finish("mine", "w1", "done")
    store.queue_finish("starter", "w2", "done")
    assert store.queue_claim("w1").key == "third"

    submit(store, "a", "learner:2")
    submit(store, "a-starter", "learner:2", replace=False, paired=True)
    submit(store, "b", "learner:3")  # another learner waits too
    order = [store.queue_claim(f"w{i}").key for i in (2, 3, 4)]
    assert order == ["a", "b", "a-starter"]  # served lanes go to the back of the ring
    again = submit(store, "a2", "learner:2")  # pressing Train again withdraws the whole pair
    assert set(again.withdrawn) == {"a", "a-starter"}


def test_shared_runs_never_starve_learners(store_url: str) -> None:
    store = RunQueue(store_url)
    for i in range(20):  # the Compare step's precompute, asked for first
        submit(store, f"s{i}", "shared", replace=False)
    wait.pause(0.01)  # the learners' requests come later: their times differ
    for i in range(3):
        submit(store, f"l{i}", f"learner:{i}")
    claims = [store.queue_claim(f"w{i}").key for i in range(4)]
    assert claims == ["s0", "l0", "l1", "l2"]  # one shared run, then every learner in turn
    assert store.queue_claim("w9").key == "s1"  # and the shared lane is not starved either


def test_identical_requests_are_trained_once(store_url: str) -> None:
    store = RunQueue(store_url)
    assert not submit(store, "k", "learner:1").attached
    assert submit(store, "k", "learner:2").attached
    assert store.queue_claim("w1").key == "k"
    assert store.queue_claim("w2") is None  # nobody else trains k
    assert submit(store, "k", "learner:3").attached  # joins the run under way
    assert store.queue_withdraw("k", "learner:1") is False  # others still want it
    store.queue_finish("k", "w1", "done")
    assert {s for _, s in states(store, "learner:2") + states(store, "learner:3")} == {"done"}


def test_a_dead_workers_runs_go_back_in_the_queue_then_fail_after_three_crashes(
    store_url: str,
) -> None:
    store = RunQueue(store_url)
    submit(store, "k", "learner:1")
    for attempt in range(3):
        store.worker_beat(f"w{attempt}", "elsewhere", 1)
        assert store.queue_claim(f"w{attempt}").key == "k"
        store.queue_progress("k", f"w{attempt}", 2, {"loss": [1.0, 0.9]})
        assert store.queue_recover(stale_seconds=60, max_attempts=3, error="x") == []  # alive
        requeued = store.queue_recover(
            stale_seconds=60, max_attempts=3, error="crashed", is_dead=lambda h, p: True
        )
        assert requeued == (["k"] if attempt < 2 else [])
    view = store.queue_view("k")
    assert view["request"]["state"] == "failed" and view["request"]["error"] == "crashed"


def test_a_run_its_lane_replaced_holds_the_lane_until_its_worker_has_stopped_it(
    store_url: str,
) -> None:
    """A learner pressing Train again from another tab: the run they replaced stops at its next
    epoch; until its worker lets go, the new one waits rather than training beside it (found by
    the ten-sessions flood on procrastinate). A run the lane let go that others still want
    does not hold it."""
    store = RunQueue(store_url)
    submit(store, "a", "learner:1")
    assert store.queue_claim("w1").key == "a"
    submit(store, "a2", "learner:1")  # replaces a: nobody wants a now, w1 stops it
    assert store.queue_claim("w2") is None
    store.queue_finish("a", "w1", "stopped")
    assert store.queue_claim("w2").key == "a2"

    submit(store, "s", "learner:2")
    submit(store, "s", "learner:3")  # the same run, wanted by two learners
    assert store.queue_claim("w3").key == "s"
    submit(store, "b2", "learner:2", replace=True)  # learner 2 lets s go; learner 3 keeps it
    assert store.queue_claim("w4").key == "b2"


def test_a_lease_held_by_a_stalled_job_is_released_and_counted_as_a_crash(store_url) -> None:
    """On procrastinate a lease names its job (`job:<id>@host:pid`); when procrastinate finds
    the job stalled, `queue_release` hands back exactly the runs that job held."""
    store = RunQueue(store_url)
    submit(store, "k", "learner:1")
    submit(store, "j", "learner:2")
    assert store.queue_claim("job:7@m:1").key == "k"
    assert store.queue_claim("job:71@m:2").key == "j"
    gone = store.queue_release(lambda h: h.startswith("job:7@"), max_attempts=3, error="x")
    assert gone == ["k"]
    assert store.queue_view("k")["request"]["state"] == "queued"
    assert store.queue_view("k")["request"]["attempts"] == 1
    assert store.queue_view("j")["progress"]["worker"] == "job:71@m:2"  # another job's: kept
    assert store.queue_claim("job:8@m:3").key == "k"


def test_an_interrupted_attempt_waits_again_where_it_was(store_url: str) -> None:
    store = RunQueue(store_url)
    submit(store, "k", "learner:1")
    submit(store, "j", "learner:2")
    assert store.queue_claim("w1").key == "k"
    store.queue_finish("k", "w1", "interrupted")  # the server shut down mid-run
    request = store.queue_view("k")["request"]
    assert (request["state"], request["interrupted"], request["attempts"]) == ("queued", 1, 0)
    assert [q["key"] for q in store.queue_order()[0]] == ["k", "j"]


def test_an_ended_sessions_waiting_runs_are_withdrawn_its_running_one_finishes(
    store_url: str,
) -> None:
    store = RunQueue(store_url)
    submit(store, "s1", "session:abc")
    submit(store, "s2", "session:abc", replace=False)  # Train both: two requests of one press
    submit(store, "other", "session:xyz")
    submit(store, "mine", "learner:1")
    assert store.queue_claim("w1").key == "s1"  # s1 trains
    assert store.queue_withdraw_waiting("session:abc") == 1  # the tab closed: s2 is dropped
    assert states(store, "session:abc") == [("s1", "running"), ("s2", "withdrawn")]
    assert store.queue_interest("s1") == 1  # its worker goes on with it
    assert states(store, "session:xyz") == [("other", "queued")]  # nobody else's is touched
    assert states(store, "learner:1") == [("mine", "queued")]
