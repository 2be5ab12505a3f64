"""The concept checks under AppTest (issue 25): the form before Explore on the overview and its
parallel form after Reflect, ungraded and skippable, a joined learner's answers stored; the
learning gain on the dashboard and in the gradebook CSV."""

from __future__ import annotations

import csv
import io
import uuid

from streamlit.testing.v1 import AppTest

from dropout_lab.lesson import concepts
from dropout_lab.store import Store
from dropout_lab.ui import session
from tests.app.test_class_view import csv_out, service, signed_in, token  # noqa: F401
from tests.support.harness import MAIN

FORMS = concepts.load()


def overview(**query: str) -> AppTest:
    at = AppTest.from_file(str(MAIN), default_timeout=30)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def answer(at: AppTest, phase: str, choices: dict[str, int]) -> None:
    for item_id, choice in choices.items():
        at.radio(key=session.LEARNERS_CONCEPT.of(f"{phase}.{item_id}")).set_value(choice)


def test_the_check_before_explore_is_ungraded_and_stored_for_a_joined_learner() -> None:
    code = "G" + uuid.uuid4().hex[:8]
    at = overview(learner="Ada", **{"class": code})
    box = next(e for e in at.expander if e.label == FORMS.words["pre_title"])
    assert "not graded" in box.markdown[0].value and "Skip" in box.markdown[0].value
    pre = FORMS.pre
    answer(at, "pre", {pre[0].id: pre[0].answer, pre[1].id: (pre[1].answer + 1) % 4})
    at.button(key=session.LESSON_CONCEPT_SUBMIT.of("pre")).click().run()
    assert not at.exception, at.exception
    assert any(FORMS.words["pre_done"] in c.value for c in at.caption)
    assert not [e for e in at.expander if e.label == FORMS.words["pre_title"]]
    me = at.session_state[session.LEARNERS_LEARNER]
    got = Store().concept_checks(me.id)["pre"]
    assert got[pre[0].id] == pre[0].answer and got[pre[2].id] is None  # blank kept as blank
    again = overview(resume=at.session_state[session.LEARNERS_RESUME])  # a new session
    assert any(FORMS.words["pre_done"] in c.value for c in again.caption)  # not asked twice


def test_skipping_stores_a_skip_and_says_so() -> None:
    code = "G" + uuid.uuid4().hex[:8]
    at = overview(learner="Bo", **{"class": code})
    at.button(key=session.LESSON_CONCEPT_SKIP.of("pre")).click().run()
    assert any(FORMS.words["skipped"] in c.value for c in at.caption)
    me = at.session_state[session.LEARNERS_LEARNER]
    assert set(Store().concept_checks(me.id)["pre"].values()) == {None}


def test_a_learner_who_has_not_joined_keeps_it_for_the_session_only() -> None:
    at = overview()
    assert any(FORMS.words["anonymous"] in c.value for c in at.caption)
    at.button(key=session.LESSON_CONCEPT_SUBMIT.of("pre")).click().run()
    assert not at.exception, at.exception
    assert at.session_state[session.LEARNERS_CONCEPT_TAKEN] == {"pre": None}  # nothing chosen


def a_class_with_checks() -> str:
    """Ada 1 -> 5 of 5 (gain 1), Bob 1 -> 3 (gain 0.5), Cy full marks before, Di skipped."""
    code = "H" + uuid.uuid4().hex[:8]
    s = Store()
    right = {p: {i.id: i.answer for i in FORMS.form(p)} for p in concepts.PHASES}
    wrong = {p: {i.id: (i.answer + 1) % len(i.choices) for i in FORMS.form(p)}
             for p in concepts.PHASES}  # fmt: skip
    post_ids = [i.id for i in FORMS.post]
    one_pre = {**wrong["pre"], FORMS.pre[0].id: FORMS.pre[0].answer}
    three_post = {**wrong["post"], **{k: right["post"][k] for k in post_ids[:3]}}
    ada, bob, cy, di = (s.join(n, code) for n in ("Ada", "Bob", "Cy", "Di"))
    for who, pre, post in ((ada, one_pre, right["post"]), (bob, one_pre, three_post),
                           (cy, right["pre"], right["post"]),
                           (di, dict.fromkeys(right["pre"]), right["post"])):  # fmt: skip
        s.save_concept_check(who.id, "pre", pre)
        s.save_concept_check(who.id, "post", post)
    return code


def test_the_gain_on_the_dashboard_and_in_the_gradebook(service, csv_out) -> None:  # noqa: F811
    at = signed_in(a_class_with_checks())
    assert any(h.value == FORMS.words["dashboard_heading"] for h in at.subheader)
    said = "\n".join(m.value for m in at.markdown)
    assert "3 of 4 learners took both checks" in said
    assert "Mean normalised gain 0.75 (standard deviation 0.35)" in said
    assert "1 could not gain" in said
    table = next(d for d in at.dataframe if "Normalised gain" in d.value.columns).value
    assert list(table["Before"]) == ["1/5", "1/5", "5/5", ""]
    assert list(table["Normalised gain"].fillna(-1)) == [1.0, 0.5, -1, -1]
    book = next(t for t in (list(csv.DictReader(io.StringIO(x))) for x in csv_out)
                if t and "concept_gain" in t[0])  # fmt: skip
    assert [r["concept_pre"] for r in book] == ["1", "1", "5", ""]
    assert [r["concept_post"] for r in book] == ["5", "3", "5", "5"]
    assert [r["concept_gain"] for r in book] == ["1.000", "0.500", "", ""]


def test_nobody_with_both_checks_says_so(service) -> None:  # noqa: F811
    code = "N" + uuid.uuid4().hex[:8]
    Store().join("Eve", code)
    at = signed_in(code)
    assert any(FORMS.words["dashboard_none"] in i.value for i in at.info)
