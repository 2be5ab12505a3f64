"""What the learner page tests share (tests/app/test_learners*.py): each test its own client,
a fresh class code, the app started with a query, its parameters, the store, resume codes and
the sidebar's step links."""

from __future__ import annotations

import uuid

import pytest
from streamlit.testing.v1 import AppTest

from dropout_lab.ui import session
from tests.support.harness import MAIN


@pytest.fixture(autouse=True)
def own_client(monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test is its own client: wrong codes in one never make another wait."""
    from dropout_lab.ui import links

    client = "test:" + uuid.uuid4().hex
    monkeypatch.setattr(links, "client", lambda: client)
    return client


def new_class() -> str:
    return "T" + uuid.uuid4().hex[:8]


def start(**query: str) -> AppTest:
    at = AppTest.from_file(str(MAIN), default_timeout=60)
    for name, value in query.items():
        at.query_params[name] = value
    return at.run()


def param(at: AppTest, name: str) -> str | None:
    """A query parameter's value (AppTest keeps set ones as str, script-set ones as lists)."""
    value = at.query_params.get(name)
    return value[-1] if isinstance(value, list) else value


def store():
    from dropout_lab.store import Store

    return Store()  # the same database the app uses (DROPOUT_LAB_DATA_DIR of the test session)


def resume_code(at: AppTest) -> str:
    """The learner's own resume code: the one in the address."""
    code = param(at, "resume")
    assert code and code == at.session_state[session.LEARNERS_RESUME]
    return code


def linked(name: str, code: str):
    """A learner created in the store with a resume code: (Learner, code)."""
    got = store().enrol(name, code)
    return got.learner, got.code


def step_links(at: AppTest) -> dict[str, object]:
    """{step id: the sidebar's page link proto} for the five steps."""
    out = {}
    for link in at.sidebar.get("page_link"):
        proto = link.proto
        if proto.page and proto.page != "dashboard" and proto.label != "Overview":
            out[proto.page] = proto
    return out
