"""The dashboard's "what the class thinks" view under AppTest (issue 13, part 5): behind its
toggle, every quiz item's first-try share and most chosen wrong answer with its misconception,
every prediction's class distribution against the lesson's outcome (a chart each), the
think-deeper answers side by side, and the two CSV files (a row per learner, a row per item)."""

from __future__ import annotations

import csv
import io
import json
import uuid

import pytest
from streamlit.testing.v1 import AppTest

from dropout_lab.findings import predictions as run_answers
from dropout_lab.lesson import catalogue, lessons, md
from dropout_lab.lesson import predictions as pr
from dropout_lab.training.runstore import RunStore
from dropout_lab.training.service import TrainingService
from dropout_lab.ui import session, training
from tests.app.test_predictions import store_everything
from tests.support.harness import MAIN

TOKEN = "s3cret-token"
QUIZ = lessons.load_quiz()
QUESTIONS = lessons.load_reflect_questions()


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


def a_class() -> tuple[str, dict]:
    """Ada, Bob and Cy: quiz first tries, predictions (made and skipped), reflections."""
    from dropout_lab.store import Store

    code = "W" + uuid.uuid4().hex[:8]
    s = Store()
    ada, bob, cy = s.join("Ada", code), s.join("Bob", code), s.join("Cy", code)
    item = QUIZ[0]  # inference-identity: the answer is 2
    wrong = next(i for i in range(len(item.choices)) if i != item.answer)
    s.save_quiz_answer(ada.id, item.id, item.answer, True)
    s.save_quiz_answer(bob.id, item.id, wrong, False)
    s.save_quiz_answer(cy.id, item.id, wrong, False)
    s.save_quiz_answer(cy.id, "ensemble", 0, False)  # a retired item: counted for none
    s.save_prediction(ada.id, pr.EXPLORE, 2.0)
    s.save_prediction(bob.id, pr.EXPLORE, 0.5)
    s.save_prediction(cy.id, pr.EXPLORE, None, skipped=True)
    s.save_prediction(ada.id, pr.BUILD_SHAPE, "climb")
    s.save_prediction(bob.id, pr.BUILD_SHAPE, "level")
    s.save_prediction(ada.id, pr.BUILD_ACCURACY, 3.0)
    s.save_prediction(ada.id, pr.COMPARE, 0.3)
    s.save_prediction(bob.id, pr.COMPARE, 0.3)
    s.save_reflection(ada.id, QUESTIONS[0].id, "Ada: no, predict is the full network.")
    s.save_reflection(bob.id, QUESTIONS[0].id, "Bob: yes, half the units are dropped.")
    return code, {"ada": ada, "bob": bob, "cy": cy, "item": item, "wrong": wrong}


def signed_in(code: str, show: bool = True) -> AppTest:
    at = AppTest.from_file(str(MAIN), default_timeout=60).run()
    at.switch_page("steps/dashboard.py").run()
    at.text_input(key="dashboard.token").input(TOKEN)
    at.button[0].click().run()
    at.text_input(key="dashboard.class").input(code).run()
    if show:
        at.toggle(key=session.DASHBOARD_INSIGHTS).set_value(True).run()
    assert not at.exception, at.exception
    return at


def charts_by_key(at: AppTest) -> dict[str, dict]:
    out = {}
    for c in at.get("plotly_chart"):
        for pid in pr.IDS:
            if c.proto.id and session.DASHBOARD_PREDICTION.of(pid) in c.proto.id:
                out[pid] = json.loads(c.proto.spec)
    return out


def test_the_view_waits_behind_its_toggle(service) -> None:
    code, _ = a_class()
    at = signed_in(code, show=False)
    assert any(h.value == "What the class thinks" for h in at.header)
    assert not charts_by_key(at) and len(at.get("download_button")) == 5  # the dashboard's own


def test_quiz_first_tries_and_the_most_chosen_wrong_answer(service) -> None:
    code, c = a_class()
    at = signed_in(code)
    quiz = next(d for d in at.dataframe if "Misconception" in d.value.columns).value
    row = quiz[quiz["Item"] == md.plain(c["item"].prompt)].iloc[0]  # words, not markup
    assert row["Answered"] == 3 and abs(row["Right first try"] - 1 / 3) < 1e-9
    assert row["Most chosen wrong answer"] == md.plain(c["item"].choices[c["wrong"]])
    assert row["Chosen by"] == 2
    assert row["Misconception"] == md.plain(c["item"].misconceptions[c["wrong"]])
    assert len(quiz) == len(QUIZ)
    cells = [str(v) for v in quiz.to_numpy().ravel()]
    assert not any("`" in v or v == "None" for v in cells), cells  # no markup, no "None"
    assert any("1 stored answer is for items no longer in the quiz" in x.value
               for x in at.caption)  # fmt: skip


