"""Read's completion under AppTest: the optional sections' checks are not required."""

from __future__ import annotations

import math
import uuid

import pytest
from streamlit.testing.v1 import AppTest

from dropout_lab.lesson import lessons
from dropout_lab.lesson.lesson_config import LessonConfig
from tests.support.harness import MAIN

SECTIONS = lessons.load_sections()
# Read asks every check but those drawn from a stored run (Reflect's review asks those)
QUIZ = [q for q in lessons.load_quiz(sections=[s.slug for s in SECTIONS]) if not q.needs_runs]
REQUIRED = lessons.required_items(QUIZ, SECTIONS)


@pytest.fixture(autouse=True)
def own_client(monkeypatch: pytest.MonkeyPatch) -> None:
    from dropout_lab.ui import links

    client = "test:" + uuid.uuid4().hex
    monkeypatch.setattr(links, "client", lambda: client)


def read_label(at: AppTest) -> str:
    return next(p.proto.label for p in at.sidebar.get("page_link") if p.proto.page == "read")


def test_the_pass_mark_of_the_core_checks_finishes_read_without_the_optional_section() -> None:
    """Just the pass mark of the core checks right, the rest wrong, the optional ones skipped:
    enough for the core, not enough had every check counted."""
    right = math.ceil(LessonConfig().quiz_pass * len(REQUIRED) - 1e-9)
    assert right < LessonConfig().quiz_pass * len(QUIZ), "the test tells the two rules apart"
    chosen = {
        q.id: q.answer if n < right else (q.answer + 1) % len(q.choices)
        for n, q in enumerate(REQUIRED)
    }
    at = AppTest.from_file(str(MAIN), default_timeout=60)
    at.query_params["learner"] = "Opal"
    at.query_params["class"] = "T" + uuid.uuid4().hex[:8]
    at.run()
    at.switch_page("steps/read.py").run()
    for section in SECTIONS:
        items = [q for q in REQUIRED if q.section == section.slug]
        if not items:
            continue
        at.radio(key="read.section").set_value(section.slug).run()
        for item in items:
            at.radio(key=f"read.quiz.{item.id}").set_value(chosen[item.id]).run()
    assert not at.exception, at.exception
    score = at.session_state["read.quiz_score"]
    assert score["answered"] == len(REQUIRED) < score["total"] and score["correct"] == right
    assert read_label(at).endswith("Read ✓")
