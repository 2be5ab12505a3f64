"""The NumPy dropout lab's grader: the reference passes; classic mistakes fail on the right
property; the verdict's JSON and the CLI's stdout carry only the verdict."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from dropout_lab.grading import checks as grading
from dropout_lab.lesson.labs import NUMPY_CHECKS, load_lab
from tests.sandbox_required import require_sandbox  # noqa: F401  (autouse)

LAB = load_lab("numpy_dropout")
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
    assert figures["correct_median_s"] < 1.5
    assert "infinite loop" in figures["infinite_loop_verdict"]
