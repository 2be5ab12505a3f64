"""Errors for people (issue 22): a broken lesson file is one line on every page, naming the file
(not the server's folders) and the key, never a traceback; a forged component value (anything a
client can put in the WebSocket message) never raises."""

from __future__ import annotations

import os

import pytest
from streamlit.testing.v1 import AppTest

from dropout_lab.ui import charts, session
from tests.support.harness import MAIN
from tests.unit.test_lesson_config import BROKEN


@pytest.mark.parametrize(("name", "content", "said"), BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_lesson_file_is_one_line_on_the_page(
    name: str, content: bytes, said: str, tmp_path, monkeypatch
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    monkeypatch.setenv("DROPOUT_LAB_LESSON", str(path))
    at = AppTest.from_file(str(MAIN), default_timeout=60).run()
    assert not at.exception, at.exception
    (error,) = at.error
    shown = error.value.replace("\\", "")  # Markdown's escapes
    assert name in shown and said in shown, shown
    assert "\n" not in shown and "Traceback" not in shown
    assert str(tmp_path) not in shown and os.sep + name not in shown  # no server folders


FORGED = [None, 42, "text", ["code"], {"code": ["x"]}, {"rate": {"a": 1}}, {"view": "dark"}]


@pytest.mark.parametrize("forged", FORGED, ids=[repr(f) for f in FORGED])
def test_forged_component_values_never_raise(forged: object) -> None:
    at = AppTest.from_file(str(MAIN), default_timeout=60)
    at.session_state[str(charts.VIEW)] = forged
    at.session_state[str(session.EXPLORE_LIVE)] = forged
    at.run()
    assert not at.exception, at.exception
    at.switch_page("steps/explore.py").run()
    assert not at.exception, at.exception
    at.session_state[str(session.BUILD_CODE_EDITOR)] = forged
    at.switch_page("steps/build.py").run()
    assert not at.exception, at.exception
