"""An instructor's day on the dashboard under AppTest (issue 23, item 2): a reload brings the
dashboard back from the key the tab kept (and only while it is open), the projector view names
nobody, the work CSV gives each quiz answer's words and each item's title, reflections are
labelled by their question, counts are spelled right and the sweep's accuracy axis stays
within [0, 1]."""

from __future__ import annotations

import csv
import io
import json
import uuid

import pytest
from streamlit.testing.v1 import AppTest

from dropout_lab.lesson import lessons, md
from dropout_lab.training.runstore import RunStore
from dropout_lab.training.service import TrainingService
from dropout_lab.ui import session, training
from tests.support.harness import MAIN

TOKEN = "s3cret-token-of-the-day"
QUIZ = lessons.load_quiz()
QUESTIONS = lessons.load_reflect_questions()
NAMES = ("Zerelda", "Quillon")  # found nowhere else on the page


@pytest.fixture(autouse=True)
def token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DROPOUT_LAB_INSTRUCTOR_TOKEN", TOKEN)
    from dropout_lab.ui import links

    client = "test:" + uuid.uuid4().hex
    monkeypatch.setattr(links, "client", lambda: client)


@pytest.fixture
def service(tmp_path, monkeypatch):
    svc = TrainingService(RunStore(tmp_path / "runs"), max_workers=1)
    monkeypatch.setattr(training, "service", lambda: svc)
    yield svc
    svc.shutdown()


