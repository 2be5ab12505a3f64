"""The LTI scores outbox and roster (issue 26) on SQLite and PostgreSQL: a score is stored once
per change, claimed by one sender at a time, marked sent only if no newer score replaced it while
it was being posted, retried after a failure only when its time comes; the changed-learner sweep
sees progress, quiz answers and lab grades; the roster joins members to their learners."""

from __future__ import annotations

import time

from dropout_lab.lesson.score import Score
from dropout_lab.store import Store
from dropout_lab.store.lti_grades import GradeLink, Member
from tests.support import wait

LINK = GradeLink("link-1", "https://lms.example", "tool", "u-ada", "lesson",
                 "https://lms.example/lineitems/1", None, ("score",))  # fmt: skip
TEN, TWENTY = (Score(v, 100.0, "InProgress", "FullyGraded") for v in (10.0, 20.0))


def test_a_score_is_stored_once_claimed_once_and_sent(store: Store) -> None:
    ada = store.join("Ada", "C1").id
    store.lti_grade_link(ada, LINK)
    assert store.lti_queue_score(ada, "link-1", TEN)
    assert not store.lti_queue_score(ada, "link-1", TEN)  # nothing new
    (due,) = store.lti_claim_scores(lease=60)
    assert store.lti_claim_scores(lease=60) == []  # another sender: claimed already
    assert due.score == TEN and due.link == LINK
    store.lti_score_sent(due)
    assert store.lti_outbox_counts() == {"sent": 1, "due": 0, "failing": 0}
    assert not store.lti_queue_score(ada, "link-1", TEN)  # sent: still nothing new


def test_a_newer_score_during_a_send_stays_due(store: Store) -> None:
    ada = store.join("Ada", "C1").id
    store.lti_grade_link(ada, LINK)
    store.lti_queue_score(ada, "link-1", TEN)
    (due,) = store.lti_claim_scores(lease=0.0)
    store.lti_queue_score(ada, "link-1", TWENTY)  # progress while TEN was being posted
    store.lti_score_sent(due)
    (again,) = store.lti_claim_scores(lease=60)
    assert again.score == TWENTY and again.scored_at > due.scored_at


def test_a_failed_score_waits_for_its_next_try(store: Store) -> None:
    ada = store.join("Ada", "C1").id
    store.lti_grade_link(ada, LINK)
    store.lti_queue_score(ada, "link-1", TEN)
    (due,) = store.lti_claim_scores(lease=60)
    store.lti_score_failed(due, "ConnectionError", retry_in=3600)
    assert store.lti_claim_scores(lease=60) == []
    assert store.lti_outbox_counts() == {"sent": 0, "due": 1, "failing": 1}
    store.lti_score_failed(due, "ConnectionError", retry_in=-1)  # its time has come
    (again,) = store.lti_claim_scores(lease=60)
    assert again.attempts == 1


def test_the_sweep_sees_progress_quiz_and_grades(store: Store) -> None:
    ada, bob = store.join("Ada", "C1").id, store.join("Bob", "C1").id
    for who in (ada, bob):
        store.lti_grade_link(who, LINK)
    since = time.time() + 0.01
    wait.until(lambda: time.time() > since, timeout=5, what="the clock past the links' writes")
    assert store.lti_grade_links(since) == {}
    store.record(ada, "explore", "rate")
    store.save_quiz_answer(bob, "q1", 0, True)
    assert set(store.lti_grade_links(since)) == {ada, bob}
    assert set(store.lti_grade_links()) == {ada, bob}


def test_the_roster_joins_members_to_learners(store: Store) -> None:
    code = store.lti_class("https://lms.example", "course-1", "CS101")
    ada = store.lti_learner("https://lms.example", "course-1", "u-ada", "Ada", code)
    store.lti_course_service("https://lms.example", "course-1", "tool", "https://lms/m")
    store.lti_remember("https://lms.example", "course-1", [
        Member("u-ada", "Ada", "ada@x.edu"), Member("u-gil", "Gil"),
        Member("u-prof", "Prof", learner=False)])  # fmt: skip
    assert store.lti_course(code)["memberships_url"] == "https://lms/m"
    rows = {r["sub"]: r for r in store.lti_roster("https://lms.example", "course-1")}
    assert rows["u-ada"]["learner_id"] == ada.id and rows["u-ada"]["email"] == "ada@x.edu"
    assert rows["u-gil"]["learner_id"] is None and not rows["u-prof"]["learner"]
