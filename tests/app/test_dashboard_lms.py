"""The dashboard's LMS pieces under AppTest (issue 26): the Canvas and Moodle gradebook CSVs of
the class's whole-lesson scores, for any class (a name a spreadsheet would run arrives as text);
with LTI on, an LMS course's members who have not started, and the scores sent. The pull from a
real platform's NRPS endpoint is tests/hosting/test_lti_advantage.py."""

from __future__ import annotations

import csv
import io
import json
import uuid

import pytest

from dropout_lab.lesson import gradebooks
from dropout_lab.store import Store
from dropout_lab.store.lti_grades import Member
from tests.app.test_dashboard import TOKEN, own_client, shown_text, signed_in, token  # noqa: F401

ISS = "https://lms.example"


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The gradebook CSVs the dashboard offers, by LMS."""
    out: dict[str, str] = {}
    for name in ("canvas", "moodle"):
        real = getattr(gradebooks, name)

        def spy(*args, _real=real, _name=name, **kwargs) -> str:
            out[_name] = _real(*args, **kwargs)
            return out[_name]

        monkeypatch.setattr(gradebooks, name, spy)
    return out


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_the_gradebook_csvs_hold_each_learners_score(token, made) -> None:  # noqa: F811
    code = "G" + uuid.uuid4().hex[:8]
    s = Store()
    ada = s.join("Ada", code)
    s.join("-Eve", code)  # a spreadsheet would read "-..." as a formula
    s.record(ada.id, "explore", "rate")
    s.record(ada.id, "explore", "inference")
    at = signed_in(code)
    assert len(at.get("download_button")) == 5
    assert "Your LMS course" not in shown_text(at)  # LTI is off
    canvas = rows(made["canvas"])
    assert canvas[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert canvas[1][0] == "Points Possible" and canvas[1][5] == "100"
    scores = {r[0]: r[5] for r in canvas[2:]}
    assert scores["Ada"] == "10" and scores["'-Eve"] == "0"
    moodle = rows(made["moodle"])
    assert moodle[0][:3] == ["Full name", "Email address", "ID number"]
    assert {r[0]: r[3] for r in moodle[1:]}["Ada"] == "10"


def test_an_lms_course_shows_who_has_not_started(token, made, tmp_path, monkeypatch) -> None:  # noqa: F811
    conf = tmp_path / "lti.json"
    conf.write_text(json.dumps({"platforms": [{
        "issuer": ISS, "client_id": "tool", "deployment_ids": ["d1"],
        "auth_login_url": f"{ISS}/auth", "auth_token_url": f"{ISS}/token",
        "key_set_url": f"{ISS}/jwks"}]}))  # fmt: skip
    monkeypatch.setenv("DROPOUT_LAB_LTI_CONFIG", str(conf))
    s, course = Store(), "course-" + uuid.uuid4().hex[:6]
    code = s.lti_class(ISS, course, "CS101")
    ada = s.lti_learner(ISS, course, "u-ada", "Ada", code)
    s.lti_learner(ISS, course, "u-bob", "Bob", code)  # launched, nothing done
    s.record(ada.id, "explore", "rate")
    s.lti_remember(ISS, course, [Member("u-ada", "Ada", "ada@x.edu"), Member("u-bob", "Bob"),
                                 Member("u-gil", "Gil", "gil@x.edu"),
                                 Member("u-prof", "Prof", learner=False)])  # fmt: skip
    at = signed_in(code)
    text = shown_text(at)
    assert "Your LMS course" in [h.value for h in at.header]
    assert "4 members in the LMS course, 3 of them learners; 2 of those have not started" in text
    (waiting,) = [d.value for d in at.dataframe if list(d.value.columns) == ["Name", "Email"]]
    assert sorted(waiting["Name"]) == ["Bob", "Gil"]
    assert {r[0]: r[1] for r in rows(made["moodle"])[1:]}["Ada"] == "ada@x.edu"
