"""The suite's spreading over xdist workers (tests/support/schedule.py), on a small planted suite
collected by a real pytest: what shares a fixture stays together, an `xdist_group` mark groups
across modules, the longest unit goes first, and the quick loop's `slow` marks follow the
recorded seconds (a group as a whole)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.support import schedule

PLANTED = {
    "test_shared.py": """
        import pytest

        @pytest.fixture(scope="module")
        def corpus():
            return 1

        def test_a(corpus): pass
        def test_b(corpus): pass
    """,
    "test_alone.py": """
        import pytest

        def test_quick(): pass
        def test_long(): pass

        @pytest.mark.xdist_group("servers")
        def test_on_server(): pass
    """,
    "test_other.py": """
        import pytest

        pytestmark = pytest.mark.xdist_group("servers")

        def test_also_on_server(): pass
    """,
}


def _collect(tmp_path: Path) -> list[pytest.Item]:
    for name, source in PLANTED.items():
        (tmp_path / name).write_text(textwrap.dedent(source))
    found: list[pytest.Item] = []

    class Keep:
        def pytest_collection_finish(self, session: pytest.Session) -> None:
            found.extend(session.items)

    args = ["--collect-only", "-q", "-p", "no:cacheprovider", "--import-mode=importlib",
            "--rootdir", str(tmp_path)]  # fmt: skip
    assert pytest.main([*args, str(tmp_path)], plugins=[Keep()]) == 0
    return found


def _names(items: list[pytest.Item]) -> list[str]:
    return [item.name for item in items]


def test_groups_follow_shared_fixtures_and_marks(tmp_path: Path) -> None:
    groups = {item.name: schedule.group_of(item) for item in _collect(tmp_path)}
    assert groups["test_a"] == groups["test_b"] == "test_shared"
    assert groups["test_on_server"] == groups["test_also_on_server"] == "servers"
    assert groups["test_quick"] is None and groups["test_long"] is None


def test_the_longest_unit_goes_first(tmp_path: Path) -> None:
    items = _collect(tmp_path)
    seconds = {"test_alone.py::test_long": 30.0, "test_shared.py::test_a": 10.0,
               "test_shared.py::test_b": 15.0}  # fmt: skip
    schedule.arrange(items, {_key(items, k): v for k, v in seconds.items()})
    # test_long (30 s) before the shared module (25 s together), before the 1-s units
    assert _names(items)[:3] == ["test_long", "test_a", "test_b"]


def test_slow_marks_follow_the_recorded_seconds_group_as_a_whole(tmp_path: Path) -> None:
    items = _collect(tmp_path)
    seconds = {"test_shared.py::test_a": 4.0, "test_shared.py::test_b": 3.0,
               "test_alone.py::test_long": 9.0, "test_alone.py::test_quick": 0.1}  # fmt: skip
    marked = schedule.mark_slow(items, {_key(items, k): v for k, v in seconds.items()}, over=5.0)
    slow = {item.name for item in items if item.get_closest_marker("slow")}
    # each shared-module test alone is under 5 s, but the module (7 s) is one unit
    assert slow == {"test_a", "test_b", "test_long"} and marked == 3


def test_a_test_not_yet_recorded_does_not_make_its_group_slow(tmp_path: Path) -> None:
    """test_b is new (not in the recorded run): its module of quick tests stays in the loop,
    and the scheduler still counts it (a unit with unknown tests is not taken as free)."""
    items = _collect(tmp_path)
    seconds = {"test_shared.py::test_a": 0.5}
    marked = schedule.mark_slow(items, {_key(items, k): v for k, v in seconds.items()}, over=1.0)
    assert marked == 0
    schedule.arrange(items, {_key(items, k): v for k, v in seconds.items()})
    names = _names(items)  # the module: 0.5 + 1.0 (unknown) s, before a lone unknown test
    assert names.index("test_a") < names.index("test_quick")


def _key(items: list[pytest.Item], suffix: str) -> str:
    """The node id that ends with `suffix` (node ids are relative to the planted rootdir)."""
    (nodeid,) = [item.nodeid for item in items if item.nodeid.endswith(suffix)]
    return nodeid
