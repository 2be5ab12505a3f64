"""Grade a learner's NumPy `dropout_forward` by properties, on the trusted side.

The trust boundary: this module makes the inputs (its own random seeds, each grading), runs the
learner's function in the sandbox (`grading.sandbox`) to get OUTPUTS ONLY, as `.npy` bytes,
and checks every property here, on plain arrays it parsed itself (`allow_pickle=False`). Nothing
the submission prints, patches or returns can reach the checks: a lying array subclass arrives
as its raw numbers, a patched NumPy lives and dies in the sandbox, a printed "PASSED" is text.
The limit of that: the submission runs in the same sandboxed process as the small runner, so a
determined learner could write forged output records for their own grading (never for anyone
else's, and never outside the sandbox). The grade is feedback for the learner, not an exam.

The learner sees each property's label (from the lab's TOML), whether it held, what was seen,
and a hint; never this code.
"""

from __future__ import annotations

import io
import json
import secrets
from dataclasses import dataclass, field

import numpy as np

from dropout_lab.grading import sandbox
from dropout_lab.lesson.labs import NUMPY_CHECKS, Lab, load_lab

LAB_NAME = "numpy_dropout"
FUNCTION = "dropout_forward"
MAX_CODE_CHARS = 20_000
LIMITS = sandbox.Limits()


@dataclass(frozen=True)
class CheckResult:
    name: str  # the property's id (a NUMPY_CHECKS name)
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
    seconds: float = 0.0
    mode: str = ""
    output: str = ""  # what the code printed (capped), shown as text only
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "passed": self.passed,
            "checks": [c.to_json() for c in self.checks],
            "error": self.error,
        }


# ---------------------------------------------------------------- the calls the grader makes


@dataclass(frozen=True)
class Call:
    id: str
    x: np.ndarray
    rate: float
    training: bool
    seed: int
    global_seed: int


def make_calls(seed: int | None = None) -> list[Call]:
    """The inputs for one grading: fresh random values and seeds unless `seed` is given."""
    r = np.random.default_rng(secrets.randbits(64) if seed is None else seed)

    def seed_() -> int:
        return int(r.integers(1, 2**31))

    def pos(shape, dtype) -> np.ndarray:  # no zeros, so a zero in the output means "dropped"
        return r.uniform(0.5, 2.0, shape).astype(dtype)

    s, s2, g1, g2 = seed_(), seed_(), seed_(), seed_()
    while s2 == s:
        s2 = seed_()
    while g2 == g1:
        g2 = seed_()
    same = pos((40, 50), np.float64)
    calls = [
        Call("shape32", pos((3, 7, 11), np.float32), 0.4, True, seed_(), g1),
        Call("shape64", pos((64,), np.float64), 0.25, True, seed_(), g1),
        Call("big", pos((200, 500), np.float64), 0.3, True, seed_(), g1),
        Call("big32", pos((100, 400), np.float32), 0.6, True, seed_(), g1),
        Call("infer", pos((50, 40), np.float64), 0.5, False, seed_(), g1),
        Call("zero", pos((50, 40), np.float64), 0.0, True, seed_(), g1),
        Call("bad_negative", pos((4, 4), np.float64), -0.1, True, seed_(), g1),
        Call("bad_one", pos((4, 4), np.float64), 1.0, True, seed_(), g1),
        Call("bad_big", pos((4, 4), np.float64), 1.5, True, seed_(), g1),
        Call("seed_a", same, 0.5, True, s, g1),
        Call("seed_a_again", same, 0.5, True, s, g1),
        Call("seed_a_global", same, 0.5, True, s, g2),
        Call("seed_b", same, 0.5, True, s2, g1),
    ]
    return calls


# ---------------------------------------------------------------- running and reading back


@dataclass
class Outcome:
    """What came back from the sandbox, parsed: per call, its meta and its output array."""

    run: sandbox.RunResult | None
    loaded: bool = False
    load_error: dict | None = None
    done: bool = False
    records: dict[str, tuple[dict, np.ndarray | None]] = field(default_factory=dict)
    protocol_error: str = ""


def _npy(x: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.ascontiguousarray(x), allow_pickle=False)
    return buf.getvalue()


