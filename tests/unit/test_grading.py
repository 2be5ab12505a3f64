"""The NumPy labs' graders: the references pass (in the sandbox, and under 1,000 seeds
in-process); classic mistakes fail on the right property, every time; the statistical bounds
are exact; the verdict's JSON and the CLI's stdout carry only the verdict."""

from __future__ import annotations

import io
import json
import math
import subprocess
import sys

import numpy as np
import pytest

from dropout_lab.grading import checks as grading
from dropout_lab.grading import runner, sandbox, sandbox_runner, stats
from dropout_lab.grading.verdict import Missing
from dropout_lab.lesson.labs import NUMPY_BACKWARD_CHECKS, NUMPY_CHECKS, load_lab
from tests.sandbox_required import require_sandbox  # noqa: F401  (autouse)

LAB = load_lab("numpy_dropout")
BACKPROP = load_lab("numpy_backprop")
SEEDS = range(1000)
HEAD = "import numpy as np\n\ndef dropout_forward(x, rate, training, rng):\n"
CHECK = "    if not 0 <= rate < 1: raise ValueError(rate)\n"
IDLE = "    if not training or rate == 0: return x\n"

WRONG = {
    # name: (code, the property that must fail)
    "no scaling": (
        HEAD + CHECK + IDLE + "    return np.where(rng.random(x.shape) >= rate, x, 0)\n",
        "kept_scaled",
    ),
    "drops at inference": (
        HEAD + CHECK + "    if rate == 0: return x\n"
        "    return np.where(rng.random(x.shape) >= rate, x / (1 - rate), 0).astype(x.dtype)\n",
        "inference_identity",
    ),
    "keep-probability confusion": (
        HEAD
        + CHECK
        + IDLE
        + "    return np.where(rng.random(x.shape) < rate, x / rate, 0).astype(x.dtype)\n",
        "drop_fraction",
    ),
    "no rate check": (
        HEAD
        + IDLE
        + "    return np.where(rng.random(x.shape) >= rate, x / (1 - rate), 0).astype(x.dtype)\n",
        "bad_rate",
    ),
    "global random state": (
        HEAD
        + CHECK
        + IDLE
        + "    keep = np.random.rand(*x.shape) >= rate\n"
        + "    return np.where(keep, x / (1 - rate), 0).astype(x.dtype)\n",
        "uses_generator",
    ),
    "fresh unseeded generator": (
        HEAD + CHECK + IDLE + "    r = np.random.default_rng()\n"
        "    return np.where(r.random(x.shape) >= rate, x / (1 - rate), 0).astype(x.dtype)\n",
        "reproducible",
    ),
    "original dropout (scales at inference)": (
        HEAD + CHECK + "    if not training: return x * (1 - rate)\n    if rate == 0: return x\n"
        "    return np.where(rng.random(x.shape) >= rate, x, 0).astype(x.dtype)\n",
        "inference_identity",
    ),
    "float64 out for float32 in": (
        HEAD
        + CHECK
        + IDLE
        + "    return np.where(rng.random(x.shape) >= rate, x / (1 - rate), np.float64(0))"
        ".astype(np.float64)\n",
        "shape_dtype",
    ),
}


def test_lab_is_a_numpy_lab_with_every_property():
    assert LAB.kind == "numpy"
    assert [g.check for g in LAB.goals] == list(NUMPY_CHECKS)
    assert "def dropout_forward(x, rate, training, rng)" in LAB.starter
    assert load_lab("overfit").kind == "keras"


def test_reference_passes_every_property():
    verdict = grading.grade(LAB.solution)
    assert verdict.passed, verdict.to_json()
    assert verdict.error is None
    assert [c.name for c in verdict.checks] == list(NUMPY_CHECKS)


def test_starter_fails_with_hints():
    verdict = grading.grade(LAB.starter)
    assert not verdict.passed
    failed = {c.name: c for c in verdict.checks if not c.passed}
    assert {"drop_fraction", "kept_scaled", "bad_rate", "uses_generator"} <= set(failed)
    assert all(c.hint for c in failed.values())
    assert "Hint:" in verdict.to_json()["checks"][1]["message"]


@pytest.mark.parametrize("name", list(WRONG))
def test_classic_mistakes_fail_on_the_right_property(name):
    code, prop = WRONG[name]
    verdict = grading.grade(code)
    results = {c.name: c for c in verdict.checks}
    assert not verdict.passed
    assert verdict.error is None, verdict.error
    assert not results[prop].passed, (name, results[prop])


def test_the_no_scaling_mistake_says_what_it_saw():
    verdict = grading.grade(WRONG["no scaling"][0])
    kept = next(c for c in verdict.checks if c.name == "kept_scaled")
    assert "expected x / (1 - rate)" in kept.message
    mean = next(c for c in verdict.checks if c.name == "mean_preserved")
    assert not mean.passed


