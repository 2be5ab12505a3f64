"""The pure pieces of an instructor's day (issue 23, item 2): counts spelled right, the lesson's
Markdown as plain words in tables and CSVs, an accuracy axis inside [0, 1], the dashboard
sessions a reload reopens (expiry, hashing, bounds) and the projector's step counts."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dropout_lab.charts.classroom import accuracy_range
from dropout_lab.lesson.fmt import Count
from dropout_lab.lesson.md import plain
from dropout_lab.store import classroom
from dropout_lab.ui.dashboard_keep import Sessions


@pytest.mark.parametrize(("n", "said"), [(0, "0 runs"), (1, "1 run"), (2, "2 runs"),
                                         (1234, "1,234 runs")])  # fmt: skip
def test_a_count_spells_its_noun(n: int, said: str) -> None:
    runs, plain_number, verb = "{n:run|runs}", "{n} / {n:,}", "{n:answer is|answers are}"
    assert runs.format(n=Count(n)) == said  # as a lesson file's sentence is formatted
    assert plain_number.format(n=Count(n)) == f"{n} / {n:,}"  # other specs: the number alone
    assert verb.format(n=Count(1)) == "1 answer is"


def test_the_lesson_markdown_as_plain_words() -> None:
    assert plain("`Dropout(0.3)` is **on** and *off*") == "Dropout(0.3) is on and off"
    assert plain("see [the paper](http://x.org) at $p = 0.5$") == "see the paper at p = 0.5"
    assert plain(None) == "" and plain("2*3*4") == "2*3*4"


@given(st.lists(st.floats(0.0, 1.0), max_size=30))
def test_an_accuracy_axis_stays_within_0_and_1(values: list[float]) -> None:
    low, high = accuracy_range(values)
    assert 0.0 <= low < high <= 1.0 and high - low >= 0.2 - 1e-9
    assert all(low <= v <= high for v in values)


def test_one_run_alone_is_not_drawn_up_to_1_5() -> None:
    assert accuracy_range([0.91]) == pytest.approx([0.8, 1.0])


def test_dashboard_sessions_expire_end_and_keep_only_a_hash() -> None:
    held = Sessions(limit=3)
    key = held.issue("digest", now=100.0)
    assert len(key) >= 40 and key not in str(held._held)
    assert hashlib.sha256(key.encode()).hexdigest() in held._held
    assert held.resume(key, idle=60, now=150.0).digest == "digest"
    held.touch(key, 150.0, "SOC-1")
    assert held.resume(key, idle=60, now=200.0).class_code == "SOC-1"
    assert held.resume(key, idle=60, now=261.0) is None  # idle too long: gone for good
    assert held.resume(key, idle=60, now=200.0) is None
    other = held.issue("digest", now=300.0)
    held.end(other)
    assert held.resume(other, idle=60, now=300.0) is None
    keys = [held.issue("d", now=400.0 + k) for k in range(5)]  # bounded: the oldest go
    assert len(held._held) == 3 and held.resume(keys[0], idle=60, now=405.0) is None
    assert held.resume(keys[-1], idle=60, now=405.0) is not None


def test_the_projectors_step_counts_name_nobody() -> None:
    progress = [{"name": "Ada", "progress": {"explore": {"rate", "inference"}}},
                {"name": "Bob", "progress": {"explore": {"rate"}}}]  # fmt: skip
    criteria = {"explore": {"rate": "", "inference": ""}}
    counts = classroom.step_counts(progress, criteria)
    assert counts[0] == {"step": "explore", "done": 1, "started": 1, "learners": 2}
    assert "Ada" not in str(counts)