def run_calls(code: str, calls: list[Call], *, limits=LIMITS, mode: str | None = None) -> Outcome:
    files = {"submission.py": code.encode("utf-8", "replace")}
    request = {"function": FUNCTION, "calls": []}
    for call in calls:
        files[f"x_{call.id}.npy"] = _npy(call.x)
        request["calls"].append({
            "id": call.id, "x": f"x_{call.id}.npy", "rate": call.rate, "training": call.training,
            "seed": call.seed, "global_seed": call.global_seed,
        })  # fmt: skip
    files["request.json"] = json.dumps(request).encode()
    run = sandbox.run(files, ["submission.py", "request.json"], limits=limits, mode=mode)
    return parse_records(run)


def parse_records(run: sandbox.RunResult) -> Outcome:
    out = Outcome(run=run)
    data, pos = run.result, 0
    while pos < len(data):
        try:
            if pos + 8 > len(data):
                raise ValueError("a cut record")
            n_meta = int.from_bytes(data[pos : pos + 4], "big")
            n_blob = int.from_bytes(data[pos + 4 : pos + 8], "big")
            if n_meta > 65_536 or pos + 8 + n_meta + n_blob > len(data):
                raise ValueError("a record longer than the data")
            meta = json.loads(data[pos + 8 : pos + 8 + n_meta])
            blob = data[pos + 8 + n_meta : pos + 8 + n_meta + n_blob]
            pos += 8 + n_meta + n_blob
            if not isinstance(meta, dict):
                raise ValueError("a record that is not an object")
            array = None
            if blob:
                array = np.lib.format.read_array(io.BytesIO(blob), allow_pickle=False)
                if type(array) is not np.ndarray or array.dtype.kind not in "biuf":
                    raise ValueError("an array that is not plain numbers")
        except Exception as exc:
            out.protocol_error = f"unreadable results ({exc})"
            break
        event = meta.get("event")
        if event == "loaded":
            out.loaded = True
        elif event == "load_error" and out.load_error is None and not out.loaded:
            out.load_error = meta
        elif event == "done":
            out.done = True
            break
        elif event == "call" and isinstance(meta.get("id"), str):
            out.records.setdefault(meta["id"], (meta, array))
    return out


# ---------------------------------------------------------------- the properties


def _lab() -> Lab:
    return load_lab(LAB_NAME)


def _raised(meta: dict) -> str:
    where = f" (line {meta['line']})" if isinstance(meta.get("line"), int) else ""
    msg = str(meta.get("message", ""))[:160]
    return f"raised {meta.get('error', 'an error')}{where}" + (f": {msg}" if msg else "")


class _Missing(Exception):
    """A call has no usable output; the message says why."""


def _out(outcome: Outcome, calls: dict[str, Call], cid: str) -> np.ndarray:
    if cid not in outcome.records:
        raise _Missing("not checked: your code did not get this far")
    meta, array = outcome.records[cid]
    if meta.get("returned"):
        raise _Missing(f"your function returned {meta.get('type', '?')}, not a numeric array")
    if array is None:
        c = calls[cid]
        raise _Missing(
            f"with rate {c.rate:g}, training={c.training}, your function {_raised(meta)}"
        )
    return array


def _shape_dtype(o: Outcome, calls: dict[str, Call]) -> tuple[bool, str]:
    for cid in ("shape32", "shape64", "big", "big32"):
        x, y = calls[cid].x, _out(o, calls, cid)
        if y.shape != x.shape:
            return False, f"For an input of shape {x.shape} you returned shape {y.shape}."
        if y.dtype != x.dtype:
            return False, f"For a {x.dtype} input you returned {y.dtype}."
    return True, "Shapes and dtypes (float32 and float64) match the input."


def _drop_fraction(o: Outcome, calls: dict[str, Call]) -> tuple[bool, str]:
    seen = []
    for cid in ("big", "big32"):
        c, y = calls[cid], _out(o, calls, cid)
        if y.shape != c.x.shape:
            return False, f"Cannot count dropped units: shape {y.shape} is not {c.x.shape}."
        frac = float(np.mean(y == 0))
        seen.append(f"{frac:.1%} at rate {c.rate:g}")
        if abs(frac - c.rate) > 0.01:
            return False, (
                f"With rate {c.rate:g} you dropped {frac:.1%} of {c.x.size:,} units "
                f"(expected about {c.rate:.0%})."
            )
    return True, "Dropped " + ", ".join(seen) + "."


