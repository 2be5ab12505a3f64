"""A grading's verdict: each property's result, and why a run as a whole went wrong.

The learner sees each property's label (from the lab's TOML), whether it held, what was seen,
and a hint; never the checks' code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from dropout_lab.grading import sandbox
from dropout_lab.grading.runner import Call, Outcome
from dropout_lab.lesson.labs import Lab


@dataclass(frozen=True)
class CheckResult:
    name: str  # the property's id (the goal's id in the lab's TOML)
    label: str
    passed: bool
    message: str  # what was seen
    hint: str = ""  # what to do (shown when it did not hold)

    def to_json(self) -> dict:
        text = self.message if self.passed or not self.hint else f"{self.message} Hint: {self.hint}"
        return {"name": self.name, "passed": self.passed, "message": text}


@dataclass
class Verdict:
    passed: bool
    checks: list[CheckResult]
    error: str | None = None
    seconds: float = 0.0  # on the clock
    running_seconds: float = 0.0  # what the wall limit is charged (the sandbox run's)
    mode: str = ""
    output: str = ""  # what the code printed (capped), shown as text only
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "passed": self.passed,
            "checks": [c.to_json() for c in self.checks],
            "error": self.error,
        }


class Missing(Exception):
    """A call has no usable output; the message says why."""


def raised(meta: dict) -> str:
    where = f" (line {meta['line']})" if isinstance(meta.get("line"), int) else ""
    msg = str(meta.get("message", ""))[:160]
    return f"raised {meta.get('error', 'an error')}{where}" + (f": {msg}" if msg else "")


def _why_no_result(meta: dict, call: Call) -> str:
    name = f"your {meta['function']}" if meta.get("function") in _NAMES else "your function"
    if meta.get("pair"):
        return f"{name} returned {meta.get('type', '?')}, not a pair (out, cache)"
    if isinstance(meta.get("shape"), list):
        return f"{name} returned shape {tuple(meta['shape'])} for x + h (not {call.x.shape})"
    if meta.get("returned"):
        return f"{name} returned {meta.get('type', '?')}, not a numeric array"
    return f"with rate {call.rate:g}, training={call.training}, {name} {raised(meta)}"


_NAMES = ("dropout_forward", "dropout_backward")


def array_of(o: Outcome, calls: dict[str, Call], cid: str, part: str = "") -> np.ndarray:
    """The array a call sent back (its `part`), or Missing saying why there is none."""
    key = f"{cid}:{part}" if part else cid
    if key in o.records:
        meta, array = o.records[key]
    elif cid in o.records:
        meta, array = o.records[cid][0], None  # the call failed before this part
    else:
        raise Missing("not checked: your code did not get this far")
    if array is None:
        raise Missing(_why_no_result(meta, calls[cid]))
    return array


def run_error(o: Outcome, limits: sandbox.Limits) -> str | None:
    """Why the run as a whole went wrong, in the learner's words; None if it completed."""
    run = o.run
    assert run is not None
    if o.load_error is not None:
        e = o.load_error
        line = f" on line {e['line']}" if isinstance(e.get("line"), int) else ""
        kind = e.get("error")
        if kind == "missing":
            name = e.get("name") if e.get("name") in _NAMES else "dropout_forward"
            return f"There is no function named `{name}` in your code."
        if kind == "SyntaxError":
            return f"Your code has a syntax error{line}: {e.get('message', '')}"
        if kind == "SystemExit":
            return "Your code called sys.exit() while loading; the checks did not run."
        return f"Your code raised {kind}{line} while loading: {e.get('message', '')}"
    if run.status == "timeout":
        return timeout_message(run, limits)
    if run.status == "too_much_output":
        return "Your code sent back far too much data; the checks stopped reading."
    if o.protocol_error:
        return f"Your code interfered with the grader's results: {o.protocol_error}."
    if run.status == "signal":
        sig = run.signal_name
        if sig == "SIGXCPU" or sig == "SIGKILL":
            return (
                f"Stopped: your code used more than {limits.cpu_seconds} s of CPU time "
                f"(an infinite loop?)."
            )
        if sig in ("SIGSEGV", "SIGBUS", "SIGABRT"):
            return f"Your code crashed the Python process ({sig})."
        return f"Your code's process was ended by {sig}."
    if not o.done:
        code = run.returncode
        return (
            f"Your code ended the process (exit code {code}) before the checks finished: "
            f"do not call sys.exit() or os._exit() in your function."
        )
    return None


def timeout_message(run: sandbox.SandboxRun, limits: sandbox.Limits) -> str:
    """Which limit stopped the code, in what it measured (see sandbox.Limits)."""
    if run.stopped_by == "ceiling":
        return (
            f"Stopped after {limits.ceiling:g} s on the clock, the longest any run may "
            f"take: your code ran for {run.running_seconds:.1f} s of it and waited for a CPU "
            f"the rest (a very busy server). Try again later; if it stops again, look for an "
            f"infinite loop."
        )
    return (
        f"Stopped after {limits.wall_seconds:g} s of running time (time spent waiting for a "
        f"busy server's CPU is not counted): your code did not finish in time (an infinite "
        f"loop, or waiting for something that never ends?)."
    )


def not_run(lab: Lab, error: str) -> Verdict:
    checks = [CheckResult(g.id, g.label, False, "Not checked.", g.hint) for g in lab.goals]
    return Verdict(passed=False, checks=checks, error=error)
