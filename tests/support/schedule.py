"""How the suite is spread over pytest-xdist workers (`scripts/test.sh` runs `-n 2`, the quick
loop `-n 3`).

Two rules, both derived, nothing to keep by hand:

- **Together where a fixture is shared.** A test module whose tests share a module- or
  class-scoped fixture (a trained model, a server, a sandbox corpus) runs on one worker, so the
  fixture is built once (an `xdist_group` mark groups tests too). Every other test is a unit of
  its own and goes to whichever worker is free.
- **Longest first.** Work units are handed out longest first (the classic LPT rule: the last unit
  to start is a short one, so no worker idles while another runs a long tail). The expected
  seconds come from `tests/data/test_durations.json`, written by a full run with
  `--record-durations` (`bash scripts/test.sh --record-durations`); a test it does not know yet
  counts as a short one.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

DURATIONS = Path(__file__).resolve().parents[1] / "data" / "test_durations.json"
SHARED_SCOPES = {"module", "class", "package"}
UNKNOWN_SECONDS = 1.0
# A unit slower than this in the recorded run is left out of the quick loop (`--quick`): with
# three workers and the lesson's runs kept from an earlier loop, the 1,299 tests under it took
# 104 s of wall time on two cores (1,309 tests and 117 s at 2.0 s; 2026-12-07).
SLOW_SECONDS = 1.5


def shares_a_fixture(item: pytest.Item) -> bool:
    """The test uses a fixture that lives longer than one test but not the whole session."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return False
    return any(defs[-1].scope in SHARED_SCOPES for defs in info.name2fixturedefs.values() if defs)


def group_of(item: pytest.Item) -> str | None:
    """The xdist group of a test: its own mark's, or its module's when it shares a fixture."""
    mark = item.get_closest_marker("xdist_group")
    if mark is not None:
        return str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
    if shares_a_fixture(item):
        return item.module.__name__ if item.module is not None else None
    return None


def known_durations(path: Path = DURATIONS) -> dict[str, float]:
    try:
        return {k: float(v) for k, v in json.loads(path.read_text()).items()}
    except (OSError, ValueError):
        return {}


def plain_id(nodeid: str) -> str:
    """A node id without the `@group` suffix xdist adds under loadgroup."""
    at = nodeid.rfind("@")
    return nodeid[:at] if at > nodeid.rfind("]") else nodeid


def _units(
    items: list[pytest.Item], durations: dict[str, float], unknown: float = UNKNOWN_SECONDS
) -> tuple[dict[int, str], dict[str, float]]:
    """Each test's unit (its group, or the test itself) and each unit's expected seconds (a
    test not in the recorded run counts `unknown` seconds)."""
    unit_of: dict[int, str] = {}
    seconds: dict[str, float] = defaultdict(float)
    for item in items:
        group = group_of(item)
        unit = group if group is not None else item.nodeid
        unit_of[id(item)] = unit
        seconds[unit] += durations.get(plain_id(item.nodeid), unknown)
    return unit_of, seconds


def arrange(items: list[pytest.Item], durations: dict[str, float]) -> None:
    """Order the units (a group, or a test of its own) longest first (in place, stable)."""
    unit_of, seconds = _units(items, durations)
    items.sort(key=lambda item: -seconds[unit_of[id(item)]])


def mark_slow(items: list[pytest.Item], durations: dict[str, float], over: float) -> int:
    """Mark `slow` every unit that took more than `over` seconds in the recorded run (a group
    as a whole: its shared fixture is most of its cost), so the quick loop's `-m "not slow"`
    follows the measured figures, not a list kept by hand. A test not yet recorded counts
    nothing here: a new test must not take its whole module out of the loop (four new tests of
    a module of quick ones did, 2026-12-07). Returns how many tests it marked."""
    unit_of, seconds = _units(items, durations, unknown=0.0)
    slow = [item for item in items if seconds[unit_of[id(item)]] > over]
    for item in slow:
        item.add_marker(pytest.mark.slow)
    return len(slow)


class DurationRecorder:
    """Collects setup + call + teardown seconds per test; writes them at the end of the run."""

    def __init__(self, path: Path) -> None:
        self.path, self.seconds = path, defaultdict(float)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.seconds[plain_id(report.nodeid)] += report.duration

    def pytest_sessionfinish(self) -> None:
        rounded = {k: round(v, 2) for k, v in sorted(self.seconds.items())}
        self.path.write_text(json.dumps(rounded, indent=0) + "\n")


# --- The controller's side -----------------------------------------------------------------------
#
# Only the workers collect (and so know each test's fixtures); the controller sees node ids. Each
# worker writes the groups it found into the run's shared folder, and the scheduler reads them
# once every worker has collected. (xdist's own `loadgroup` renames node ids to carry the group,
# which pytest 9.2 no longer allows: the groups were silently lost.)

GROUPS_FILE = "xdist-groups-{worker}.json"


def groups(items: list[pytest.Item]) -> dict[str, str]:
    return {item.nodeid: g for item in items if (g := group_of(item)) is not None}


def write_groups(folder: Path, worker: str, found: dict[str, str]) -> None:
    target = folder / GROUPS_FILE.format(worker=worker)
    partial = target.with_suffix(".partial")
    partial.write_text(json.dumps(found))
    partial.replace(target)  # the controller never reads half a file


def read_groups(folder: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted(folder.glob(GROUPS_FILE.format(worker="*"))):
        found.update(json.loads(path.read_text()))
    return found


def make_scheduler(config: pytest.Config, log, folder: Path):
    """A LoadScope scheduler whose scopes are our groups, taken in collection order."""
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        def schedule(self) -> None:
            if self.collection is None:  # the first call, once every worker has collected
                self.groups = read_groups(folder)
                self.config.option.loadscopereorder = False  # keep the longest-first order
            super().schedule()

        def _split_scope(self, nodeid: str) -> str:
            return getattr(self, "groups", {}).get(nodeid, nodeid)

    return GroupScheduling(config, log)