def _kept_scaled(o: Outcome, calls: dict[str, Call]) -> tuple[bool, str]:
    for cid in ("big", "big32", "shape32"):
        c, y = calls[cid], _out(o, calls, cid)
        if y.shape != c.x.shape:
            return False, f"Cannot compare: shape {y.shape} is not {c.x.shape}."
        want = c.x.astype(np.float64) / (1.0 - c.rate)
        kept = y != 0
        if not kept.any():
            return False, f"With rate {c.rate:g} no value was kept at all."
        rtol = 1e-5 if c.x.dtype == np.float32 or y.dtype == np.float32 else 1e-9
        good = np.isclose(y[kept].astype(np.float64), want[kept], rtol=rtol, atol=0)
        if not good.all():
            i = int(np.flatnonzero(kept)[np.argmin(good)])
            xi, yi = float(c.x.flat[i]), float(y.flat[i])
            return False, (
                f"With rate {c.rate:g}, a kept x = {xi:.4g} became {yi:.4g}; "
                f"expected x / (1 - rate) = {xi / (1 - c.rate):.4g} ({int((~good).sum()):,} "
                f"kept values are off)."
            )
    return True, "Every kept value equals x / (1 - rate); the dropped ones are 0."


def _mean_preserved(o: Outcome, calls: dict[str, Call]) -> tuple[bool, str]:
    seen = []
    for cid in ("big", "big32"):
        c, y = calls[cid], _out(o, calls, cid)
        mx, my = float(c.x.mean(dtype=np.float64)), float(y.mean(dtype=np.float64))
        seen.append(f"{my:.3f} vs {mx:.3f}")
        if not np.isfinite(my) or abs(my - mx) > 0.02 * abs(mx):
            return False, f"With rate {c.rate:g} the output's mean is {my:.4g}; x's is {mx:.4g}."
    return True, "Output mean ≈ input mean (" + "; ".join(seen) + ")."


def _identity(cid: str, what: str):
    def check(o: Outcome, calls: dict[str, Call]) -> tuple[bool, str]:
        c, y = calls[cid], _out(o, calls, cid)
        if y.shape != c.x.shape or y.dtype != c.x.dtype:
            return False, f"{what}: got shape {y.shape} {y.dtype}, not {c.x.shape} {c.x.dtype}."
        changed = int(np.sum(y != c.x))
        if changed:
            return False, f"{what}: {changed:,} of {c.x.size:,} values changed."
        return True, f"{what}: x came back unchanged."

    return check


def _bad_rate(o: Outcome, calls: dict[str, Call]) -> tuple[bool, str]:
    wrong = []
    for cid in ("bad_negative", "bad_one", "bad_big"):
        rate = calls[cid].rate
        if cid not in o.records:
            raise _Missing("not checked: your code did not get this far")
        meta, _ = o.records[cid]
        if not meta.get("value_error"):
            got = _raised(meta) if meta.get("error") else "returned a result"
            wrong.append(f"rate {rate:g} {got}")
    if wrong:
        return False, "Expected ValueError, but: " + "; ".join(wrong) + "."
    return True, "Rates -0.1, 1 and 1.5 raise ValueError."


def _reproducible(o: Outcome, calls: dict[str, Call]) -> tuple[bool, str]:
    a, b = _out(o, calls, "seed_a"), _out(o, calls, "seed_a_again")
    if a.shape != b.shape or not np.array_equal(a, b):
        return False, "Two calls with generators made from the same seed gave different outputs."
    return True, "Same seed, same output."


def _uses_generator(o: Outcome, calls: dict[str, Call]) -> tuple[bool, str]:
    a = _out(o, calls, "seed_a")
    g, b = _out(o, calls, "seed_a_global"), _out(o, calls, "seed_b")
    if a.shape != g.shape or not np.array_equal(a, g):
        return False, (
            "Same generator seed, but a different global np.random state changed your output: "
            "draw from rng, not from np.random."
        )
    if a.shape == b.shape and np.array_equal(a, b):
        return False, "Generators with different seeds gave the same output: is rng used at all?"
    if not o.records["seed_a"][0].get("used_rng"):
        return False, "The generator passed in was not drawn from."
    return True, "Different generators give different masks; the global state does not matter."


