"""The instructor dashboard under AppTest: absent without a configured token, refuses a missing
or wrong token (after ten, a wrong one waits; the right one always opens), locks itself when
idle, and with the right token shows the class's progress and resume link status, work, sweep
and CSV, replaces a learner's lost resume link, removes a learner after a confirmation and
creates the lesson file's roster; no code in a table or a CSV."""

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


@pytest.fixture(autouse=True)
def own_client(monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test is its own client: wrong tokens in one never make another wait."""
    from dropout_lab.ui import links

    client = "test:" + uuid.uuid4().hex
    monkeypatch.setattr(links, "client", lambda: client)
    return client


@pytest.fixture
def csv_out(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every CSV text the dashboard offers for download."""
    from dropout_lab.store import classroom

    made: list[str] = []
    real = classroom.to_csv

    def spy(*args, **kwargs) -> str:
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(classroom, "to_csv", spy)
    return made


def signed_in(code: str | None = None) -> AppTest:
    at = start()
    at.switch_page("steps/dashboard.py").run()
    at.text_input(key="dashboard.token").input(TOKEN)
    at.button[0].click().run()
    assert not at.exception, at.exception
    if code:
        at.text_input(key="dashboard.class").input(code).run()
        assert not at.exception, at.exception
    return at


def shown_text(at: AppTest) -> str:
    """Everything on the page but code blocks (where links are meant to be)."""
    parts = [str(t.value) for kind in ("markdown", "caption", "text", "info", "success",
                                       "warning", "error") for t in at.get(kind)]  # fmt: skip
    parts += [d.value.to_csv() for d in at.dataframe]
    return "\n".join(parts)


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
    assert len(downloads) == 5  # progress, work, sweep; Canvas and Moodle gradebooks
    # a second run keeps the session's access; locking ends it
    at.run()
    assert at.dataframe
    at.button(key="dashboard.lock").click().run()
    assert not at.dataframe


def test_a_learner_page_never_shows_the_dashboard_link_without_token(no_token) -> None:
    at = start()
    assert all(link.proto.label != "Instructor" for link in at.sidebar.get("page_link"))


def test_a_classmates_wrong_tokens_never_keep_the_instructor_out(token) -> None:
    """Issue 22: one student's guesses from the classroom's address (the same client here)
    are told to wait; the instructor's right token, from that address, opens at once."""
    at = start()
    at.switch_page("steps/dashboard.py").run()
    for n in range(10):
        at.text_input(key="dashboard.token").input(f"guess-{n}")
        at.button[0].click().run()
    assert "Too many wrong tokens" in at.error[0].value and "60 seconds" in at.error[0].value
    at.text_input(key="dashboard.token").input("guess-11")
    at.button[0].click().run()
    assert "Too many wrong tokens" in at.error[0].value  # the guesser still waits
    instructor = signed_in()  # another session of the same client
    assert "dashboard.auth" in instructor.session_state and not instructor.error
    at.text_input(key="dashboard.token").input(TOKEN)  # the right token opens even here
    at.button[0].click().run()
    assert "dashboard.auth" in at.session_state


def test_the_dashboard_locks_itself_after_inactivity(token, tmp_path, monkeypatch) -> None:
    lesson = tmp_path / "lesson.toml"
    lesson.write_text("[dashboard]\nidle_minutes = 5\n")
    monkeypatch.setenv("DROPOUT_LAB_LESSON", str(lesson))
    code, _ = a_class()
    at = signed_in(code)
    assert at.dataframe
    auth = at.session_state["dashboard.auth"]
    assert TOKEN not in repr(auth)  # the session keeps a digest, not the token
    at.session_state["dashboard.auth"] = dict(auth, active=auth["active"] - 4 * 60)
    at.run()
    assert at.dataframe  # four minutes: still open (and the clock starts again)
    auth = at.session_state["dashboard.auth"]
    at.session_state["dashboard.auth"] = dict(auth, active=auth["active"] - 5 * 60 - 1)
    at.run()
    assert not at.dataframe and "dashboard.auth" not in at.session_state
    assert "locked itself after 5 minutes" in at.warning[0].value


def test_a_new_resume_link_replaces_the_old_and_no_code_is_in_a_table_or_csv(
    token, csv_out, caplog
) -> None:
    import logging

    from dropout_lab.store import Store

    caplog.set_level(logging.DEBUG)
    code, people = a_class()
    s = Store()
    old = s.issue_code(people["ada"].id)  # the link Ada lost
    at = signed_in(code)
    table = at.dataframe[0].value
    assert list(table["Resume link"].str.startswith("issued")) == [True, False]  # Bob: none yet
    assert "Last seen" in table.columns
    at.button(key=f"dashboard.reissue.{people['ada'].id}").click().run()
    assert not at.exception, at.exception
    (block,) = [c.value for c in at.code if "?resume=" in c.value]
    new = block.split("?resume=", 1)[1]
    assert any("Give this link to Ada" in m.value for m in at.success)
    assert not s.resume(old, "test:check").ok  # the old link stops working
    assert s.resume(new, "test:check").value.learner == people["ada"]
    at.run()  # every export built again, with the codes issued
    assert csv_out and all(c not in text for text in csv_out for c in (old, new))
    for c in (old, new):
        assert c not in shown_text(at)
        assert c not in caplog.text
    assert TOKEN not in caplog.text
    at.button(key="dashboard.lock").click().run()  # locking forgets the links shown
    assert "dashboard.issued" not in at.session_state


def test_the_roster_creates_learners_and_shows_their_links_once(token, tmp_path, monkeypatch):
    from dropout_lab.store import Store

    code = "R" + uuid.uuid4().hex[:8]
    s = Store()
    s.join("Old Timer", code)  # joined before resume links: gets one
    lesson = tmp_path / "lesson.toml"
    lesson.write_text(f'[class]\ncode = "{code}"\nroster = ["Ada Lovelace", "Old Timer"]\n')
    monkeypatch.setenv("DROPOUT_LAB_LESSON", str(lesson))
    at = signed_in()  # the lesson file's class code is the default
    assert any("2 learners for class" in m.value for m in at.markdown)
    at.button(key="dashboard.roster").click().run()
    assert not at.exception, at.exception
    (block,) = [c.value for c in at.code if "?resume=" in c.value and "Ada Lovelace" in c.value]
    lines = dict(line.split("\t") for line in block.splitlines())
    assert set(lines) == {"Ada Lovelace", "Old Timer"}
    for name, link in lines.items():
        got = s.resume(link.split("?resume=", 1)[1], "test:check")
        assert got.value.learner.name == name
    assert [r["Learner"] for r in at.dataframe[0].value.to_dict("records")] == [
        "Ada Lovelace", "Old Timer"]  # fmt: skip
    at.button(key="dashboard.roster").click().run()  # again: nobody's link is replaced
    assert any("has a resume link already" in c.value for c in at.caption)
    assert not [c for c in at.code if "Ada Lovelace\t" in c.value]


def test_the_instructor_removes_a_learner_and_their_work_after_a_confirmation(token) -> None:
    """Issue 22: a learner (a fake one, or one who asked) goes, with all their work; the
    button is disabled until the box is ticked (and its callback checks the box itself)."""
    from dropout_lab.store import Store

    code, people = a_class()
    ada, bob = people["ada"], people["bob"]
    s = Store()
    ada_code = s.issue_code(ada.id)
    at = signed_in(code)
    button = at.button(key=f"dashboard.remove.{ada.id}")
    assert button.disabled  # not before the confirmation
    assert s.learner(ada.id) is not None and s.reflections(ada.id)
    at.checkbox(key=f"dashboard.remove_sure.{ada.id}").check().run()
    assert not at.button(key=f"dashboard.remove.{ada.id}").disabled
    at.button(key=f"dashboard.remove.{ada.id}").click().run()
    assert not at.exception, at.exception
    assert any("Ada and their work were removed" in m.value for m in at.success)
    assert [p.name for p in s.class_learners(code)] == ["Bob"]
    assert s.learner(ada.id) is None and not s.reflections(ada.id)
    assert not s.submissions(ada.id) and not s.quiz_answers(ada.id) and not s.progress(ada.id)
    assert not s.resume(ada_code, "test:check").ok  # her link opens nothing now
    assert [r["Learner"] for r in at.dataframe[0].value.to_dict("records")] == ["Bob"]
    assert s.learner(bob.id) == bob and s.submissions(bob.id)  # Bob keeps everything


def test_the_sidebar_of_the_dashboard_says_true_words_about_joining(token) -> None:
    """The instructor's page has no join form: its sidebar does not point at one on the page."""
    from dropout_lab.ui import session

    at = start()
    words = " ".join(c.value for c in at.sidebar.caption)
    assert "Join your class at the top of the page" in words  # the overview has the form
    assert session.LEARNERS_NAME in [t.key for t in at.text_input]
    at.switch_page("steps/dashboard.py").run()
    assert not at.exception, at.exception
    assert session.LEARNERS_NAME not in [t.key for t in at.text_input]  # no form here
    words = " ".join(c.value for c in at.sidebar.caption)
    assert "at the top of the page" not in words
    assert "Learners join their class at the top of the overview or of any step" in words
