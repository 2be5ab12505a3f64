"""The sandbox's clock on a busy machine: the wall limit charges a learner's code only for the
time it was not waiting for a CPU, so honest code passes however busy the server is, code that
sleeps is still stopped at the limit, and the hard ceiling ends every run.

"Busy" here is real: more spinning processes than the machine has cores, started for the test
and killed after it, each in a session of its own like the sandbox (with the kernel's autogroups,
CPU is shared between sessions first: loops in the test's own session would share one slice)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dropout_lab.grading import checks as grading
from dropout_lab.grading import runner, sandbox
from tests.sandbox_required import require_sandbox  # noqa: F401  (autouse)
from tests.support import wait

SPINNERS = 6  # more busy processes than the 2 cores this runs on
FAST = sandbox.Limits(wall_seconds=1.0)
HEAD = "import os, time\nimport numpy as np\n"
GOOD = (
    "def dropout_forward(x, rate, training, rng):\n"
    "    if not 0 <= rate < 1: raise ValueError('rate')\n"
    "    if not training or rate == 0: return x\n"
    "    return np.where(rng.random(x.shape) >= rate, x / (1 - rate), 0).astype(x.dtype)\n"
)
# Honest code that needs 0.3 s of CPU (at import), then a correct function.
HONEST = HEAD + "t = time.process_time()\nwhile time.process_time() - t < 0.3: pass\n" + GOOD
SLEEPS = HEAD + GOOD.replace("    if not 0", "    time.sleep(10**6)\n    if not 0")
# Its own main thread made the lowest of priorities (SCHED_IDLE, allowed without privileges),
# then a busy loop: on a busy machine it waits for a CPU nearly all the time, and so is
# charged almost nothing; only the ceiling ends it (the CPU limit would take minutes).
STARVED = HEAD + "os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))\nwhile True: pass\n"


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


@pytest.fixture
def busy() -> Iterator[list[subprocess.Popen]]:
    """SPINNERS busy loops for the test's duration; they have all run before it starts."""
    procs = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"], start_new_session=True)
        for _ in range(SPINNERS)
    ]
    try:
        wait.until(lambda: all(cpu_ticks(p.pid) > 0 for p in procs), what="the busy loops")
        yield procs
    finally:
        for p in procs:
            p.kill()
        for p in procs:
            p.wait()


def grade_run(code: str, limits: sandbox.Limits) -> tuple[grading.Verdict, sandbox.SandboxRun]:
    """The verdict on `code` (forward lab) and the sandbox run behind it."""
    grader = grading.GRADERS[grading.DROPOUT_LAB]
    calls = grader.make_calls(None)
    outcome = runner.run_calls(code, calls, functions=grader.functions, limits=limits)
    verdict = grading.check_outcome(outcome, calls, grading._lab(grading.DROPOUT_LAB), limits)
    assert outcome.run is not None
    return verdict, outcome.run


def test_honest_code_passes_on_a_busy_machine(busy) -> None:
    # Under the old rule (wall time from before bwrap started) this was stopped at 1 s.
    verdict = grading.grade(HONEST, limits=FAST)
    assert verdict.error is None, verdict.error
    assert verdict.passed, verdict.to_json()
    # It really was slowed: it took longer on the clock than the wall limit, and passed.
    assert verdict.seconds > FAST.wall_seconds, verdict.seconds


def test_code_that_sleeps_is_stopped_at_the_wall_limit(busy) -> None:
    verdict, run = grade_run(SLEEPS, FAST)
    assert run.status == "timeout" and run.stopped_by == "running", run
    assert not verdict.passed
    assert verdict.error is not None and verdict.error.startswith(
        "Stopped after 1 s of running time"
    ), verdict.error
    # Charged about the wall limit (the loop looks every 0.1 s), on a clock that ran longer.
    assert FAST.wall_seconds <= run.running_seconds < FAST.wall_seconds + 0.5, run
    assert run.seconds >= run.running_seconds
    assert run.seconds < FAST.ceiling


def test_code_that_sleeps_is_stopped_on_a_quiet_machine_too() -> None:
    _, run = grade_run(SLEEPS, FAST)
    assert run.status == "timeout" and run.stopped_by == "running", run
    assert FAST.wall_seconds <= run.running_seconds < FAST.wall_seconds + 0.5, run


def test_the_hard_ceiling_ends_a_run_that_is_always_waiting(busy) -> None:
    limits = sandbox.Limits(wall_seconds=1.0, ceiling_seconds=4.0)
    verdict, run = grade_run(STARVED, limits)
    assert run.status == "timeout" and run.stopped_by == "ceiling", run
    assert limits.ceiling <= run.seconds < limits.ceiling + 0.5, run
    # It was charged less than the wall limit: only the ceiling could stop it.
    assert run.running_seconds < limits.wall_seconds, run
    assert verdict.error is not None and verdict.error.startswith(
        "Stopped after 4 s on the clock"
    ), verdict.error


def test_no_wait_is_credited_once_the_code_starts_a_process(busy) -> None:
    # The main thread starved (as above), then five busy child processes: they would make it
    # wait, credited, for ever (a fork bomb as root is not bounded by RLIMIT_NPROC). From the
    # fork on, the clock runs at wall speed: stopped at the wall limit, long before the CPU
    # limit or the ceiling.
    fork = "for _ in range(5):\n    if os.fork() == 0: break\nwhile True"
    limits = sandbox.Limits(wall_seconds=1.0, cpu_seconds=30, ceiling_seconds=30.0)
    verdict, run = grade_run(STARVED.replace("while True", fork), limits)
    assert run.status == "timeout" and run.stopped_by == "running", run
    assert limits.wall_seconds <= run.running_seconds < limits.wall_seconds + 0.5, run
    assert run.seconds < 10, run
    assert verdict.error is not None and "1 s of running time" in verdict.error
