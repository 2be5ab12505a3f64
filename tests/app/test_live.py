"""The live class under AppTest (issue 27): the dashboard's controls start a session, ask a
question and move it through its stages; a joined learner's page shows the open question and
takes one vote; a vote after the close is refused and the learner told; the projector shows the
count, nothing of the distribution until it is shown, then both votes and the answer."""

from __future__ import annotations

import uuid

import pytest
from streamlit.testing.v1 import AppTest

from dropout_lab.store.live import LiveQueries
from dropout_lab.ui import learners
from dropout_lab.ui import live as live_ui
from tests.app.test_dashboard import TOKEN, signed_in, start
from tests.support import wait
from tests.support.harness import MAIN

QUESTION = "prediction:explore-scale"


@pytest.fixture(autouse=True)
def token(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DROPOUT_LAB_INSTRUCTOR_TOKEN", TOKEN)
    return TOKEN


def _text(at: AppTest) -> str:
    kinds = ("markdown", "caption", "info", "success", "warning", "error")
    return "\n".join(str(t.value) for kind in kinds for t in at.get(kind))


def _learner(name: str, code: str) -> AppTest:
    at = AppTest.from_file(str(MAIN), default_timeout=60)
    at.query_params.update({"learner": name, "class": code})
    at.run()
    at.switch_page("steps/read.py").run()
    assert not at.exception, at.exception
    return at


def _step(at: AppTest, stage: str) -> None:
    at.button(key=f"dashboard.live_step.{stage}").click().run()
    assert not at.exception, at.exception


def test_a_round_from_the_dashboard_to_the_learners_and_the_projector() -> None:
    code = "L" + uuid.uuid4().hex[:8]
    ada, bob = _learner("Ada", code), _learner("Bob", code)
    words = live_ui.TEXT
    teacher = signed_in(code)
    teacher.button(key="dashboard.live_start").click().run()
    teacher.selectbox(key="dashboard.live_question").set_value(QUESTION)
    teacher.button(key="dashboard.live_ask").click().run()
    _step(teacher, "vote1")
    assert words["stages"]["vote1"] in _text(teacher)

    for at, pick in ((ada, "2"), (bob, "1")):
        at.run()
        at.radio(key=at.radio[0].key).set_value(pick)
        vote = next(b for b in at.button if str(b.key).startswith("learners.live_vote."))
        vote.click().run()
        assert not at.exception, at.exception
        assert words["learner"]["voted"].split("**")[0] in _text(at)
    store = LiveQueries()  # the page test's database (its environment)
    sid = store.running_live(code)
    assert store.live_view(sid).rounds[0].answered == 2

    screen = start()
    screen.switch_page("steps/live.py").run()
    screen.text_input(key="dashboard.token").input(TOKEN)
    label = learners.TEXT["dashboard"]["token_button"]
    next(b for b in screen.button if b.label == label).click().run()
    screen.text_input(key="dashboard.live_class").input(code).run()
    assert "2 of 2 answered" in _text(screen)
    assert not screen.get("plotly_chart")  # nothing of the distribution yet

    carl = _learner("Carl", code)  # a late joiner sees the open question
    carl.radio(key=carl.radio[0].key).set_value("2")
    _step(teacher, "closed1")  # closes before Carl's click arrives
    next(b for b in carl.button if str(b.key).startswith("learners.live_vote.")).click().run()
    assert words["learner"]["not_open"] in _text(carl)
    assert store.live_view(sid).rounds[0].answered == 2

    for stage in ("shown1", "discuss", "vote2", "closed2", "shown2", "answer"):
        _step(teacher, stage)
    screen.run()
    assert len(screen.get("plotly_chart")) == 1
    spec = screen.get("plotly_chart")[0].proto.spec
    assert spec.count('"type":"bar"') == 2  # both votes, one figure
    assert "The answer" in _text(screen) and "**2**" in _text(screen)
    assert "Ada" not in _text(screen) and "Bob" not in _text(screen)
    wait.until(lambda: store.class_live_votes(code), what="the votes stored")
