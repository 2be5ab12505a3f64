"""The labs' code editor: CodeMirror 6 (Python highlighting, line numbers, the refused lines
marked in the gutter with their message) as a Streamlit custom component (v2).

The editor sends the learner's text a short pause after the last keystroke; its callback copies
it into the lab's code key (`session.BUILD_CODE`, ...), which stays a plain string that the page,
the resume code and AppTest read and write as before. The page then checks the text and mounts
the editor again with the refusals as data. A text the server changed itself (the starter, a
learner coming back, a test setting the key) gets a new token, and only then does the editor take
it over: its own echo never overwrites what the learner is typing.

The JavaScript is one committed bundle (built from npm by tools/code_editor). Installed as a
package, Streamlit serves it from this folder (the `asset_dir` declared in pyproject.toml), once,
with browser caching; otherwise it goes inline, with every rerun. Nothing is fetched from outside.
"""

from __future__ import annotations

import ast
import secrets
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

import streamlit as st
from streamlit.errors import StreamlitAPIException

from dropout_lab.codelab import reader as codelab
from dropout_lab.lesson.content import step_text
from dropout_lab.lesson.spec import ParseResult
from dropout_lab.ui import session

NAME = "dropout-lab.code_editor"  # <project name>.<component name>, as the manifest declares it
CSS, JS = "editor.css", "editor.bundle.js"
SYNC = session.BUILD_EDITOR_SYNC


@dataclass(frozen=True)
class Diagnostic:
    """One remark on a line of the code: a refusal ("error") or a note ("info")."""

    line: int
    message: str
    severity: str = "error"


@dataclass(frozen=True)
class Editor:
    """One lab's editor: where its text lives (a plain string key) and the component's own key."""

    code: str
    state: str
    label: str
    max_chars: int


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


@cache
def _renderer():
    """Register the component once per process (its definition is immutable, shared safely)."""
    html = _asset("editor.html")
    try:
        return st.components.v2.component(NAME, html=html, css=CSS, js=JS)
    except StreamlitAPIException:  # no asset_dir known (not installed as a package): inline
        return st.components.v2.component(NAME, html=html, css=_asset(CSS), js=_asset(JS))


def text(editor: Editor, starter: str) -> str:
    """The lab's current code: the starter until the learner (or a resume) changed it."""
    if not isinstance(st.session_state.get(editor.code), str):
        st.session_state[editor.code] = starter
    return st.session_state[editor.code]


def _sent(editor: Editor) -> object:
    """The text the browser last sent, unchecked: a forged message may hold anything."""
    state = st.session_state.get(editor.state)
    return state.get("code") if isinstance(state, dict) else None


def _heard(editor: Editor) -> None:
    """The editor sent its text (before the rerun): keep it, checked as a text area would."""
    sent = _sent(editor)
    if not isinstance(sent, str):
        return
    sent = sent[: editor.max_chars]
    st.session_state[editor.code] = sent
    sync = session.value(SYNC)
    sync[editor.code] = {"seen": sent, "token": sync.get(editor.code, {}).get("token", _token())}


def _token() -> str:
    return secrets.token_hex(6)


def show(editor: Editor, diagnostics: Iterable[Diagnostic] = (), *, height: int = 460) -> None:
    """Mount the editor on the lab's current code (call `text` first) with its refusals."""
    code = st.session_state[editor.code]
    sync = session.value(SYNC)
    known = sync.get(editor.code)
    if known is None or known["seen"] != code:  # changed outside the editor: the editor takes it
        known = sync[editor.code] = {"seen": code, "token": _token()}
    heard = _sent(editor)
    data = {
        "doc": code,
        "token": known["token"],
        "heard": heard if isinstance(heard, str) else None,
        "diagnostics": [
            {"line": d.line, "severity": d.severity, "message": d.message} for d in diagnostics
        ],
        "label": editor.label,
        "hint": hint(),
        "height": height,
        "maxChars": editor.max_chars,
    }
    _renderer()(
        key=editor.state, data=data, default={"code": code}, on_code_change=lambda: _heard(editor)
    )


def hint() -> str:
    """The visible line under the editor: how Tab works and how to leave the editor."""
    return step_text("build")["editor"]["keyboard"]


def from_result(result: ParseResult) -> list[Diagnostic]:
    """The code lab's refusals (errors) and notes that name a line."""
    out = [Diagnostic(e.line, e.message, "error") for e in result.errors if e.line]
    return out + [Diagnostic(n.line, n.message, "info") for n in result.notes if n.line]


def syntax_diagnostics(code: str) -> list[Diagnostic]:
    """A syntax error as the code lab words it (nothing run), or none: the NumPy labs' live check
    (their real checks run in the sandbox when the learner presses Grade)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(code)
    except SyntaxError:
        return [d for d in from_result(codelab.parse_code(code)) if d.severity == "error"][:1]
    except (ValueError, RecursionError, MemoryError, OverflowError):
        return []
    return []
