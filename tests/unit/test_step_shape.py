"""Steps of one shape (issue 24, part 7), read from the sources as test_imports reads imports:
each app/steps/<id>.py is its title and a list of section calls (no functions, loops or widgets
of its own: those are in ui/), and the one waiting panel (ui/waiting.py) is the only fragment
that polls until something is done and then reruns the page."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
STEPS = sorted(p for p in (APP / "steps").glob("*.py") if p.name != "__init__.py")
MAX_LINES = 25
# What a step may draw itself: its title and words, and where the sections go. Every widget
# (anything a learner can change) is drawn by a function of ui/.
STEP_ST = {"title", "header", "markdown", "caption", "divider", "columns", "stop"}
WAITING = APP / "ui" / "waiting.py"
# Fragments that poll for ever: live views of the class (the open question, the room's screen,
# the instructor's controls), which redraw themselves and never rerun the page.
LIVE_VIEWS = {("ui/live.py", "_poll"), ("ui/live_screen.py", "screen"),
              ("ui/live_controls.py", "controls")}  # fmt: skip


def st_attributes(tree: ast.AST) -> set[str]:
    """The `st.<name>` used in `tree`."""
    return {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)
            and isinstance(n.value, ast.Name) and n.value.id == "st"}  # fmt: skip


def is_fragment(node: ast.AST) -> bool:
    """`st.fragment`, or a call of it (`st.fragment(run_every=...)`, `st.fragment(f, ...)`)."""
    target = node.func if isinstance(node, ast.Call) else node
    return isinstance(target, ast.Attribute) and target.attr == "fragment"


def polls(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and any(k.arg == "run_every" for k in node.keywords)


def polling_fragments() -> set[tuple[str, str]]:
    """(file under app/, function) of every fragment that reruns by itself (`run_every`): a
    decorated function, or the function that wraps one in `st.fragment(..., run_every=...)`."""
    found = set()
    for path in APP.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = str(path.relative_to(APP))
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef):
                continue
            if any(is_fragment(d) and polls(d) for d in fn.decorator_list):
                found.add((where, fn.name))
            if any(is_fragment(c) and polls(c) for c in ast.walk(fn) if isinstance(c, ast.Call)):
                found.add((where, fn.name))
    return found


def test_each_step_is_its_title_and_a_list_of_section_calls() -> None:
    assert len(STEPS) >= 8
    for path in STEPS:
        text = path.read_text(encoding="utf-8")
        lines = len(text.splitlines())
        assert lines <= MAX_LINES, f"{path.name}: {lines} lines (at most {MAX_LINES})"
        tree = ast.parse(text)
        kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.For,
                 ast.While, ast.comprehension)  # fmt: skip
        logic = [type(n).__name__ for n in ast.walk(tree) if isinstance(n, kinds)]
        assert not logic, f"{path.name} has {logic}: logic belongs in ui/ or a logic package"
        own = st_attributes(tree) - STEP_ST
        assert not own, f"{path.name} draws {sorted(own)} itself: a ui/ function should"
        titles = [n for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "title"]
        assert titles, f"{path.name} has no title"


def test_steps_import_only_ui_and_streamlit() -> None:
    for path in STEPS:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert node.module in ("dropout_lab.ui", "streamlit"), (path.name, node.module)
            elif isinstance(node, ast.Import):
                assert [a.name for a in node.names] == ["streamlit"], path.name


def test_the_waiting_panel_is_the_only_fragment_that_waits() -> None:
    waiting = {(w, f) for w, f in polling_fragments() if (w, f) not in LIVE_VIEWS}
    assert waiting == {("ui/waiting.py", "until_done")}
    tree = ast.parse(WAITING.read_text(encoding="utf-8"))
    assert sum(is_fragment(n) for n in ast.walk(tree) if isinstance(n, ast.Call)) == 1


def test_the_live_views_never_rerun_the_page() -> None:
    assert polling_fragments() >= LIVE_VIEWS
    for where, name in LIVE_VIEWS:
        tree = ast.parse((APP / where).read_text(encoding="utf-8"))
        fn = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name)
        assert "rerun" not in st_attributes(fn), f"{where}:{name} reruns the page"
