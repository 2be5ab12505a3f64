"""LTI launches over HTTP (issue 26), from an independent platform (`lti1p3platform`, in
tests/support/lti_platform.py) to a real server started with DROPOUT_LAB_LTI_CONFIG: a proper
launch gets the one-time code; every bent one is refused with a plain page naming what failed,
creates nothing, and is logged without its token. The whole launch in a browser is
tests/e2e/test_lti.py."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import sqlalchemy as sa

from dropout_lab.store import Store
from tests.support import lti_platform, wait
from tests.support.harness import Server, running_server
from tests.support.lti_platform import CLAIM, Mischief, Platform


class _Form(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action, self.fields = "", {}

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "form":
            self.action = a.get("action", "")
        elif tag == "input":
            self.fields[a["name"]] = a.get("value", "")


@pytest.fixture(scope="module")
def lms(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Platform, Server, Path]]:
    data = tmp_path_factory.mktemp("lti-data")
    Store(f"sqlite:///{data / 'dropout-lab.sqlite3'}").close()  # the schema, before counting
    with lti_platform.running_platform() as platform:
        config = data / "lti.json"
        config.write_text(json.dumps(platform.tool_config()))
        env = {"DROPOUT_LAB_DATA_DIR": str(data), "DROPOUT_LAB_PRECOMPUTE": "0",
               "DROPOUT_LAB_LTI_CONFIG": str(config)}  # fmt: skip
        log = tmp_path_factory.mktemp("lti-server") / "streamlit.log"
        with running_server(log, env=env) as server:
            platform.tool_url = server.url
            yield platform, server, data


@pytest.fixture
def platform(lms) -> Iterator[Platform]:
    lms[0].mischief = Mischief()
    yield lms[0]
    lms[0].mischief = Mischief()


def learners_count(data: Path) -> int:
    engine = sa.create_engine(f"sqlite:///{data / 'dropout-lab.sqlite3'}")
    with engine.connect() as conn:
        n = conn.execute(sa.text("SELECT count(*) FROM learners")).scalar_one()
    engine.dispose()
    return n


def launch_form(platform: Platform, user: str, **link: str) -> tuple[str, dict]:
    """The LMS link opened, the login followed: the launch form the platform would post."""
    got = requests.get(platform.course_link(user, **link), timeout=30)
    assert got.status_code == 200 and "<form" in got.text, (got.url, got.text[:500])
    form = _Form()
    form.feed(got.text)
    return form.action, form.fields


def post(action: str, fields: dict) -> requests.Response:
    return requests.post(action, data=fields, allow_redirects=False, timeout=30)


def test_a_launch_lands_on_its_step_with_a_one_time_code(lms, platform) -> None:
    _, server, data = lms
    before = learners_count(data)
    action, fields = launch_form(platform, "u-ada", step="read", name="Ada Lovelace")
    assert action == f"{server.url}/lti/launch"
    got = post(action, fields)
    assert got.status_code == 303, got.text[:300]
    where = urlsplit(got.headers["location"])
    assert where.path == "/read"
    assert len(parse_qs(where.query)["lti"][0]) >= 20
    assert learners_count(data) == before + 1
    again = post(action, fields)  # the same POST again: its state was used
    assert again.status_code == 403
    assert 'data-reason="state"' in again.text.replace("'", '"')
    assert learners_count(data) == before + 1


def test_the_jwks_serves_the_tool_key(lms) -> None:
    _, server, data = lms
    keys = requests.get(f"{server.url}/lti/jwks", timeout=10).json()["keys"]
    assert [k["kty"] for k in keys] == ["RSA"]
    pem = next((data / "lti-keys").glob("*.pem"))
    assert pem.stat().st_mode & 0o777 == 0o600
    assert keys[0]["kid"] == pem.stem


BENT = {
    "signature": Mischief(other_key=True),
    "issuer": Mischief(issuer="https://lms.elsewhere.example"),
    "audience": Mischief(audience="someone-else"),
    "deployment": Mischief(deployment="deployment-9"),
    "expired": Mischief(expired=True),
    "claim": Mischief(drop=(CLAIM + "context",)),
}


@pytest.mark.parametrize("reason", list(BENT))
def test_a_bent_launch_is_refused(lms, platform, reason: str) -> None:
    _, server, data = lms
    before = learners_count(data)
    platform.mischief = BENT[reason]
    action, fields = launch_form(platform, f"u-{reason}")
    got = post(action, fields)
    assert got.status_code == 403
    assert re.search(rf"data-reason=.{reason}.", got.text), got.text[:400]
    assert "What the administrator can check" in got.text
    assert learners_count(data) == before
    wait.until(lambda: f"LTI launch refused: {reason}" in server.log(), timeout=10,
               what="the refusal's log line")  # fmt: skip
    assert fields["id_token"] not in server.log()
    assert fields["id_token"].split(".")[2] not in server.log()


def test_a_replayed_nonce_is_refused(lms, platform) -> None:
    _, _server, data = lms
    action, fields = launch_form(platform, "u-first")
    assert post(action, fields).status_code == 303
    before = learners_count(data)
    platform.mischief = Mischief(nonce=platform.nonces[-1])  # the used nonce, a fresh state
    action, fields = launch_form(platform, "u-replay")
    got = post(action, fields)
    assert got.status_code == 403
    assert re.search(r"data-reason=.nonce.", got.text)
    assert learners_count(data) == before


def test_a_launch_without_a_login_or_token_is_refused(lms) -> None:
    _, server, data = lms
    before = learners_count(data)
    for fields in ({"state": "state-made-up", "id_token": "a.b.c"}, {"state": "x"}):
        got = post(f"{server.url}/lti/launch", fields)
        assert got.status_code == 403
        assert re.search(r"data-reason=.(state|format).", got.text)
    assert learners_count(data) == before


def test_a_login_for_an_unknown_platform_is_refused(lms) -> None:
    _, server, _ = lms
    got = requests.get(
        f"{server.url}/lti/login",
        params={
            "iss": "https://unknown.example",
            "login_hint": "u",
            "client_id": "x",
            "target_link_uri": f"{server.url}/lti/launch",
        },
        allow_redirects=False,
        timeout=10,
    )
    assert got.status_code == 403
    assert re.search(r"data-reason=.login.", got.text)
