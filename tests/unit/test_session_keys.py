"""Every session-state key is declared once, in app/ui/session.py: no other file of the app spells
one out (an AST scan), and the table itself is consistent (names, scopes, restorers)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import dropout_lab
from dropout_lab.ui import resume, session
from dropout_lab.ui.session_key import Family, Key

APP = Path(dropout_lab.__file__).resolve().parent
SESSION_FILE = APP / "ui" / "session.py"
NAMESPACES = ("lesson", "learners", "explore", "read", "build", "compare", "reflect", "dashboard")
LOOKS_LIKE_A_KEY = re.compile(rf"^({'|'.join(NAMESPACES)})\.[A-Za-z_]")
STATE_METHODS = {"get", "pop", "setdefault", "__contains__", "__getitem__", "__setitem__"}
KEYED_CALLS = {"form"}  # st.form(key): its first argument is a key


def _leading_text(node: ast.AST) -> str | None:
    """The literal text a string expression starts with (a plain string or an f-string's head)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values:
        return _leading_text(node.values[0])
    return None


def _is_session_state(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "session_state") or (
        isinstance(node, ast.Name) and node.id == "session_state"
    )


def _key_positions(tree: ast.AST) -> list[ast.AST]:
    """Expressions used as a session key: `key=`, `st.form(...)`, `session_state[...]`,
    `session_state.get/pop/setdefault(...)` and `... in session_state`."""
    found: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            found += [kw.value for kw in node.keywords if kw.arg == "key"]
            func = node.func
            if (
                isinstance(func, ast.Attribute)
                and node.args
                and (
                    func.attr in KEYED_CALLS
                    or (func.attr in STATE_METHODS and _is_session_state(func.value))
                )
            ):
                found.append(node.args[0])
        elif isinstance(node, ast.Subscript) and _is_session_state(node.value):
            found.append(node.slice)
        elif isinstance(node, ast.Compare) and any(_is_session_state(c) for c in node.comparators):
            found.append(node.left)
    return found


def spelled_keys(source: str) -> list[tuple[int, str]]:
    """(line, text) of every string in `source` that spells a session key: one the table
    declares (a key, or the head of a family's), or any `<step>.<name>` used as a key."""
    tree = ast.parse(source)
    families = tuple(f.prefix for f in session.FAMILIES)
    out = []
    for node in ast.walk(tree):
        text = _leading_text(node) if isinstance(node, ast.Constant | ast.JoinedStr) else None
        if text is not None and (text in session.KEYS or text.startswith(families)):
            out.append((node.lineno, text))
    for node in _key_positions(tree):
        text = _leading_text(node)
        if text is not None and LOOKS_LIKE_A_KEY.match(text):
            out.append((node.lineno, text))
    return sorted(set(out))


def test_the_scan_finds_spelled_keys_and_passes_table_names() -> None:
    bad = (
        'x = "build.latest"\n'
        'st.slider("Rate", key="explore.zoom")\n'
        'st.session_state.get(f"read.quiz.{item.id}")\n'
        'st.session_state["compare.new"] = 1\n'
        'if "reflect.other" in st.session_state: pass\n'
        'with st.form("dashboard.other"): pass\n'
    )
    assert [line for line, _ in spelled_keys(bad)] == [1, 2, 3, 4, 5, 6]
    good = (
        "st.slider('Rate', key=session.EXPLORE_RATE)\n"
        "st.session_state.get(session.READ_QUIZ.of(item.id))\n"
        'timed("explore.fragment")\n'  # a timing's name, not a key
        'st.markdown("see build.py")\n'
    )
    assert spelled_keys(good) == []


def test_no_file_but_the_table_spells_a_session_key() -> None:
    offenders = []
    for path in sorted(APP.rglob("*.py")):
        if path == SESSION_FILE:
            continue
        for line, text in spelled_keys(path.read_text(encoding="utf-8")):
            offenders.append(f"{path.relative_to(APP)}:{line}: {text!r}")
    assert offenders == [], "declare these in app/ui/session.py and use its names:\n" + "\n".join(
        offenders
    )


def test_every_name_is_its_key_spelled_in_capitals() -> None:
    for name, value in vars(session).items():
        if isinstance(value, Key):
            assert name == value.upper().replace(".", "_"), name
        elif isinstance(value, Family):
            assert name == value.prefix.rstrip(".").upper().replace(".", "_"), name


def test_keys_are_namespaced_by_step_and_declared_once() -> None:
    names = [k.name for k in session.TABLE]
    assert len(names) == len(set(names))
    assert all(LOOKS_LIKE_A_KEY.match(n) for n in names), names
    for family in session.FAMILIES:
        assert family.prefix.endswith(".") and family.prefix not in session.KEYS


def test_the_learners_work_is_the_work_a_leaving_learner_takes_along() -> None:
    """Build's, Reflect's and the learner's own keys, the Read quiz and Explore's use-mine."""
    mine = ("read.quiz", "reflect.", "build.", "learners.", "explore.use_mine")
    for entry in session.TABLE:
        name = entry.prefix if isinstance(entry, Family) else entry.name
        assert entry.learner == name.startswith(mine), name
    assert session.is_learners("read.quiz.q1") and session.is_learners("reflect.answer.q1")
    assert not session.is_learners("explore.rate") and not session.is_learners("unknown.key")


def test_every_resumed_key_has_one_restorer() -> None:
    assert set(resume.RESTORERS) == {k.name for k in session.RESUMED_KEYS}
    assert {k.name for k in session.RESUMED_KEYS} == {
        "learners.progress", "learners.saved_runs", "read.quiz_answers", "reflect.answers",
        "build.code", "build.latest", "build.runs", "learners.predictions",
        "learners.work_saved", "build.numpy_code", "build.numpy_verdict",
        "build.numpy_passed_code", "build.backprop_code", "build.backprop_verdict",
        "build.backprop_passed_code",
    }  # fmt: skip


def test_keys_behave_as_their_strings() -> None:
    import pickle

    key = session.BUILD_LATEST
    assert key == "build.latest" and hash(key) == hash("build.latest")
    assert {key: 1}["build.latest"] == 1
    assert type(pickle.loads(pickle.dumps(key))) is str
    assert session.READ_QUIZ.of("q1") == "read.quiz.q1"
    assert session.lookup("read.quiz.q1") is session.READ_QUIZ
    assert session.LESSON_VISITED.fresh() == set() and session.BUILD_LATEST.fresh() is None
