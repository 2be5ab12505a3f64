"""Run untrusted Python (a learner's submission) in a separate, isolated, limited process.

Isolation comes from bubblewrap (`bwrap`, a well-kept tool from the distribution): new user,
PID, network, IPC, UTS and cgroup namespaces (no network at all), a read-only view of the Python
installation only, a small throw-away tmpfs as the only writable place, a cleared environment,
`--die-with-parent` and `--new-session`. On top of that the runner (`sandbox_runner.py`) lowers
its resource limits before it touches the submission (CPU time, address space, processes, file
size, open files, no core dumps), and this side enforces a limit on running time (wall time
minus waits for a CPU, `run_clock.py`) under a hard ceiling on the clock, and caps what it
reads back. Killing bwrap on time-out kills the PID namespace's init, and with it every process
the submission started (daemons included): nothing outlives a grading.

The submission never talks to the trusted side except through bytes: its stdout/stderr (capped,
only ever shown as text) and a result pipe whose records the grader parses as plain data.

Which mode a run takes ("bwrap", or refused, or a local user's opt-in "unsandboxed") and the
bwrap command line are in `sandbox_mode.py`.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from dropout_lab.grading import run_group
from dropout_lab.grading.run_clock import RunClock
from dropout_lab.grading.sandbox_mode import ENV, JOB_DIR, bwrap_argv, choose_mode, probe

RUNNER = Path(__file__).with_name("sandbox_runner.py")
POLL_SECONDS = 0.1  # between looks at a run's clock


@dataclass(frozen=True)
class Limits:
    # The wall limit is charged running time: wall time minus the time the runner waited for a
    # CPU (run_clock.py). On a busy server honest code waits, and was stopped (at a load of 30,
    # at 3 s, most of it waiting to start bwrap, Python and NumPy; measured 2026-12-06); code
    # that sleeps or blocks waits for no CPU and is charged every second, and so is code that
    # starts processes of its own (a fork bomb). A busy loop is stopped by the CPU limit at 2 s.
    wall_seconds: float = 5.0
    cpu_seconds: int = 2
    # The hard ceiling, on the clock: nothing holds a sandbox (and a grading slot) longer. The
    # runner can make itself wait for ever (SCHED_IDLE, nice 19, its own busy processes), and a
    # server can be busier than any limit foresees; past this the run is stopped, with its
    # running time in the message. None: `ceiling`, 60 s or 4 x the wall limit if longer (12 x
    # the default's: honest code passes at a load of 30 on two cores, 15 x slower to start).
    ceiling_seconds: float | None = None
    memory_bytes: int = 1 << 30  # address space; NumPy alone maps a few hundred MiB
    processes: int = 16  # RLIMIT_NPROC inside the sandbox's user namespace
    file_bytes: int = 4 << 20  # largest file the code may write (in its tmpfs)
    tmp_bytes: int = 16 << 20  # size of the throw-away tmpfs
    output_bytes: int = 16 << 10  # stdout / stderr kept (the rest is counted, not stored)
    result_bytes: int = 32 << 20  # result records read back

    @property
    def ceiling(self) -> float:
        """The hard ceiling on the clock, in seconds (`ceiling_seconds` or its default)."""
        if self.ceiling_seconds is not None:
            return self.ceiling_seconds
        return max(60.0, 4 * self.wall_seconds)


@dataclass
class SandboxRun:
    """How one sandboxed process ended, and what it left (its output and result file)."""

    status: (
        str  # "ok" (exited 0) | "exit" (non-zero exit) | "signal" | "timeout" | "too_much_output"
    )
    returncode: int | None
    seconds: float  # on the clock
    mode: str  # "bwrap" | "unsandboxed"
    running_seconds: float = 0.0  # charged: `seconds` minus the runner's wait for a CPU
    stopped_by: str = ""  # on "timeout": "running" (the wall limit) | "ceiling"
    stdout: str = ""
    stderr: str = ""
    output_truncated: bool = False
    result: bytes = b""
    notes: list[str] = field(default_factory=list)

    @property
    def signal_number(self) -> int:
        """The signal that ended the code (bwrap reports a child's death by signal N as 128+N)."""
        code = self.returncode
        if code is None:
            return 0
        if code < 0:
            return -code
        if self.mode == "bwrap" and 128 < code < 128 + 65:
            return code - 128
        return 0

    @property
    def signal_name(self) -> str:
        number = self.signal_number
        if not number:
            return ""
        try:
            return signal.Signals(number).name
        except ValueError:
            return f"signal {number}"


def run(
    files: dict[str, bytes],
    args: list[str],
    *,
    limits: Limits = Limits(),
    mode: str | None = None,
    on_result: Callable[[bytes], None] | None = None,
) -> SandboxRun:
    """Run the sandbox runner on `files` (written to a read-only job folder) with `args`.

    Whatever the code does, this returns after about `limits.wall_seconds` of running time
    (waits for a CPU on a busy machine not counted) or `limits.ceiling` on the clock,
    whichever comes first, and no process it started is left running (in "bwrap" mode).
    `on_result`, if given, is called with each chunk of the result pipe as it arrives (the kept
    bytes only), so a long job can be followed live; the whole result is also in `SandboxRun`.
    """
    mode = mode or choose_mode()
    with (
        tempfile.TemporaryDirectory(prefix="dropout-lab-job-") as job,
        _group(mode, limits) as prefix,
    ):
        os.chmod(job, 0o755)
        _write_job(job, files)
        read_end, write_end = os.pipe()
        limit_args = [
            str(write_end), str(limits.cpu_seconds), str(limits.memory_bytes),
            str(limits.processes), str(limits.file_bytes),
        ]  # fmt: skip
        cmd, env, cwd = _command(mode, job, limits, [*limit_args, *args])
        try:
            proc = subprocess.Popen(
                [*prefix, *cmd],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                pass_fds=(write_end,),
                start_new_session=True,
                env=env,
                cwd=cwd,
            )
        finally:
            os.close(write_end)
        # The clocks start once bwrap (or the runner) is running: forking this server's large
        # process can take a second on a busy machine, and none of it is the learner's code
        # (measured: a grading at nice 19 beside six busy loops and a test suite was stopped
        # "after 1 s" of running time that RunClock, starting before the fork, put at 0.16 s).
        start = time.monotonic()
        try:
            result = _collect(proc, read_end, start, limits, mode, on_result)
        finally:
            os.close(read_end)
            _kill(proc)
            if cwd:
                shutil.rmtree(cwd, ignore_errors=True)
        return result


def _group(mode: str, limits: Limits) -> contextlib.AbstractContextManager[list[str]]:
    """The command prefix that gives a bwrap run a control group of its own (`run_group`):
    its process limit counts bwrap's own two processes beside the submission's."""
    if mode != "bwrap":
        return contextlib.nullcontext([])
    return run_group.command_prefix(limits.processes + 2)


def _write_job(job: str, files: dict[str, bytes]) -> None:
    """The learner's files and the runner, readable by the sandbox's user, writable by nobody."""
    for name, data in {**files, "runner.py": RUNNER.read_bytes()}.items():
        path = Path(job, name)
        path.write_bytes(data)
        path.chmod(0o644)


def _command(
    mode: str, job: str, limits: Limits, runner_args: list[str]
) -> tuple[list[str], dict[str, str] | None, str | None]:
    """The runner's command line, environment and working folder in `mode`."""
    if mode == "bwrap":
        user_ns = probe()[1] == "user namespace"
        cmd = [*bwrap_argv(job, user_ns, limits.tmp_bytes), "--", sys.executable, "-I", "-B"]
        return [*cmd, f"{JOB_DIR}/runner.py", JOB_DIR, *runner_args], None, None
    if mode == "unsandboxed":
        cwd = tempfile.mkdtemp(prefix="dropout-lab-scratch-")
        env = {**ENV, "HOME": cwd}
        return [sys.executable, "-I", "-B", f"{job}/runner.py", job, *runner_args], env, cwd
    raise ValueError(f"unknown sandbox mode {mode!r}")


def _kill(proc: subprocess.Popen) -> None:
    """Kill the process group (and so, in bwrap mode, the whole PID namespace) and reap it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        proc.kill()
    proc.wait()


def _collect(
    proc: subprocess.Popen,
    result_fd: int,
    start: float,
    limits: Limits,
    mode: str,
    on_result: Callable[[bytes], None] | None = None,
):
    sel = selectors.DefaultSelector()
    assert proc.stdout is not None and proc.stderr is not None
    streams = {proc.stdout.fileno(): "stdout", proc.stderr.fileno(): "stderr", result_fd: "result"}
    for fd in streams:
        os.set_blocking(fd, False)
        sel.register(fd, selectors.EVENT_READ)
    kept = {"stdout": bytearray(), "stderr": bytearray(), "result": bytearray()}
    caps = {"stdout": limits.output_bytes, "stderr": limits.output_bytes,
            "result": limits.result_bytes}  # fmt: skip
    seen = {"stdout": 0, "stderr": 0, "result": 0}
    clock = RunClock(proc.pid, mode == "bwrap", start)
    status, stopped_by = None, ""
    open_fds = set(streams)
    while open_fds:
        left, stopped_by = _left(clock, limits)
        if left <= 0:
            status = "timeout"
            break
        for key, _ in sel.select(timeout=min(left, POLL_SECONDS)):
            fd = key.fd
            try:
                chunk = os.read(fd, 1 << 16)
            except BlockingIOError:
                continue
            if not chunk:
                sel.unregister(fd)
                open_fds.discard(fd)
                continue
            name = streams[fd]
            seen[name] += len(chunk)
            room = caps[name] - len(kept[name])
            if room > 0:
                kept[name] += chunk[:room]
                if name == "result" and on_result is not None:
                    on_result(chunk[:room])
            if name == "result" and seen[name] > caps[name]:
                status = "too_much_output"
        if status:
            break
    sel.close()
    while status is None:
        # Every stream closed: the process (and anything holding its pipes) is done or nearly.
        try:
            proc.wait(timeout=max(0.05, min(left, POLL_SECONDS)))
            break
        except subprocess.TimeoutExpired:
            left, stopped_by = _left(clock, limits)
            status = "timeout" if left <= 0 else None
    clock.sample()
    _kill(proc)
    result = _result(proc, status, time.monotonic() - start, mode, limits, kept, seen)
    result.running_seconds = clock.running
    result.stopped_by = stopped_by if status == "timeout" else ""
    return result


def _left(clock: RunClock, limits: Limits) -> tuple[float, str]:
    """Seconds before the run could reach a limit (running time never moves faster than the
    clock), and which one: its running time (the wall limit) or the ceiling."""
    clock.sample()
    return min(
        (limits.wall_seconds - clock.running, "running"),
        (limits.ceiling - clock.elapsed, "ceiling"),
    )


def _result(
    proc: subprocess.Popen,
    status: str | None,
    seconds: float,
    mode: str,
    limits: Limits,
    kept: dict[str, bytearray],
    seen: dict[str, int],
) -> SandboxRun:
    """The finished run, from what was kept of its streams and how much was seen."""
    code = proc.returncode
    if status is None:
        status = "ok" if code == 0 else "exit"
    result = SandboxRun(status=status, returncode=code, seconds=seconds, mode=mode)
    if status == "exit" and result.signal_number:
        result.status = "signal"
    truncated = seen["stdout"] > limits.output_bytes or seen["stderr"] > limits.output_bytes
    if truncated:
        result.notes = [
            f"Output cut: your code printed {seen['stdout'] + seen['stderr']:,} bytes; "
            f"the first {limits.output_bytes:,} of each stream are kept."
        ]
    result.stdout = kept["stdout"].decode("utf-8", "replace")
    result.stderr = kept["stderr"].decode("utf-8", "replace")
    result.output_truncated = truncated
    result.result = bytes(kept["result"])
    return result
