"""The app skeleton under AppTest: every page loads, the sidebar marks visited steps."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dropout_lab.lesson.steps import STEP_IDS, lesson
from tests.support.harness import MAIN


def start() -> AppTest:
    return AppTest.from_file(str(MAIN), default_timeout=60).run()


def test_overview_lists_the_five_steps_in_order() -> None:
    at = start()
    assert not at.exception
    assert at.title[0].value.endswith(lesson().title)
    assert [s.id for s in lesson().steps] == list(STEP_IDS)
    captions = [c.value for c in at.caption]
    for step in lesson().steps:
        assert step.blurb in captions


@pytest.mark.parametrize("step", STEP_IDS)
def test_every_step_loads_without_exception(step: str) -> None:
    at = start()
    at.switch_page(f"steps/{step}.py").run()
    assert not at.exception, at.exception
    assert at.title, f"{step} shows no title"


def test_visited_steps_are_remembered() -> None:
    at = start()
    at.switch_page("steps/explore.py").run()
    at.switch_page("steps/read.py").run()
    assert at.session_state["lesson.visited"] >= {"explore", "read"}
    assert "build" not in at.session_state["lesson.visited"]