def test_each_prediction_against_its_outcome(service) -> None:
    code, _ = a_class()
    runs = store_everything(service.store)
    at = signed_in(code)
    figs = charts_by_key(at)
    assert set(figs) == set(pr.IDS)
    explore = figs[pr.EXPLORE]
    bar = explore["data"][0]
    assert bar["x"] == [0.5, 2.0] and bar["y"] == [1, 1]
    assert explore["layout"]["shapes"][0]["x0"] == 2.0  # the outcome: 1/(1 - 0.5)
    shape = figs[pr.BUILD_SHAPE]["data"][0]
    assert shape["x"] == ["keep falling", "level off", "turn up and climb"]
    assert shape["y"] == [0, 1, 1]
    real = run_answers.shape_of(runs[catalogue.NO_DROPOUT])
    hatched = [p == "/" for p in shape["marker"]["pattern"]["shape"]]
    assert hatched == [v == real for v in ("fall", "level", "climb")]
    said = "\n".join(x.value for x in at.caption)
    assert "2 of 3 learners predicted, 1 skipped; 1 matched the outcome (2.00×)." in said
    rate = figs[pr.COMPARE]["data"][0]
    assert rate["y"][rate["x"].index("0.3")] == 2


def test_without_the_runs_the_outcome_is_not_known_yet(service) -> None:
    code, _ = a_class()
    at = signed_in(code)
    said = "\n".join(x.value for x in at.caption)
    assert said.count("The outcome is not known yet") == 3  # Explore's needs no run
    assert "outcome: not known yet" in json.dumps(charts_by_key(at)[pr.BUILD_SHAPE])


def test_think_deeper_answers_side_by_side_as_plain_text(service) -> None:
    code, _ = a_class()
    at = signed_in(code)
    box = next(e for e in at.expander if e.label.startswith(QUESTIONS[0].question))
    assert "2 of 3 learners answered" in box.label
    texts = [t.value for t in box.text]
    assert texts == ["Ada: no, predict is the full network.",
                     "Bob: yes, half the units are dropped."]  # fmt: skip


def test_the_gradebook_and_the_items_csv(service, csv_out) -> None:
    code, c = a_class()
    store_everything(service.store)
    at = signed_in(code)
    assert len(at.get("download_button")) == 5 + 2  # the dashboard's own, gradebook and items
    tables = [list(csv.DictReader(io.StringIO(t))) for t in csv_out]
    book = next(t for t in tables if t and "quiz_right" in t[0])
    assert [r["learner"] for r in book] == ["Ada", "Bob", "Cy"]
    item = f"quiz:{c['item'].id}"
    assert [r[item] for r in book] == ["1", "0", "0"]
    assert [r[f"quiz:{QUIZ[1].id}"] for r in book] == ["", "", ""]
    assert [r[f"predict:{pr.EXPLORE}"] for r in book] == ["2", "0.5", "skipped"]
    assert [r[f"predict:{pr.BUILD_SHAPE}"] for r in book] == ["climb", "level", ""]
    assert book[0][f"reflect:{QUESTIONS[0].id}"].startswith("Ada: no")
    concept = 3  # before, after, gain (ui/learning_gain.py)
    assert len(book[0]) == 3 + len(QUIZ) + len(pr.IDS) + len(QUESTIONS) + concept
    items = next(t for t in tables if t and "misconception" in t[0])
    assert [r["kind"] for r in items].count("quiz") == len(QUIZ)
    row = next(r for r in items if r["item"] == c["item"].id)
    assert row["right_first_try"] == "0.333" and row["chosen_by"] == "2"
    assert row["misconception"] == c["item"].misconceptions[c["wrong"]]
    explore = next(r for r in items if r["item"] == pr.EXPLORE)
    assert explore["distribution"] == "0.50×: 1; 2.00×: 1" and explore["skipped"] == "1"
    assert explore["outcome"] == "2.00×" and explore["matched"] == "1"
    assert next(r for r in items if r["item"] == QUESTIONS[0].id)["answered"] == "2"


def test_classes_never_mix(service) -> None:
    code, _ = a_class()
    other, _ = a_class()
    from dropout_lab.store import Store

    s = Store()
    dee = s.join("Dee", other)
    s.save_prediction(dee.id, pr.EXPLORE, 9.0)
    at = signed_in(code)
    assert charts_by_key(at)[pr.EXPLORE]["data"][0]["x"] == [0.5, 2.0]
