"""How long sandboxed code has been running: wall time minus the time it waited for a CPU.

On a busy server (a class grading at once, two test workers on two cores) honest code spends
most of its wall time on a run queue, waiting for a CPU. Linux counts that wait per thread in
/proc/<pid>/task/<tid>/schedstat: nanoseconds on a CPU, nanoseconds waiting on a run queue,
timeslices. The sandbox's wall limit is charged `elapsed - wait`: what the code would have
taken on a quiet machine, give or take. Code that sleeps or blocks waits for no CPU, so it is
charged every second it sleeps.

Whose wait is credited: the runner's main thread only (before it exists, bwrap's two processes
that start it, one after the other), and only while the runner is the sandbox's one process.
A thread's wait is at most its wall time, so the credit is at most the elapsed time; a sum over
the sandbox's processes is not (sixteen busy loops wait sixteen times over). And the main
thread's wait can be of the code's own making: busy loops in other processes (a fork bomb, which
RLIMIT_NPROC does not bound when the server runs as root) would make it wait, and be credited,
for ever. Honest code is one process, so from the moment the code starts another the credit is
frozen and the clock runs at wall speed: a fork bomb is stopped `wall_seconds` after it starts,
at the latest. Busy threads of its own process can make the main thread wait only as long as
they run, and RLIMIT_CPU bounds their CPU time (threads share it). What remains, a main thread
that waits on a busy machine for ever (SCHED_IDLE or nice 19 while others keep the CPUs busy),
uses next to no CPU: the hard ceiling on the clock ends it (`sandbox.Limits.ceiling`).

Standard library only: `sandbox.py` measures the sandbox from outside with `RunClock`, and the
training job's network (`numpy_net.py`, inside the sandbox, where this file is copied beside it)
times its own wall budget with `running_clock()`: one rule, one piece of code.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable


def run_delay(pid: int | str, tid: int | str | None = None) -> float | None:
    """Seconds thread `tid` of process `pid` (its main thread by default) has waited on a run
    queue, or None where the kernel does not say (no schedstat, or the process is gone)."""
    try:
        with open(f"/proc/{pid}/task/{pid if tid is None else tid}/schedstat") as f:
            return int(f.read().split()[1]) / 1e9
    except (OSError, ValueError, IndexError):
        return None


def running_clock() -> Callable[[], float]:
    """A clock for this thread that stops while it waits for a CPU (monotonic seconds minus its
    run-queue wait); plain `time.monotonic` where schedstat cannot be read."""
    tid = threading_id()
    if run_delay("self", tid) is None:
        return time.monotonic

    def now() -> float:
        return time.monotonic() - (run_delay("self", tid) or 0.0)

    return now


def threading_id() -> int:
    """This thread's kernel id (its tid; the pid for a process's main thread)."""
    return os.gettid() if hasattr(os, "gettid") else os.getpid()


def children(pid: int) -> list[int]:
    """The child processes of `pid` (started by any of its threads); [] once it is gone."""
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out += [int(c) for c in f.read().split()]
        except (OSError, ValueError):
            continue
    return out


def started(pid: int) -> int:
    """When `pid` started, in clock ticks since boot (a large number once gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return 1 << 62


class RunClock:
    """The running time of a sandboxed run, sampled from outside its PID namespace.

    `pid` is the process started: bwrap (whose child, the namespace's init, starts the runner
    as its first child), or the runner itself when `sandboxed` is False. Waits are credited
    only while the runner is the sandbox's one process: from the moment the code starts another
    (a child of the runner, or an orphan handed to init) the credit is frozen for the rest of
    the run, and the clock runs at wall speed.
    """

    def __init__(self, pid: int, sandboxed: bool, start: float) -> None:
        self.start = start
        self.launchers = [pid] if sandboxed else []  # bwrap, then its child: before the runner
        self.runner: int | None = None if sandboxed else pid
        self.launch_wait = 0.0  # the launchers' wait, frozen when the runner is found
        self.runner_wait = 0.0
        self.crowded = False  # the code has started a process of its own
        self.elapsed = 0.0

    @property
    def waited(self) -> float:
        return min(self.elapsed, self.launch_wait + self.runner_wait)

    @property
    def running(self) -> float:
        return self.elapsed - self.waited

    def sample(self) -> None:
        self.elapsed = time.monotonic() - self.start
        if self.runner is None:
            self._find_runner()
        elif not self.crowded:
            init = self.launchers[1:]
            self.crowded = bool(children(self.runner)) or any(len(children(p)) > 1 for p in init)
            wait = None if self.crowded else run_delay(self.runner)
            if wait is not None:  # else it is gone, or no longer alone: keep the last figure
                self.runner_wait = wait

    def _find_runner(self) -> None:
        if len(self.launchers) == 1:
            kids = children(self.launchers[0])
            if kids:
                self.launchers.append(min(kids, key=started))
        waits = [run_delay(p) for p in self.launchers]
        self.launch_wait = max(self.launch_wait, sum(w for w in waits if w is not None))
        if len(self.launchers) == 2:
            kids = children(self.launchers[1])
            if kids:
                self.runner = min(kids, key=started)