@pytest.fixture
def csv_out(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from dropout_lab.store import classroom

    made: list[str] = []
    real = classroom.to_csv

    def spy(*args, **kwargs) -> str:
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(classroom, "to_csv", spy)
    return made


def a_class(runs: int = 2) -> str:
    """Two learners: one with a quiz answer, a reflection, `runs` runs and Explore done."""
    from dropout_lab.store import Store

    code = "Y" + uuid.uuid4().hex[:8]
    s = Store()
    one, two = s.join(NAMES[0], code), s.join(NAMES[1], code)
    s.record(one.id, "explore", "rate")
    s.record(one.id, "explore", "inference")
    item = QUIZ[0]
    s.save_quiz_answer(one.id, item.id, item.answer, True)
    s.save_quiz_answer(two.id, item.id, (item.answer + 1) % len(item.choices), False)
    s.save_reflection(one.id, QUESTIONS[0].id, "Every unit is used at inference.")
    for k in range(runs):
        s.save_submission(one.id, "overfit", f"Dropout(0.{k + 3})", {"layers": []},
                          {"run_key": f"day{code}{k}", "rates": [0.3], "val_accuracy": 0.9,
                           "val_loss": 0.3, "epochs": 50})  # fmt: skip
    return code


def opened(code: str | None = None, keeper: dict | None = None) -> AppTest:
    """A dashboard session: with the token, or (`keeper`) with what the tab's keeper sent."""
    at = AppTest.from_file(str(MAIN), default_timeout=60).run()
    if keeper is not None:
        at.session_state[session.DASHBOARD_KEEPER] = keeper  # what the component hands back
    at.switch_page("steps/dashboard.py").run()
    if keeper is None:
        at.text_input(key=session.DASHBOARD_TOKEN).input(TOKEN)
        at.button[0].click().run()
    if code:
        at.text_input(key=session.DASHBOARD_CLASS).input(code).run()
    assert not at.exception, at.exception
    return at


def everything_shown(at: AppTest) -> str:
    parts = [str(t.value) for kind in ("markdown", "caption", "text", "info", "success",
                                       "warning", "error", "header", "subheader") for t in
             at.get(kind)]  # fmt: skip
    parts += [d.value.to_csv() for d in at.dataframe]
    parts += [c.proto.spec for c in at.get("plotly_chart")]
    parts += [e.label for e in at.expander]
    return "\n".join(parts)


def test_a_reload_reopens_the_dashboard_from_the_tabs_key_until_it_is_locked() -> None:
    code = a_class()
    first = opened(code)
    key = first.session_state[session.DASHBOARD_AUTH]["key"]
    assert TOKEN not in key and len(key) >= 40
    again = opened(keeper={"key": key})  # a reload: a new session, no token typed
    assert again.text_input(key=session.DASHBOARD_CLASS).value == code  # the class shown
    assert {NAMES[0], NAMES[1]} <= {e.label for e in again.expander}
    for wrong in ("", "not-a-key", key[:-2] + "xx"):
        refused = opened(keeper={"key": wrong})
        assert not refused.dataframe and "Enter the instructor token" in refused.info[0].value
    again.button(key=session.DASHBOARD_LOCK).click().run()
    assert not again.dataframe
    locked = opened(keeper={"key": key})  # the locked dashboard's key opens nothing
    assert not locked.dataframe and not locked.expander


def test_a_kept_key_opens_nothing_once_idle(monkeypatch: pytest.MonkeyPatch) -> None:
    from dropout_lab.ui import dashboard_keep

    at = opened(a_class())
    key = at.session_state[session.DASHBOARD_AUTH]["key"]
    held = dashboard_keep.sessions()
    monkeypatch.setattr(held, "_held", {k: dashboard_keep.Held(h.digest, 0.0, h.class_code)
                                        for k, h in held._held.items()})  # fmt: skip
    idle = opened(keeper={"key": key})
    assert not idle.dataframe and not idle.expander


def test_the_projector_view_names_nobody(service) -> None:
    code = a_class()
    at = opened(code)
    assert NAMES[0] in everything_shown(at)  # the named view does name them
    at.toggle(key=session.DASHBOARD_PROJECTOR).set_value(True).run()
    assert not at.exception, at.exception
    shown = everything_shown(at)
    assert "The class at a glance" in shown and "2 learners have joined" in shown
    assert not any(name in shown for name in NAMES), shown
    assert not at.expander or all(e.label not in NAMES for e in at.expander)
    assert not at.get("download_button")  # no export on the screen the class sees
    steps = at.dataframe[0].value
    explore = steps[steps["Step"] == "Explore"].iloc[0]
    assert explore["Done"] + explore["Started, not done"] == 1
    assert any("1 learner" in c.value or "2 learners" in c.value for c in at.caption)


def test_the_work_csv_gives_answers_as_words_and_items_by_title(csv_out) -> None:
    at = opened(a_class())
    header = "learner,kind,item,answer,correct,detail,title,answer_text"
    work = next(t for t in csv_out if t.startswith(header))
    rows = list(csv.DictReader(io.StringIO(work)))
    item = QUIZ[0]
    right = next(r for r in rows if r["kind"] == "quiz" and r["learner"] == NAMES[0])
    assert right["answer"] == str(item.answer)
    assert right["answer_text"] == md.plain(item.choices[item.answer])
    assert right["title"] == md.plain(item.prompt) and "`" not in right["title"]
    thought = next(r for r in rows if r["kind"] == "reflection")
    assert thought["title"] == md.plain(QUESTIONS[0].question)
    labels = [m.value for m in at.markdown]
    assert any(md.text(md.plain(QUESTIONS[0].question))[:30] in x for x in labels)  # its title
    assert not any(x.strip("*: ") == QUESTIONS[0].id for x in labels)  # not by its slug


@pytest.mark.parametrize(("runs", "said"), [(1, "1 run from 1 learner,"), (2, "2 runs from 1 ")])
def test_counts_are_spelled_right_and_accuracy_stays_in_0_1(runs: int, said: str) -> None:
    at = opened(a_class(runs))
    assert any(said in c.value for c in at.caption), [c.value for c in at.caption]
    sweep = next(c for c in at.get("plotly_chart") if session.DASHBOARD_SWEEP in c.proto.id)
    low, high = json.loads(sweep.proto.spec)["layout"]["yaxis"]["range"]
    assert 0.0 <= low < 0.9 < high <= 1.0
