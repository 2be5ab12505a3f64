"""The forward pass's properties: the calls that probe them and the checks on what came back.

Both NumPy labs use them: the first lab's `dropout_forward` returns an array ("forward" calls),
the backprop lab's returns (out, cache) ("pair" calls; only `out` comes back). Every check is a
pure function of the calls and the arrays read back, so the tests can run it in-process too.
The statistical ones (drop fraction, mean) accept with the bounds of `grading.stats`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

import numpy as np

from dropout_lab.grading import stats
from dropout_lab.grading.runner import Call, Outcome
from dropout_lab.grading.verdict import Missing, array_of, raised

Check = Callable[[Outcome, dict[str, Call]], tuple[bool, str]]


def fresh_rng(seed: int | None) -> np.random.Generator:
    """The grader's own randomness: fresh unless a seed is given (tests, reproducing)."""
    return np.random.default_rng(secrets.randbits(64) if seed is None else seed)


def positive(r: np.random.Generator, shape, dtype) -> np.ndarray:
    """No zeros, so a zero in the output means "dropped"."""
    return r.uniform(0.5, 2.0, shape).astype(dtype)


def make_calls(seed: int | None = None, kind: str = "forward") -> list[Call]:
    """The inputs for one grading: fresh random values and seeds unless `seed` is given."""
    r = fresh_rng(seed)

    def seed_() -> int:
        return int(r.integers(1, 2**31))

    s, s2, g1, g2 = seed_(), seed_(), seed_(), seed_()
    while s2 == s:
        s2 = seed_()
    while g2 == g1:
        g2 = seed_()
    same = positive(r, (40, 50), np.float64)

    def call(cid: str, x: np.ndarray, rate: float, training: bool, sd: int, g: int) -> Call:
        return Call(cid, x, rate, training, sd, g, kind=kind)

    return [
        call("shape32", positive(r, (3, 7, 11), np.float32), 0.4, True, seed_(), g1),
        call("shape64", positive(r, (64,), np.float64), 0.25, True, seed_(), g1),
        call("big", positive(r, (200, 500), np.float64), 0.3, True, seed_(), g1),
        call("big32", positive(r, (100, 400), np.float32), 0.6, True, seed_(), g1),
        call("infer", positive(r, (50, 40), np.float64), 0.5, False, seed_(), g1),
        call("zero", positive(r, (50, 40), np.float64), 0.0, True, seed_(), g1),
        call("bad_negative", positive(r, (4, 4), np.float64), -0.1, True, seed_(), g1),
        call("bad_one", positive(r, (4, 4), np.float64), 1.0, True, seed_(), g1),
        call("bad_big", positive(r, (4, 4), np.float64), 1.5, True, seed_(), g1),
        call("seed_a", same, 0.5, True, s, g1),
        call("seed_a_again", same, 0.5, True, s, g1),
        call("seed_a_global", same, 0.5, True, s, g2),
        call("seed_b", same, 0.5, True, s2, g1),
    ]


def shape_dtype(o: Outcome, calls: dict[str, Call]) -> tuple[bool, str]:
    for cid in ("shape32", "shape64", "big", "big32"):
        x, y = calls[cid].x, array_of(o, calls, cid)
        if y.shape != x.shape:
            return False, f"For an input of shape {x.shape} you returned shape {y.shape}."
        if y.dtype != x.dtype:
            return False, f"For a {x.dtype} input you returned {y.dtype}."
    return True, "Shapes and dtypes (float32 and float64) match the input."


def drop_fraction(o: Outcome, calls: dict[str, Call]) -> tuple[bool, str]:
    seen = []
    for cid in ("big", "big32"):
        c, y = calls[cid], array_of(o, calls, cid)
        if y.shape != c.x.shape:
            return False, f"Cannot count dropped units: shape {y.shape} is not {c.x.shape}."
        dropped = int(np.count_nonzero(y == 0))
        lo, hi = stats.binomial_interval(c.x.size, c.rate)
        frac = dropped / c.x.size
        seen.append(f"{frac:.1%} at rate {c.rate:g}")
        if not lo <= dropped <= hi:
            return False, (
                f"With rate {c.rate:g} you dropped {frac:.1%} of {c.x.size:,} units; a correct "
                f"dropout drops between {lo / c.x.size:.1%} and {hi / c.x.size:.1%} "
                f"(all but once in ten million gradings)."
            )
    return True, "Dropped " + ", ".join(seen) + "."


