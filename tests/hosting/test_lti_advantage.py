"""LTI Advantage over HTTP (issue 26) between a real server started with DROPOUT_LAB_LTI_CONFIG and
an independent platform (`lti1p3platform`, tests/support/lti_platform.py and lti_services.py):

- grades (AGS): a launched learner's progress, made through the store, becomes a score that the
  server's sender posts to the platform's score endpoint (service token first); with the
  platform down the score waits in the outbox and arrives once, when it is back;
- deep linking: an instructor's deep linking request gets the picker; the choice comes back to
  the platform as a signed LtiDeepLinkingResponse that the platform checks against the tool's
  JWKS, naming the chosen target; a link made so opens that target and reports its score;
- the roster (NRPS): the course's members pulled from the platform's NRPS endpoint, and who of
  them has not started."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from dropout_lab.lti import config, keys, roster
from dropout_lab.lti.tool import Tool
from dropout_lab.store import Store
from tests.support import lti_platform, wait
from tests.support.harness import Server, running_server
from tests.support.lti_platform import INSTRUCTOR, LEARNER, Platform

from .test_lti_refusals import _Form, launch_form, post


@pytest.fixture(scope="module")
def lms(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Platform, Server, Path]]:
    data = tmp_path_factory.mktemp("lti-data")
    Store(f"sqlite:///{data / 'dropout-lab.sqlite3'}").close()
    with lti_platform.running_platform() as platform:
        conf = data / "lti.json"
        conf.write_text(json.dumps(platform.tool_config()))
        env = {"DROPOUT_LAB_DATA_DIR": str(data), "DROPOUT_LAB_PRECOMPUTE": "0",
               "DROPOUT_LAB_LTI_CONFIG": str(conf),
               "DROPOUT_LAB_LTI_RETRY_SECONDS": "0.3"}  # fmt: skip
        log = tmp_path_factory.mktemp("lti-server") / "streamlit.log"
        with running_server(log, env=env) as server:
            platform.tool_url = server.url
            yield platform, server, data


@pytest.fixture
def store(lms) -> Iterator[Store]:
    s = Store(f"sqlite:///{lms[2] / 'dropout-lab.sqlite3'}")
    yield s
    s.close()


def launched(platform: Platform, user: str, name: str, **link: str) -> str:
    """A learner launched from the course link; the path the tool sent them to."""
    action, fields = launch_form(platform, user, name=name, **link)
    got = post(action, fields)
    assert got.status_code == 303, got.text[:300]
    return urlsplit(got.headers["location"]).path


def learner_id(store: Store, platform: Platform, name: str) -> int:
    code = store.lti_class(platform.url, *platform.context)
    (found,) = [p.id for p in store.class_learners(code) if p.name == name]
    return found


def scores_of(platform: Platform, user: str) -> list[dict]:
    return [s for s in platform.scores if s.get("userId") == user]


def test_progress_becomes_a_score_at_the_platform(lms, store: Store) -> None:
    platform = lms[0]
    launched(platform, "u-ada", "Ada Lovelace")
    ada = learner_id(store, platform, "Ada Lovelace")
    store.record(ada, "explore", "rate")
    store.record(ada, "explore", "inference")  # Explore done: 1 of 5 steps, 2/4 of the score
    wait.until(lambda: any(s["scoreGiven"] == 10.0 for s in scores_of(platform, "u-ada")),
               timeout=30, what="Ada's score at the platform")  # fmt: skip
    got = scores_of(platform, "u-ada")[-1]
    assert got["scoreMaximum"] == 100.0
    assert got["activityProgress"] == "InProgress" and got["gradingProgress"] == "FullyGraded"
    assert got["lineitem"] == "1" and got["timestamp"].endswith("+00:00")
    store.record(ada, "compare", "sweep")  # another step: the score follows
    wait.until(lambda: scores_of(platform, "u-ada")[-1]["scoreGiven"] == 20.0, timeout=30,
               what="Ada's new score")  # fmt: skip


def test_a_score_due_while_the_platform_is_down_arrives_once(lms, store: Store) -> None:
    platform = lms[0]
    launched(platform, "u-bob", "Bob Babbage")
    bob = learner_id(store, platform, "Bob Babbage")
    platform.down = True
    try:
        calls = platform.service_calls
        store.record(bob, "compare", "sweep")
        wait.until(lambda: platform.service_calls >= calls + 3, timeout=30,
                   what="the sender to try (and retry) while the platform is down")  # fmt: skip
        assert scores_of(platform, "u-bob") == []
        assert store.lti_outbox_counts()["failing"] >= 1
    finally:
        platform.down = False
    wait.until(lambda: scores_of(platform, "u-bob"), timeout=30, what="Bob's score once back")
    launched(platform, "u-cy", "Cy Hopper")  # a later score shows later rounds have run
    store.record(learner_id(store, platform, "Cy Hopper"), "compare", "sweep")
    wait.until(lambda: scores_of(platform, "u-cy"), timeout=30, what="Cy's score")
    assert [s["scoreGiven"] for s in scores_of(platform, "u-bob")] == [10.0]
    assert store.lti_outbox_counts()["failing"] == 0


def _deep_link(platform: Platform, user: str, role: str) -> requests.Response:
    action, fields = launch_form(platform, user, role=role, deep="1")
    return post(action, fields)


def test_deep_linking_returns_the_chosen_target_signed(lms, store: Store) -> None:
    platform, server, _ = lms
    page = _deep_link(platform, "u-prof", INSTRUCTOR)
    assert page.status_code == 200 and "numpy_dropout" in page.text, page.text[:300]
    form = _Form()
    form.feed(page.text)
    assert form.action == "/lti/deep_link"
    chosen = {"pick": form.fields["pick"], "target": "numpy_dropout"}
    back = post(server.url + form.action, chosen)
    assert back.status_code == 200
    answer = _Form()
    answer.feed(back.text)
    assert answer.action == f"{platform.url}/deep_link_return"
    got = post(answer.action, answer.fields)  # the platform checks it with the tool's JWKS
    assert got.status_code == 200 and "Added" in got.text
    (item,) = platform.picked[-1]
    assert item["type"] == "ltiResourceLink" and item["url"] == f"{server.url}/lti/launch"
    assert item["custom"] == {"target": "numpy_dropout"}
    assert item["lineItem"]["scoreMaximum"] == 100.0 and "NumPy" in item["lineItem"]["label"]
    again = post(server.url + form.action, chosen)  # the choice is good once
    assert again.status_code == 403 and "picked" in again.text

    path = launched(platform, "u-dee", "Dee Noether", target="numpy_dropout")
    assert path == "/build"  # Build, its NumPy lab shown (ui/lti.py)
    dee = learner_id(store, platform, "Dee Noether")
    store.save_grade(dee, "numpy_dropout", "def dropout(): ...", {"passed": True})
    wait.until(lambda: scores_of(platform, "u-dee"), timeout=30, what="Dee's lab score")
    last = scores_of(platform, "u-dee")[-1]
    assert (last["scoreGiven"], last["activityProgress"]) == (100.0, "Completed")


def test_a_learner_cannot_deep_link(lms) -> None:
    got = _deep_link(lms[0], "u-sneaky", LEARNER)
    assert got.status_code == 403 and "deep_link" in got.text


def test_the_roster_comes_from_the_platform(lms, store: Store, monkeypatch) -> None:
    platform, _, data = lms
    launched(platform, "u-eve", "Eve Curie")
    store.record(learner_id(store, platform, "Eve Curie"), "explore", "rate")
    launched(platform, "u-fay", "Fay Kovalevskaya")  # launched, nothing done yet
    platform.members = [
        {"user_id": "u-eve", "name": "Eve Curie", "roles": [LEARNER], "email": "eve@x.edu"},
        {"user_id": "u-fay", "name": "Fay Kovalevskaya", "roles": [LEARNER]},
        {"user_id": "u-gil", "name": "Gil Germain", "roles": [LEARNER]},  # never launched
        {"user_id": "u-prof", "name": "Prof Turing", "roles": [INSTRUCTOR]},
    ]
    monkeypatch.setenv("DROPOUT_LAB_DATA_DIR", str(data))  # the server's key
    conf = Tool(config.parse(platform.tool_config()), keys.ensure(data), store).tool_conf
    code = store.lti_class(platform.url, *platform.context)
    members = roster.pull(store, conf, code)
    assert members is not None
    assert {m["sub"] for m in members} >= {"u-eve", "u-fay", "u-gil", "u-prof"}
    started = {p["learner_id"] for p in store.class_progress(code) if p["progress"]}
    names = [m["name"] for m in roster.waiting(members, started)]
    assert "Gil Germain" in names and "Fay Kovalevskaya" in names
    assert "Eve Curie" not in names and "Prof Turing" not in names
    eve = next(m for m in members if m["sub"] == "u-eve")
    assert eve["email"] == "eve@x.edu"


def test_a_course_without_a_roster_address_says_so(store: Store) -> None:
    assert roster.pull(store, None, "no-such-class") is None
