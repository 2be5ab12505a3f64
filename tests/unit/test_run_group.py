"""A submission cannot make more processes than the sandbox's limit, whoever runs the server:
as root (this machine and CI) RLIMIT_NPROC does not hold and the run's control group does
(app/grading/run_group.py); otherwise RLIMIT_NPROC does. Before the group, a fork bomb made
3,600 runnable processes here and starved the server and the other tests for 24 s."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from dropout_lab.grading import checks as grading
from dropout_lab.grading import run_group, sandbox
from tests.sandbox_required import require_sandbox  # noqa: F401  (autouse)

# Children that wait for a signal (they never get one: the sandbox's end kills them), counted
# by the parent until a fork is refused.
FORKS = """import os, signal
import numpy as np

def dropout_forward(x, rate, training, rng):
    made = 0
    for _ in range(300):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            signal.pause()
            os._exit(0)
        made += 1
    print("children", made)
    return x
"""


def test_a_submission_gets_no_more_processes_than_the_limit() -> None:
    verdict = grading.grade(FORKS)
    line = next(w for w in verdict.output.split("\n") if w.startswith("children"))
    made = int(line.split()[1])
    assert 0 < made < sandbox.Limits().processes, verdict.output


def test_as_root_a_command_runs_in_a_group_of_its_own_removed_after() -> None:
    if os.geteuid() != 0:  # the group is root's tool; the test above holds the limit for all
        assert not run_group.available()
        return
    assert run_group.available(), "root, but no writable cgroup pids hierarchy"
    with run_group.command_prefix(4) as prefix:
        shown = subprocess.run(
            [*prefix, "cat", "/proc/self/cgroup"], capture_output=True, text=True, check=True
        ).stdout
        lines = shown.split("\n")
        (group,) = {line.rsplit("/", 1)[1] for line in lines if run_group.PREFIX in line}
        made = list(run_group.ROOT.glob(f"*/{group}"))
        assert made and all((g / "cgroup.procs").exists() for g in made)
        limit = next(g / "pids.max" for g in made if (g / "pids.max").exists())
        assert limit.read_text().strip() == "4"
    assert not any(g.exists() for g in made)  # its one process is gone: the group too


def test_a_unified_hierarchy_gets_one_group_with_both_limits(tmp_path: Path) -> None:
    (tmp_path / "cgroup.subtree_control").write_text("cpu memory pids\n")
    assert run_group._plan(tmp_path, 18) == [
        (tmp_path, {"pids.max": "18", "cpu.weight": str(run_group.CPU_WEIGHT_V2)})
    ]
    (tmp_path / "cgroup.subtree_control").write_text("cpu memory\n")
    assert run_group._plan(tmp_path, 18) is None  # no pids controller handed down: no group


def test_a_run_starting_beside_another_leaves_its_fresh_group_alone() -> None:
    """Another grading's group, made but not yet joined (empty), is not swept away by the next
    run's clean-up (it was: 'cgroup.procs: Directory nonexistent', exit code 2)."""
    if not run_group.available():
        return  # the test above says when groups are not made here
    with run_group.command_prefix(4) as first:
        fresh = [Path(part.split('"')[1]).parent for part in first[2].split(" && ")[:-1]]
        with run_group.command_prefix(4):
            assert all(group.is_dir() for group in fresh)
        done = subprocess.run([*first, "true"], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
