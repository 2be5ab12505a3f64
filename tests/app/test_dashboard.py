"""The instructor dashboard under AppTest: absent without a configured token, refuses a missing
or wrong token, and with the right one shows the class's progress, work, sweep and CSV."""

from __future__ import annotations

import uuid

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.harness import MAIN

TOKEN = "s3cret-token"


@pytest.fixture
def token(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DROPOUT_LAB_INSTRUCTOR_TOKEN", TOKEN)
    return TOKEN


@pytest.fixture
def no_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DROPOUT_LAB_INSTRUCTOR_TOKEN", raising=False)


def start() -> AppTest:
    return AppTest.from_file(str(MAIN), default_timeout=60).run()


def a_class() -> tuple[str, dict]:
    """A class with two learners: Ada (Explore done, a quiz answer, a run, a reflection), Bob."""
    from dropout_lab.store import Store

    code = "D" + uuid.uuid4().hex[:8]
    s = Store()
    ada, bob = s.join("Ada", code), s.join("Bob", code)
    s.record(ada.id, "explore", "rate")
    s.record(ada.id, "explore", "inference")
    s.record(bob.id, "explore", "rate")
    s.save_quiz_answer(ada.id, "q-one", 1, True)
    s.save_reflection(ada.id, "q1", "It averages many thinned networks.")
    for rate, acc in ((0.3, 0.91), (0.5, 0.88)):
        s.save_submission(ada.id, "overfit", f"Dropout({rate})", {"layers": []},
                          {"run_key": f"k{rate}", "rates": [rate, rate], "val_accuracy": acc,
                           "val_loss": 0.3, "epochs": 50})  # fmt: skip
    s.save_submission(bob.id, "overfit", "Dropout(0.0)", {"layers": []},
                      {"run_key": "k0", "rates": [], "val_accuracy": 0.8, "val_loss": 0.6,
                       "epochs": 50})  # fmt: skip
    return code, {"ada": ada, "bob": bob}


def sidebar_pages(at: AppTest) -> list[str]:
    return [link.proto.page for link in at.sidebar.get("page_link")]


def test_without_a_configured_token_there_is_no_dashboard(no_token) -> None:
    at = start()
    assert "dashboard" not in sidebar_pages(at)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("steps/dashboard.py")  # the page is not registered at all


def test_the_dashboard_refuses_a_missing_or_wrong_token(token) -> None:
    a_class()
    at = start()
    assert "dashboard" in sidebar_pages(at)
    at.switch_page("steps/dashboard.py").run()
    assert not at.exception, at.exception
    assert "Enter the instructor token" in at.info[0].value
    assert not at.dataframe and not at.get("plotly_chart")
    at.text_input(key="dashboard.token").input("")
    at.button[0].click().run()  # the form's submit button, with no token
    assert "not right" in at.error[0].value
    at.text_input(key="dashboard.token").input("s3cret-tokeN")
    at.button[0].click().run()
    assert "not right" in at.error[0].value
    assert not at.dataframe and not at.get("plotly_chart")
    assert not any(e.label == "Ada" for e in at.expander)


def test_with_the_token_the_class_progress_work_sweep_and_csv(token) -> None:
    code, _ = a_class()
    at = start()
    at.switch_page("steps/dashboard.py").run()
    at.text_input(key="dashboard.token").input(TOKEN)
    at.button[0].click().run()
    assert not at.exception, at.exception
    at.text_input(key="dashboard.class").input(code).run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert list(table["Learner"]) == ["Ada", "Bob"]
    assert list(table["Explore"]) == ["✓", "◐"]
    assert list(table["Quiz right"]) == [1, 0]
    assert list(table["Submissions"]) == [2, 1]
    fig = at.get("plotly_chart")[0].proto.spec
    assert '"Ada"' in fig and '"Bob"' in fig and "0.91" in fig
    names = {e.label for e in at.expander}
    assert {"Ada", "Bob"} <= names
    assert any("thinned networks" in t.value for t in at.text)  # plain text, never markdown
    downloads = at.get("download_button")
    assert len(downloads) == 3
    # a second run keeps the session's access; locking ends it
    at.run()
    assert at.dataframe
    at.button(key="dashboard.lock").click().run()
    assert not at.dataframe


def test_a_learner_page_never_shows_the_dashboard_link_without_token(no_token) -> None:
    at = start()
    assert all(link.proto.label != "Instructor" for link in at.sidebar.get("page_link"))
