"""Acceptance bounds for the graders' statistical checks (drop fraction, mean kept).

A correct inverted dropout drops each of n units independently with probability `rate`: the
number dropped is exactly Binomial(n, rate), and the output's mean is a sum of independent,
bounded terms around the input's mean. Each check accepts what a correct solution produces in
all but ALPHA of gradings (two-sided): the binomial bound is exact (its tails summed), the
mean's is Bernstein's inequality (a guarantee, not an approximation). A grading makes at most
STAT_TESTS such tests, so by the union bound a correct solution fails by chance in fewer than
STAT_TESTS × ALPHA ≤ FAILURE_BUDGET (one in a million) of gradings.
"""

from __future__ import annotations

import functools
import math

import numpy as np

FAILURE_BUDGET = 1e-6  # chance per grading that a correct solution fails a statistical check
STAT_TESTS = 4  # statistical tests per grading (drop fraction and mean, on two calls)
ALPHA = 1e-7  # per test, two-sided
assert STAT_TESTS * ALPHA <= FAILURE_BUDGET


@functools.lru_cache(maxsize=64)  # the graders ask for the same few (n, p)
def binomial_interval(n: int, p: float, alpha: float = ALPHA) -> tuple[int, int]:
    """[lo, hi] with P(X < lo) ≤ alpha/2 and P(X > hi) ≤ alpha/2 for X ~ Binomial(n, p)."""
    if n < 1 or not 0.0 < p < 1.0:
        raise ValueError(f"need n >= 1 and 0 < p < 1, got n={n}, p={p}")
    k = np.arange(n, dtype=np.float64)
    # log pmf(k + 1) - log pmf(k) = log((n - k) / (k + 1)) + log(p / (1 - p))
    steps = np.log((n - k) / (k + 1.0)) + math.log(p / (1.0 - p))
    log_pmf = n * math.log1p(-p) + np.concatenate([[0.0], np.cumsum(steps)])
    pmf = np.exp(log_pmf - log_pmf.max())
    pmf /= pmf.sum()
    below = np.cumsum(pmf)  # P(X <= k)
    above = np.cumsum(pmf[::-1])[::-1]  # P(X >= k), summed from the right: no cancellation
    lo = int(np.argmax(below > alpha / 2))  # the first k with P(X <= k) > alpha/2
    over = np.flatnonzero(above <= alpha / 2)  # P(X >= k) small: P(X > k - 1) small
    hi = int(over[0]) - 1 if over.size else n
    return lo, hi


def mean_bound(x: np.ndarray, rate: float, alpha: float = ALPHA) -> float:
    """t with P(|mean(out) - mean(x)| > t) ≤ alpha for out a correct inverted dropout of x.

    out_i = x_i B_i / q with B_i ~ Bernoulli(q = 1 - rate): the mean's centred terms
    x_i (B_i - q) / (q n) are independent, bounded by M = max|x| max(q, 1 - q) / (q n), with
    variance sum(x²) (1 - q) / (q n²). Bernstein: P(|S| ≥ t) ≤ 2 exp(-t² / (2(σ² + M t / 3))).
    A relative 1e-6 of slack covers rounding (the kept values are rounded to x's dtype).
    """
    x = np.asarray(x, dtype=np.float64).ravel()
    n, q = x.size, 1.0 - rate
    var = float(np.sum(x * x)) * (1.0 - q) / (q * n * n)
    m = float(np.max(np.abs(x))) * max(q, 1.0 - q) / (q * n)
    log_term = math.log(2.0 / alpha)
    a = log_term * m / 3.0
    t = a + math.sqrt(a * a + 2.0 * log_term * var)
    return t + 1e-6 * float(np.mean(np.abs(x))) / q