CHECKS = {
    "shape_dtype": _shape_dtype,
    "drop_fraction": _drop_fraction,
    "kept_scaled": _kept_scaled,
    "mean_preserved": _mean_preserved,
    "inference_identity": _identity("infer", "At inference (training=False)"),
    "rate_zero_identity": _identity("zero", "With rate 0"),
    "bad_rate": _bad_rate,
    "reproducible": _reproducible,
    "uses_generator": _uses_generator,
}
assert set(CHECKS) == set(NUMPY_CHECKS)


# ---------------------------------------------------------------- the verdict


def _run_error(o: Outcome, limits: sandbox.Limits) -> str | None:
    """Why the run as a whole went wrong, in the learner's words; None if it completed."""
    run = o.run
    assert run is not None
    if o.load_error is not None:
        e = o.load_error
        line = f" on line {e['line']}" if isinstance(e.get("line"), int) else ""
        kind = e.get("error")
        if kind == "missing":
            return f"There is no function named `{FUNCTION}` in your code."
        if kind == "SyntaxError":
            return f"Your code has a syntax error{line}: {e.get('message', '')}"
        if kind == "SystemExit":
            return "Your code called sys.exit() while loading; the checks did not run."
        return f"Your code raised {kind}{line} while loading: {e.get('message', '')}"
    if run.status == "timeout":
        return (
            f"Stopped after {limits.wall_seconds:g} s: your code did not finish in time "
            f"(an infinite loop, or waiting for something that never ends?)."
        )
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


def check_outcome(o: Outcome, calls: list[Call], lab: Lab, limits=LIMITS) -> Verdict:
    by_id = {c.id: c for c in calls}
    error = _run_error(o, limits)
    results = []
    for goal in lab.goals:
        try:
            if o.load_error is not None:
                raise _Missing("not checked: your code did not load")
            ok, message = CHECKS[goal.check](o, by_id)
        except _Missing as why:
            ok, message = False, str(why)[:1].upper() + str(why)[1:] + "."
        results.append(CheckResult(goal.id, goal.label, ok, message, goal.hint))
    run = o.run
    output = (run.stdout + run.stderr) if run else ""
    return Verdict(
        passed=error is None and all(r.passed for r in results),
        checks=results,
        error=error,
        seconds=run.seconds if run else 0.0,
        mode=run.mode if run else "",
        output=output,
        notes=list(run.notes) if run else [],
    )


def not_run(lab: Lab, error: str) -> Verdict:
    checks = [CheckResult(g.id, g.label, False, "Not checked.", g.hint) for g in lab.goals]
    return Verdict(passed=False, checks=checks, error=error)


def grade(
    code: str, *, limits: sandbox.Limits = LIMITS, mode: str | None = None, seed: int | None = None
) -> Verdict:
    """The verdict for a submission (source text). Never raises for anything the code does."""
    lab = _lab()
    if len(code) > MAX_CODE_CHARS:
        return not_run(lab, f"Your code is too long ({len(code):,} > {MAX_CODE_CHARS:,} chars).")
    try:
        mode = mode or sandbox.choose_mode()
    except sandbox.SandboxUnavailable as exc:
        return not_run(lab, str(exc))
    calls = make_calls(seed)
    outcome = run_calls(code, calls, limits=limits, mode=mode)
    verdict = check_outcome(outcome, calls, lab, limits)
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
        mode = mode or sandbox.choose_mode()
    except sandbox.SandboxUnavailable as exc:
        return None, str(exc)
    call = Call("explore", np.asarray(x), float(rate), bool(training), int(seed), 0)
    outcome = run_calls(code, [call], mode=mode)
    error = _run_error(outcome, LIMITS)
    if error:
        return None, error
    try:
        y = _out(outcome, {"explore": call}, "explore")
    except _Missing as why:
        return None, str(why)
    if y.shape != call.x.shape:
        return None, f"your function returned shape {y.shape}, not {call.x.shape}"
    return y.astype(np.float64), ""
