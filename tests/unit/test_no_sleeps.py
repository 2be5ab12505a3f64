"""No test synchronises with a fixed sleep (issue 21): a sleep that is long enough on one machine
is too short on a busier one, and a waste on a faster one. Every wait goes through
`tests/support/wait.py`, which waits for a condition under a generous ceiling; `pause` and `pace`
there are for the few places where the passing of time is itself under test."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
ALLOWED = {TESTS / "support" / "wait.py"}
BENCHMARKS = TESTS / "bench"  # they measure time, they do not assert on it
FORBIDDEN_ATTRIBUTES = {"sleep", "wait_for_timeout"}


def fixed_waits(tree: ast.AST) -> list[int]:
    """Line numbers of `x.sleep(...)`, `x.wait_for_timeout(...)` and a bare `sleep(...)`."""
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        if (isinstance(f, ast.Attribute) and f.attr in FORBIDDEN_ATTRIBUTES) or (
            isinstance(f, ast.Name) and f.id == "sleep"
        ):
            lines.append(node.lineno)
    return lines


def test_no_test_waits_a_fixed_time() -> None:
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        if path in ALLOWED or BENCHMARKS in path.parents:
            continue
        for line in fixed_waits(ast.parse(path.read_text(), str(path))):
            found.append(f"{path.relative_to(ROOT)}:{line}")
    assert found == [], "use tests.support.wait (until, rerun_until, pause, pace):\n" + "\n".join(
        found
    )


def test_the_check_finds_each_kind_of_fixed_wait() -> None:
    code = (
        "import time\nfrom time import sleep\ntime.sleep(1)\nsleep(2)\npage.wait_for_timeout(3)\n"
    )
    assert fixed_waits(ast.parse(code)) == [3, 4, 5]
    assert fixed_waits(ast.parse("x = 'time.sleep(1)'\n")) == []  # code in a string is data
