"""Grade a learner's NumPy dropout (either NumPy lab) by properties, on the trusted side.

The trust boundary: the grader makes the inputs (its own random seeds, each grading), runs the
learner's functions in the sandbox (`grading.sandbox`, through `grading.runner`) to get OUTPUTS
ONLY, as `.npy` bytes, and checks every property here, on plain arrays it parsed itself
(`allow_pickle=False`). Nothing the submission prints, patches or returns can reach the checks:
a lying array subclass arrives as its raw numbers, a patched NumPy lives and dies in the
sandbox, a printed "PASSED" is text. The limit of that: the submission runs in the same
sandboxed process as the small runner, so a determined learner could write forged output
records for their own grading (never for anyone else's, and never outside the sandbox). The
grade is feedback for the learner, not an exam.

Labs: "numpy_dropout" (`dropout_forward` returns an array; `grading.forward`) and
"numpy_backprop" (`dropout_forward` returns (out, cache), `dropout_backward(dout, cache)`
returns dx; the forward properties plus `grading.backward`'s).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from dropout_lab.grading import backward, forward, sandbox, sandbox_mode
from dropout_lab.grading.runner import LIMITS, Call, Outcome, parse_records, run_calls
from dropout_lab.grading.verdict import (
    CheckResult,
    Missing,
    Verdict,
    array_of,
    not_run,
    run_error,
)
from dropout_lab.lesson.labs import NUMPY_BACKWARD_CHECKS, NUMPY_CHECKS, Lab, load_lab

__all__ = [
    "CHECKS", "LIMITS", "MAX_CODE_CHARS", "Call", "CheckResult", "Outcome", "Verdict",
    "apply_submission", "check_outcome", "grade", "make_calls", "not_run", "parse_records",
    "run_calls",
]  # fmt: skip

DROPOUT_LAB = "numpy_dropout"  # the first NumPy lab (the default)
BACKPROP_LAB = "numpy_backprop"
FUNCTION = "dropout_forward"
MAX_CODE_CHARS = 20_000
CHECKS = forward.CHECKS  # the first lab's properties
make_calls = forward.make_calls


@dataclass(frozen=True)
class LabGrader:
    """What grading one NumPy lab takes: the functions to load, its calls, its properties."""

    functions: tuple[str, ...]
    make_calls: Callable[[int | None], list[Call]]
    checks: dict[str, forward.Check]


GRADERS = {
    DROPOUT_LAB: LabGrader((FUNCTION,), forward.make_calls, forward.CHECKS),
    BACKPROP_LAB: LabGrader(
        backward.FUNCTIONS, backward.make_calls, {**forward.CHECKS, **backward.CHECKS}
    ),
}
assert set(forward.CHECKS) == set(NUMPY_CHECKS)
assert set(backward.CHECKS) == set(NUMPY_BACKWARD_CHECKS)


def _lab(name: str = DROPOUT_LAB) -> Lab:
    return load_lab(name)


def check_outcome(
    o: Outcome, calls: list[Call], lab: Lab, limits: sandbox.Limits = LIMITS
) -> Verdict:
    """Every goal of `lab` checked on what came back (pure: no sandbox, no randomness)."""
    checks = GRADERS[lab.name].checks if lab.name in GRADERS else forward.CHECKS
    by_id = {c.id: c for c in calls}
    error = run_error(o, limits)
    results = []
    for goal in lab.goals:
        try:
            if o.load_error is not None:
                raise Missing("not checked: your code did not load")
            if goal.check not in checks:
                raise Missing(f"not checked: this lab cannot check {goal.check!r}")
            ok, message = checks[goal.check](o, by_id)
        except Missing as why:
            ok, message = False, str(why)[:1].upper() + str(why)[1:] + "."
        results.append(CheckResult(goal.id, goal.label, ok, message, goal.hint))
    run = o.run
    output = (run.stdout + run.stderr) if run else ""
    return Verdict(
        passed=error is None and all(r.passed for r in results),
        checks=results,
        error=error,
        seconds=run.seconds if run else 0.0,
        running_seconds=run.running_seconds if run else 0.0,
        mode=run.mode if run else "",
        output=output,
        notes=list(run.notes) if run else [],
    )


def grade(
    code: str,
    *,
    lab: str = DROPOUT_LAB,
    limits: sandbox.Limits = LIMITS,
    mode: str | None = None,
    seed: int | None = None,
) -> Verdict:
    """The verdict for a submission (source text) to the NumPy lab `lab`. Never raises for
    anything the code does."""
    if lab not in GRADERS:
        raise ValueError(f"no NumPy lab named {lab!r} (labs: {', '.join(GRADERS)})")
    the_lab, grader = _lab(lab), GRADERS[lab]
    if len(code) > MAX_CODE_CHARS:
        return not_run(
            the_lab, f"Your code is too long ({len(code):,} > {MAX_CODE_CHARS:,} chars)."
        )
    try:
        mode = mode or sandbox_mode.choose_mode()
    except sandbox_mode.SandboxUnavailable as exc:
        return not_run(the_lab, str(exc))
    calls = grader.make_calls(seed)
    outcome = run_calls(code, calls, functions=grader.functions, limits=limits, mode=mode)
    verdict = check_outcome(outcome, calls, the_lab, limits)
    if mode == "unsandboxed":
        verdict.notes.insert(0, "Graded WITHOUT a sandbox (DROPOUT_LAB_UNSANDBOXED=1).")
    return verdict


def apply_submission(
    code: str, x: np.ndarray, rate: float, training: bool, seed: int, *, mode: str | None = None
) -> tuple[np.ndarray | None, str]:
    """Run the learner's function once on `x` with `default_rng(seed)`, in the sandbox.

    Returns (output, "") or (None, why not). The output is checked to be a plain array of x's
    shape; it is used for display only.
    """
    try:
        mode = mode or sandbox_mode.choose_mode()
    except sandbox_mode.SandboxUnavailable as exc:
        return None, str(exc)
    call = Call("explore", np.asarray(x), float(rate), bool(training), int(seed), 0)
    outcome = run_calls(code, [call], mode=mode)
    error = run_error(outcome, LIMITS)
    if error:
        return None, error
    try:
        y = array_of(outcome, {"explore": call}, "explore")
    except Missing as why:
        return None, str(why)
    if y.shape != call.x.shape:
        return None, f"your function returned shape {y.shape}, not {call.x.shape}"
    return y.astype(np.float64), ""
