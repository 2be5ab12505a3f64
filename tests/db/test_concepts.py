"""Concept checks in the store on SQLite and PostgreSQL (issue 25): a form's answers kept once (a
blank item and a skipped form as no choice), each learner's own, a class's in one read, gone
with the learner; the class's gain from what the store holds."""

from __future__ import annotations

import pytest

from dropout_lab.lesson import concepts
from dropout_lab.store import Store


def test_a_form_is_kept_once_with_blank_items_and_skips(store: Store) -> None:
    ada, bo = store.join("Ada", "K1"), store.join("Bo", "K1")
    store.save_concept_check(ada.id, "pre", {"pre-a": 1, "pre-b": None})
    store.save_concept_check(ada.id, "pre", {"pre-a": 0, "pre-b": 2})  # handed in again: ignored
    store.save_concept_check(ada.id, "post", {"post-a": 2, "post-b": 0})
    store.save_concept_check(bo.id, "pre", {"pre-a": None, "pre-b": None})  # skipped
    assert store.concept_checks(ada.id) == {
        "pre": {"pre-a": 1, "pre-b": None},
        "post": {"post-a": 2, "post-b": 0},
    }
    assert store.concept_checks(bo.id) == {"pre": {"pre-a": None, "pre-b": None}}
    other = store.join("Cy", "K2")
    store.save_concept_check(other.id, "pre", {"pre-a": 1})
    got = store.class_concept_checks("k1")  # the class code in any case
    assert set(got) == {ada.id, bo.id}
    assert got[ada.id]["post"] == {"post-a": 2, "post-b": 0}


@pytest.mark.parametrize(
    ("phase", "answers"),
    [
        ("during", {"a": 1}),
        ("pre", {}),
        ("pre", {"a": -1}),
        ("pre", {"a": True}),
        ("pre", {"": 1}),
        ("pre", {"a": "1"}),
    ],
)
def test_bad_forms_are_refused(store: Store, phase: str, answers: dict) -> None:
    ada = store.join("Ada", "K3")
    with pytest.raises(ValueError):
        store.save_concept_check(ada.id, phase, answers)
    with pytest.raises(ValueError, match="no learner"):
        store.save_concept_check(ada.id + 1000, "pre", {"a": 1})
    assert store.concept_checks(ada.id) == {}


def test_the_class_gain_from_the_stored_forms(store: Store) -> None:
    forms = concepts.load()
    right = {p: {i.id: i.answer for i in forms.form(p)} for p in concepts.PHASES}
    blank = {p: dict.fromkeys(right[p]) for p in concepts.PHASES}
    ada, bo, cy = store.join("Ada", "K4"), store.join("Bo", "K4"), store.join("Cy", "K4")
    one_right = {**blank["pre"], forms.pre[0].id: forms.pre[0].answer}
    store.save_concept_check(ada.id, "pre", one_right)  # 1 of 5 before
    store.save_concept_check(ada.id, "post", right["post"])  # 5 of 5 after: gain 1
    store.save_concept_check(bo.id, "pre", blank["pre"])  # skipped before: no gain
    store.save_concept_check(bo.id, "post", right["post"])
    store.save_concept_check(cy.id, "pre", right["pre"])  # full marks before: undefined
    store.save_concept_check(cy.id, "post", right["post"])
    people = [(p.id, p.name) for p in store.class_learners("K4")]
    got = concepts.class_gain(forms, people, store.class_concept_checks("K4"))
    by_name = {r.name: r for r in got.rows}
    assert (by_name["Ada"].pre, by_name["Ada"].post, by_name["Ada"].gain) == (1, 5, 1.0)
    assert (by_name["Bo"].pre, by_name["Bo"].gain) == (None, None)
    assert (by_name["Cy"].pre, by_name["Cy"].gain) == (5, None)
    assert (got.both, got.undefined, got.mean, got.sd) == (2, 1, 1.0, None)


def test_the_forms_go_with_the_learner(store: Store) -> None:
    ada = store.join("Ada", "K5")
    store.save_concept_check(ada.id, "pre", {"pre-a": 1})
    store.remove_learner(ada.id)
    assert store.class_concept_checks("K5") == {}