def kept_scaled(o: Outcome, calls: dict[str, Call]) -> tuple[bool, str]:
    for cid in ("big", "big32", "shape32"):
        c, y = calls[cid], array_of(o, calls, cid)
        if y.shape != c.x.shape:
            return False, f"Cannot compare: shape {y.shape} is not {c.x.shape}."
        want = c.x.astype(np.float64) / (1.0 - c.rate)
        kept = y != 0
        if not kept.any():
            return False, f"With rate {c.rate:g} no value was kept at all."
        rtol = 1e-5 if c.x.dtype == np.float32 or y.dtype == np.float32 else 1e-9
        with np.errstate(invalid="ignore", over="ignore"):
            off = kept & ~(np.abs(y.astype(np.float64) - want) <= rtol * np.abs(want))
        if off.any():
            i = int(np.argmax(off))
            xi, yi = float(c.x.flat[i]), float(y.flat[i])
            return False, (
                f"With rate {c.rate:g}, a kept x = {xi:.4g} became {yi:.4g}; "
                f"expected x / (1 - rate) = {xi / (1 - c.rate):.4g} ({int(off.sum()):,} "
                f"kept values are off)."
            )
    return True, "Every kept value equals x / (1 - rate); the dropped ones are 0."


def mean_preserved(o: Outcome, calls: dict[str, Call]) -> tuple[bool, str]:
    seen = []
    for cid in ("big", "big32"):
        c, y = calls[cid], array_of(o, calls, cid)
        mx, my = float(c.x.mean(dtype=np.float64)), float(y.mean(dtype=np.float64))
        bound = stats.mean_bound(c.x, c.rate)
        seen.append(f"{my:.3f} vs {mx:.3f}")
        if not np.isfinite(my) or abs(my - mx) > bound:
            return False, (
                f"With rate {c.rate:g} the output's mean is {my:.4g}; x's is {mx:.4g} "
                f"(a correct dropout stays within ±{bound:.2g} of it)."
            )
    return True, "Output mean ≈ input mean (" + "; ".join(seen) + ")."


def changed(got: np.ndarray, want: np.ndarray) -> int | None:
    """How many of `got`'s values differ from `want`'s; None if its shape or dtype differs."""
    if got.shape != want.shape or got.dtype != want.dtype:
        return None
    return int(np.count_nonzero(got != want))


def identity(cid: str, what: str) -> Check:
    def check(o: Outcome, calls: dict[str, Call]) -> tuple[bool, str]:
        c, y = calls[cid], array_of(o, calls, cid)
        n = changed(y, c.x)
        if n is None:
            return False, f"{what}: got shape {y.shape} {y.dtype}, not {c.x.shape} {c.x.dtype}."
        if n:
            return False, f"{what}: {n:,} of {c.x.size:,} values changed."
        return True, f"{what}: x came back unchanged."

    return check


def bad_rate(o: Outcome, calls: dict[str, Call]) -> tuple[bool, str]:
    wrong = []
    for cid in ("bad_negative", "bad_one", "bad_big"):
        rate = calls[cid].rate
        if cid not in o.records:
            raise Missing("not checked: your code did not get this far")
        meta, _ = o.records[cid]
        if not meta.get("value_error"):
            got = raised(meta) if meta.get("error") else "returned a result"
            wrong.append(f"rate {rate:g} {got}")
    if wrong:
        return False, "Expected ValueError, but: " + "; ".join(wrong) + "."
    return True, "Rates -0.1, 1 and 1.5 raise ValueError."


def reproducible(o: Outcome, calls: dict[str, Call]) -> tuple[bool, str]:
    a, b = array_of(o, calls, "seed_a"), array_of(o, calls, "seed_a_again")
    if a.shape != b.shape or not np.array_equal(a, b):
        return False, "Two calls with generators made from the same seed gave different outputs."
    return True, "Same seed, same output."


def uses_generator(o: Outcome, calls: dict[str, Call]) -> tuple[bool, str]:
    a = array_of(o, calls, "seed_a")
    g, b = array_of(o, calls, "seed_a_global"), array_of(o, calls, "seed_b")
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


CHECKS: dict[str, Check] = {
    "shape_dtype": shape_dtype,
    "drop_fraction": drop_fraction,
    "kept_scaled": kept_scaled,
    "mean_preserved": mean_preserved,
    "inference_identity": identity("infer", "At inference (training=False)"),
    "rate_zero_identity": identity("zero", "With rate 0"),
    "bad_rate": bad_rate,
    "reproducible": reproducible,
    "uses_generator": uses_generator,
}
STATISTICAL = {"drop_fraction": 2, "mean_preserved": 2}  # tests per grading, see grading.stats
assert sum(STATISTICAL.values()) == stats.STAT_TESTS