def test_json_shape():
    data = grading.grade(LAB.starter).to_json()
    assert set(data) == {"passed", "checks", "error"}
    assert all(set(c) == {"name", "passed", "message"} for c in data["checks"])
    json.dumps(data)


def test_cli_prints_only_the_verdict(tmp_path):
    sub = tmp_path / "mine.py"
    sub.write_text("print('{\"passed\": true}')\n" + LAB.solution)
    done = subprocess.run(
        [sys.executable, "-m", "dropout_lab.cli", "grade", str(sub), "--json"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["passed"] is True and data["error"] is None
    bad = tmp_path / "bad.py"
    bad.write_text(LAB.starter)
    done = subprocess.run(
        [sys.executable, "-m", "dropout_lab.cli", "grade", str(bad)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert "✗ Drops a fraction `rate` of the units" in done.stdout


def test_apply_submission_runs_the_learners_function():
    import numpy as np

    x = np.linspace(0.5, 2, 64)
    y, why = grading.apply_submission(LAB.solution, x, 0.5, True, 3)
    assert why == "" and y is not None and y.shape == x.shape
    assert set(np.round(y[y != 0] / x[y != 0], 6)) == {2.0}
    y, why = grading.apply_submission("while True: pass", x, 0.5, True, 3)
    assert y is None and "infinite loop" in why


def test_bench_figures():
    from tests.bench.grading_bench import run_grading_bench

    figures = run_grading_bench(repeats=2)
    assert "error" not in figures, figures
    for key in ("correct_median_s", "backprop_correct_median_s", "infinite_loop_stopped_s",
                "numpy_net_train_s"):  # fmt: skip
        assert figures[key] > 0, key  # figures, not goals: `dropout-lab bench` prints them
    assert "infinite loop" in figures["infinite_loop_verdict"]
    assert figures["numpy_net_state"] == "done"


# --------------------------------------------------------------------------- in-process grading


def outcome_in_process(code: str, lab: str, seed: int) -> tuple[runner.Outcome, list]:
    """A grading's records without the sandbox: the runner's own `answer` calls the (trusted,
    ours) code in this process. For the many-seed tests only."""
    grader = grading.GRADERS[lab]
    namespace: dict = {"__name__": "submission"}
    exec(compile(code, "submission.py", "exec"), namespace)
    funcs = {name: namespace[name] for name in grader.functions}
    calls = grader.make_calls(seed)
    request, inputs = runner.request_of(calls, grader.functions)
    outcome = runner.Outcome(run=sandbox.SandboxRun("ok", 0, 0.0, "in-process"), loaded=True)
    sandbox_runner.answer(request, inputs, funcs, lambda meta, array=None: outcome.add(meta, array))
    outcome.done = True
    return outcome, calls


def grade_in_process(code: str, lab: str, seed: int) -> grading.Verdict:
    outcome, calls = outcome_in_process(code, lab, seed)
    return grading.check_outcome(outcome, calls, load_lab(lab))


@pytest.mark.parametrize("lab", ["numpy_dropout", "numpy_backprop"])
def test_the_reference_passes_under_a_thousand_seeds(lab):
    solution = load_lab(lab).solution
    failed = {}
    for seed in SEEDS:
        verdict = grade_in_process(solution, lab, seed)
        if not verdict.passed:
            failed[seed] = [c.message for c in verdict.checks if not c.passed]
    assert failed == {}


def test_the_failure_budget_holds():
    from dropout_lab.grading import forward

    assert sum(forward.STATISTICAL.values()) == stats.STAT_TESTS
    assert stats.STAT_TESTS * stats.ALPHA <= stats.FAILURE_BUDGET == 1e-6
    # the backprop lab adds no statistical test: its backward checks are exact
    assert set(grading.GRADERS["numpy_backprop"].checks) - set(forward.CHECKS) == set(
        NUMPY_BACKWARD_CHECKS
    )


@pytest.mark.parametrize(("n", "p"), [(1, 0.5), (7, 0.3), (60, 0.05), (200, 0.6), (500, 0.3)])
def test_binomial_interval_is_exact(n, p):
    alpha = 1e-3
    lo, hi = stats.binomial_interval(n, p, alpha)
    pmf = [math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)]
    assert sum(pmf[:lo]) <= alpha / 2 < sum(pmf[: lo + 1])
    assert sum(pmf[hi + 1 :]) <= alpha / 2 < sum(pmf[hi:])


def test_mean_bound_covers_and_is_tight():
    """Empirically at a loose alpha (Bernstein is a guarantee at any alpha), and not wider than
    a normal bound at the grader's alpha by much."""
    r = np.random.default_rng(0)
    x = r.uniform(0.5, 2.0, (100, 400))
    alpha, rate = 0.05, 0.6
    t = stats.mean_bound(x, rate, alpha)
    means = [
        np.where(r.random(x.shape) >= rate, x / (1 - rate), 0).mean() - x.mean()
        for _ in range(2000)
    ]
    assert np.mean(np.abs(means) > t) <= alpha
    sd = math.sqrt(float(np.sum(x * x)) * rate / (1 - rate)) / x.size
    assert stats.mean_bound(x, rate) < 7.0 * sd  # the normal bound at 1e-7 is 5.3 sd


# --------------------------------------------------------------------------- the backprop lab

FWD = (
    "import numpy as np\n\n"
    "def dropout_forward(x, rate, training, rng):\n"
    "    if not 0 <= rate < 1: raise ValueError(rate)\n"
    "    if not training or rate == 0: return x, None\n"
    "    keep = rng.random(x.shape) >= rate\n"
)
SCALED = "    return np.where(keep, x / (1 - rate), 0).astype(x.dtype), (keep, rate)\n"
BWD = "\ndef dropout_backward(dout, cache):\n    if cache is None: return dout\n"

KEEP = "    keep, rate = cache\n"
WRONG_BACKPROP = {
    # name: (code, the property that must fail)
    "backward not scaled": (
        FWD + SCALED + BWD + KEEP + "    return dout * keep\n",
        "backward_scale",
    ),
    "fresh mask in backward": (
        FWD
        + "    return np.where(keep, x / (1 - rate), 0).astype(x.dtype), (rate, rng)\n"
        + BWD
        + "    rate, rng = cache\n"
        + "    return dout * (rng.random(dout.shape) >= rate) / (1 - rate)\n",
        "mask_reused",
    ),
    "keep-probability confusion in backward": (
        FWD + SCALED + BWD + KEEP + "    return (dout * keep / rate).astype(dout.dtype)\n",
        "backward_scale",
    ),
    "scaling at inference in backward": (
        FWD.replace("return x, None", "return x, ('infer', rate)")
        + SCALED
        + BWD
        + "    if cache[0] == 'infer': return dout * (1 - cache[1])\n"
        + KEEP
        + "    return (dout * keep / (1 - rate)).astype(dout.dtype)\n",
        "backward_inference",
    ),
    "float64 dx for float32": (
        FWD
        + "    mask = keep / (1 - rate)\n    return (x * mask).astype(x.dtype), mask\n"
        + BWD
        + "    return dout * cache\n",
        "dx_shape_dtype",
    ),
    "mask rebuilt from out": (
        FWD
        + "    out = np.where(keep, x / (1 - rate), 0).astype(x.dtype)\n"
        + "    return out, (out, rate)\n"
        + BWD
        + "    out, rate = cache\n"
        + "    return (dout * (out != 0) / (1 - rate)).astype(dout.dtype)\n",
        "gradient_check",
    ),
    "identity backward": (FWD + SCALED + BWD + "    return dout\n", "mask_reused"),
    "forward returns the first lab's array": (
        FWD.replace("return x, None", "return x")
        + "    return np.where(keep, x / (1 - rate), 0).astype(x.dtype)\n"
        + BWD
        + "    return dout\n",
        "shape_dtype",
    ),
}


def test_backprop_lab_has_every_property_in_order():
    assert BACKPROP.kind == "numpy"
    assert [g.check for g in BACKPROP.goals] == list(NUMPY_CHECKS + NUMPY_BACKWARD_CHECKS)
    assert "def dropout_backward(dout, cache)" in BACKPROP.starter
    assert all(g.hint and g.label for g in BACKPROP.goals)


@pytest.mark.parametrize("seed", [None, 1, 2])
def test_backprop_reference_passes_in_the_sandbox(seed):
    verdict = grading.grade(BACKPROP.solution, lab="numpy_backprop", seed=seed)
    assert verdict.passed, verdict.to_json()
    assert verdict.mode == "bwrap"
    gradient = next(c for c in verdict.checks if c.name == "gradient_check")
    assert "Relative error" in gradient.message and "centred differences" in gradient.message


def test_backprop_starter_fails_with_hints():
    verdict = grading.grade(BACKPROP.starter, lab="numpy_backprop")
    failed = {c.name for c in verdict.checks if not c.passed}
    assert not verdict.passed and verdict.error is None
    assert {"drop_fraction", "kept_scaled", "backward_scale"} <= failed
    assert all(c.hint for c in verdict.checks if not c.passed)


@pytest.mark.parametrize("name", list(WRONG_BACKPROP))
def test_backprop_mistakes_fail_on_the_right_property_in_the_sandbox(name):
    code, prop = WRONG_BACKPROP[name]
    verdict = grading.grade(code, lab="numpy_backprop")
    results = {c.name: c for c in verdict.checks}
    assert not verdict.passed and verdict.error is None, verdict.error
    assert not results[prop].passed, (name, results[prop])


WRONG_ALL = {
    **{f"forward: {k}": (code, "numpy_dropout", prop) for k, (code, prop) in WRONG.items()},
    **{f"backprop: {k}": (code, "numpy_backprop", p) for k, (code, p) in WRONG_BACKPROP.items()},
}


@pytest.mark.parametrize("name", list(WRONG_ALL))
def test_classic_mistakes_fail_every_time(name):
    """In-process over 250 seeds: the property a mistake breaks never passes by chance."""
    code, lab, prop = WRONG_ALL[name]
    check = grading.GRADERS[lab].checks[prop]
    passed_by_chance = []
    for seed in range(250):
        outcome, calls = outcome_in_process(code, lab, seed)
        try:
            if check(outcome, {c.id: c for c in calls})[0]:
                passed_by_chance.append(seed)
        except Missing:  # no usable output: the property is not met
            pass
    assert passed_by_chance == []


def test_statistical_mistakes_are_far_outside_the_bounds():
    """Why they fail every time: the keep-probability mix-up drops 1 - rate, and no scaling
    keeps (1 - rate) of the mean; both sit tens of standard deviations outside the bounds."""
    for n, rate in ((100_000, 0.3), (40_000, 0.6)):
        lo, hi = stats.binomial_interval(n, rate)
        sd = math.sqrt(n * rate * (1 - rate))
        assert min(abs((1 - rate) * n - lo), abs((1 - rate) * n - hi)) > 20 * sd
        x = np.random.default_rng(0).uniform(0.5, 2.0, n)
        assert rate * x.mean() > 5 * stats.mean_bound(x, rate)


def test_the_old_mean_tolerance_failed_correct_solutions():
    """The former ±2 % mean check failed a correct solution at rate 0.6 on 40,000 units about
    once in 500 gradings; the Bernstein bound for that call is wider than 2 %."""
    x = np.random.default_rng(1).uniform(0.5, 2.0, (100, 400))
    assert stats.mean_bound(x, 0.6) > 0.02 * x.mean()


def test_cli_grades_the_backprop_lab(tmp_path):
    sub = tmp_path / "mine.py"
    sub.write_text(BACKPROP.solution)
    done = subprocess.run(
        [sys.executable, "-m", "dropout_lab.cli", "grade", str(sub), "--lab", "numpy_backprop",
         "--json"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["passed"] is True and set(data) == {"passed", "checks", "error"}
    assert [c["name"] for c in data["checks"]][-5:] == list(NUMPY_BACKWARD_CHECKS)
    assert all(set(c) == {"name", "passed", "message"} for c in data["checks"])


def test_the_backprop_reference_passes_every_time():
    # How fast: `dropout-lab bench --only grading` (backprop_correct_median_s).
    for _ in range(3):
        assert grading.grade(BACKPROP.solution, lab="numpy_backprop").passed


def test_results_are_read_strictly_and_without_ast(monkeypatch):
    """The grader's .npy reader: what NumPy writes comes back equal; anything else is refused;
    `ast` is never used (it is not thread-safe in CPython 3.11, and results are read beside
    Streamlit compiling scripts)."""
    used = []  # NumPy's reader (the one that evaluates the header with ast) is never called
    monkeypatch.setattr(np.lib.format, "read_array", lambda *a, **k: used.append(a))
    assert "ast" not in vars(runner)
    arrays = [np.arange(3000, dtype=np.float32), np.random.default_rng(0).random((3, 7, 11)),
              np.array(3.5), np.zeros((2, 0)), np.ones((2, 3), bool),
              np.arange(4).astype(">i8"), np.asfortranarray(np.ones((2, 3)))]  # fmt: skip
    for a in arrays:
        buf = io.BytesIO()
        np.lib.format.write_array(buf, a, allow_pickle=False)
        back = runner.read_npy(buf.getvalue())
        assert back.dtype == a.dtype and back.shape == a.shape and np.array_equal(back, a)
    good = runner.npy(np.zeros(3))
    for bad in (b"", good[:8], good[:-1], good.replace(b"<f8", b"|O8"),
                good.replace(b"(3,)", b"(4,)"), good.replace(b"False", b"Fals3"),
                good.replace(b"(3,)", b"(4294967296, 4294967296)")):  # fmt: skip
        with pytest.raises(ValueError):
            runner.read_npy(bad)
    assert used == []
