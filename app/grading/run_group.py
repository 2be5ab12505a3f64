"""A control group of its own for each sandboxed run, when the server runs as root.

The runner's process limit (RLIMIT_NPROC, `sandbox_runner.py`) is not enforced on root's
processes, and in a user namespace that root makes, the submission is root outside it. So on a
server run as root (a container's default), a fork bomb in a NumPy lab made 3,600 runnable
processes on this 2-core machine and starved the server and every other learner for 24 s
(measured 2026-12-07, load average past 2,000). The kernel's `pids` controller limits a group's
processes whoever owns them; the `cpu` controller gives the group a small share of the CPU
when the machine is busy (a hostile busy loop then slows the server little; honest code still
gets the idle cores, and its waits are not charged, `run_clock.py`).

Both cgroup v1 (one hierarchy per controller) and v2 (one unified hierarchy) are handled. When
no writable hierarchy with a `pids` controller is found (not root, or a locked-down container),
runs go without a group, as before, and `available()` says so.
"""

from __future__ import annotations

import contextlib
import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
PREFIX = "dropout-lab-run-"
# The whole group, however many processes it holds, weighs half a normal process: a fork bomb
# cannot outweigh the server, and honest code on a busy machine is slowed about 2x, not 8x as
# with an eighth (backprop reference at load 23: 8-10 s on the clock with an eighth).
CPU_SHARES_V1 = 512  # of the default 1,024
CPU_WEIGHT_V2 = 50  # of the default 100


def _plan(root: Path, processes: int) -> list[tuple[Path, dict[str, str]]] | None:
    """Where to make the run's groups and what to write in each, or None without a pids
    controller: v1 has one hierarchy per controller, v2 one group holds both."""
    if (root / "pids" / "cgroup.procs").exists():  # v1
        plan = [(root / "pids", {"pids.max": str(processes)})]
        if (root / "cpu" / "cpu.shares").exists():
            plan.append((root / "cpu", {"cpu.shares": str(CPU_SHARES_V1)}))
        return plan
    try:
        handed = (root / "cgroup.subtree_control").read_text().split()
    except OSError:
        return None
    if "pids" not in handed:
        return None
    settings = {"pids.max": str(processes)}
    if "cpu" in handed:
        settings["cpu.weight"] = str(CPU_WEIGHT_V2)
    return [(root, settings)]


def available(root: Path = ROOT) -> bool:
    """Whether runs get a group of their own here (root, and a writable pids hierarchy)."""
    plan = _plan(root, 1)
    return os.geteuid() == 0 and plan is not None and os.access(plan[0][0], os.W_OK)


_LEFT: set[Path] = set()  # this process's groups not yet removable when their run ended
_LOCK = threading.Lock()  # gradings run in the server's threads


def _sweep(parent: Path) -> None:
    """Remove the groups left behind: this process's (a group whose processes were still
    exiting when its run ended) and those of processes that have gone. Never another live
    run's: a group just made is empty too, until its command joins it."""
    with _LOCK:
        left = [g for g in _LEFT if g.parent == parent]
    _remove(left)
    for old in parent.glob(PREFIX + "*"):
        owner = old.name[len(PREFIX) :].split("-")[0]
        if not (owner.isdigit() and _alive(int(owner))):
            with contextlib.suppress(OSError):
                old.rmdir()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove(groups: list[Path]) -> None:
    for group in groups:
        try:
            group.rmdir()
            gone = True
        except FileNotFoundError:
            gone = True
        except OSError:
            gone = False
        with _LOCK:
            (_LEFT.discard if gone else _LEFT.add)(group)


@contextlib.contextmanager
def command_prefix(processes: int, root: Path = ROOT) -> Iterator[list[str]]:
    """A command prefix that moves the command into a fresh group of at most `processes`
    processes (threads count) and a small CPU share, before it runs; [] where groups are not
    `available`. The group is removed afterwards (or by the next run, if still busy)."""
    plan = _plan(root, processes) if available(root) else None
    name = f"{PREFIX}{os.getpid()}-{uuid.uuid4().hex[:12]}"
    groups: list[Path] = []
    try:
        for parent, settings in plan or []:
            _sweep(parent)
            groups.append(parent / name)
            groups[-1].mkdir()
            for key, value in settings.items():
                (groups[-1] / key).write_text(value)
    except OSError:
        _remove(groups)
        groups = []
    try:
        if not groups:
            yield []
            return
        # The shell joins every group, then becomes the command: nothing it starts escapes.
        joins = " && ".join(f'echo $$ > "{g / "cgroup.procs"}"' for g in groups)
        yield ["/bin/sh", "-c", f'{joins} && exec "$@"', "sh"]
    finally:
        _remove(groups)
