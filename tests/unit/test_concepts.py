"""The concept checks' two forms and the normalised gain (issue 25): the edge cases (full marks
before, a form skipped or never taken, a loss), the class's mean and spread, and the file."""

from __future__ import annotations

import math

import pytest

from dropout_lab.lesson import concepts

FORMS = concepts.load()


def test_the_gain_is_the_share_of_what_was_left_to_learn() -> None:
    assert concepts.gain(2, 4, 5) == pytest.approx(2 / 3)
    assert concepts.gain(0, 5, 5) == 1.0
    assert concepts.gain(3, 3, 5) == 0.0
    assert concepts.gain(4, 2, 5) == -2.0  # worse after: a negative gain, kept as it is


@pytest.mark.parametrize(("pre", "post"), [(5, 5), (5, 3), (None, 4), (2, None), (None, None)])
def test_no_gain_with_full_marks_before_or_a_form_missing(pre, post) -> None:
    assert concepts.gain(pre, post, 5) is None


@pytest.mark.parametrize(("pre", "post", "out_of"), [(6, 2, 5), (1, -1, 5), (0, 0, 0)])
def test_scores_outside_the_form_are_refused(pre, post, out_of) -> None:
    with pytest.raises(ValueError):
        concepts.gain(pre, post, out_of)


def test_a_form_skipped_has_no_score_and_a_blank_item_counts_wrong() -> None:
    pre = FORMS.pre
    assert concepts.score(pre, {}) is None
    assert concepts.score(pre, dict.fromkeys(i.id for i in pre)) is None  # skipped
    one = {pre[0].id: pre[0].answer, pre[1].id: None}
    assert concepts.score(pre, one) == 1
    assert concepts.score(pre, {i.id: i.answer for i in pre}) == len(pre)


def test_the_class_mean_spread_and_count() -> None:
    n = len(FORMS.pre)
    right = {p: {i.id: i.answer for i in FORMS.form(p)} for p in concepts.PHASES}
    wrong = {p: {i.id: (i.answer + 1) % len(i.choices) for i in FORMS.form(p)}
             for p in concepts.PHASES}  # fmt: skip
    answers = {
        1: {"pre": wrong["pre"], "post": right["post"]},  # 0 -> n: gain 1
        2: {"pre": wrong["pre"], "post": wrong["post"]},  # 0 -> 0: gain 0
        3: {"pre": right["pre"], "post": right["post"]},  # full marks before: undefined
        4: {"post": right["post"]},  # never took the first
        5: {"pre": dict.fromkeys(right["pre"]), "post": right["post"]},  # skipped the first
    }
    people = [(k, f"L{k}") for k in range(1, 7)]  # 6 never took either
    got = concepts.class_gain(FORMS, people, answers)
    assert got.out_of == n
    assert [r.gain for r in got.rows] == [1.0, 0.0, None, None, None, None]
    assert (got.both, got.undefined) == (3, 1)
    assert got.mean == 0.5 and got.sd == pytest.approx(math.sqrt(0.5))
    empty = concepts.class_gain(FORMS, people, {})
    assert (empty.both, empty.mean, empty.sd) == (0, None, None)
    assert concepts.fmt(None) == "" and concepts.fmt(0.5) == "0.50"


def test_the_two_forms_ask_the_same_concepts_with_other_items() -> None:
    assert len(FORMS.pre) == len(FORMS.post) >= 4
    assert FORMS.concepts and len(FORMS.concepts) == len(FORMS.pre)
    assert not {i.prompt for i in FORMS.pre} & {i.prompt for i in FORMS.post}
    for phase in concepts.PHASES:
        keyed = [i.answer for i in FORMS.form(phase)]
        assert len(set(keyed)) > 1, phase  # the key is not always the same position
    with pytest.raises(ValueError, match="phase"):
        FORMS.form("during")


def test_forms_of_other_concepts_or_ids_are_refused() -> None:
    item = {"id": "a", "concept": "x", "prompt": "Q?", "choices": ["y", "n"], "answer": 0}
    ok = {"pre": [item], "post": [{**item, "id": "b"}]}
    assert concepts.parse(ok).concepts == ("x",)
    with pytest.raises(ValueError, match="same concepts"):
        concepts.parse({**ok, "post": [{**item, "id": "b", "concept": "z"}]})
    with pytest.raises(ValueError, match="id of its own"):
        concepts.parse({**ok, "post": [item]})
    with pytest.raises(ValueError, match=r"\[\[post\]\]"):
        concepts.parse({"pre": [item]})
