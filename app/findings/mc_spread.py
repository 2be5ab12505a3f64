"""How spread out Monte Carlo passes are, measured three ways, and how sure a difference is.

The standard deviation of P(malicious) is squeezed near 0 and 1 by the sigmoid: two thinned
networks whose logits are 6 and 9 give 0.9975 and 0.9999, a spread of a thousandth for a
disagreement of 3 on the logit scale. So beside it:

* the spread of the logits (the last layer's value before its sigmoid), not squeezed;
* the predictive entropy H(mean P) in bits (0: certain, 1: P = 0.5) and its split into the
  mean entropy of the passes and the mutual information H(mean P) − mean H(P), the part due to
  the passes disagreeing (Gal's "BALD"; 0 when every pass agrees).

`bootstrap` gives a 95% interval for a statistic of the validation set by resampling its
connections, so a sentence about a margin says it only when the interval clears zero.

Pure NumPy; no TensorFlow, no Streamlit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

CONFIDENT = 0.05  # "confident": the MC mean is below this or above 1 − this
DRAWS = 400  # bootstrap resamples of the validation connections
LEVEL = 0.95  # the bootstrap interval's coverage


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64)))


def entropy_bits(p: np.ndarray) -> np.ndarray:
    """Binary entropy of P in bits (0 at P = 0 or 1, 1 at P = 0.5)."""
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-12, 1 - 1e-12)
    return -(p * np.log2(p) + (1 - p) * np.log2(1 - p))


@dataclass(frozen=True)
class Spread:
    """Per connection: the passes' spread on the probability and logit scales, and entropies."""

    mean: np.ndarray  # MC mean P(malicious)
    prob_std: np.ndarray  # standard deviation of P over the passes
    logit_std: np.ndarray  # standard deviation of the logit over the passes
    entropy: np.ndarray  # predictive entropy H(mean P), bits
    mutual_info: np.ndarray  # H(mean P) − mean over passes of H(P), bits

    @property
    def confident(self) -> np.ndarray:
        return (self.mean < CONFIDENT) | (self.mean > 1 - CONFIDENT)

    def squeezed(self) -> np.ndarray:
        """Confident connections whose probability spread is below the set's median while
        their logit spread is above its median: disagreement the sigmoid hides."""
        small_p = self.prob_std < np.median(self.prob_std)
        large_z = self.logit_std > np.median(self.logit_std)
        return self.confident & small_p & large_z


def spread(logits: np.ndarray) -> Spread:
    """The spread measures of passes given as logits, shape (passes, n)."""
    z = np.asarray(logits, dtype=np.float64)
    if z.ndim != 2 or z.shape[0] < 1:
        raise ValueError(f"logits must be (passes, connections), got {z.shape}")
    p = sigmoid(z)
    mean = p.mean(axis=0)
    h = entropy_bits(mean)
    return Spread(mean, p.std(axis=0), z.std(axis=0), h, h - entropy_bits(p).mean(axis=0))


def rank_correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's rank correlation (ties broken by order; enough for continuous spreads)."""
    ra = np.argsort(np.argsort(a, kind="stable"), kind="stable").astype(float)
    rb = np.argsort(np.argsort(b, kind="stable"), kind="stable").astype(float)
    return float(np.corrcoef(ra, rb)[0, 1])


def bootstrap(
    statistic: Callable[[np.ndarray], float], n: int, draws: int = DRAWS, seed: int = 0
) -> tuple[float, float]:
    """The central LEVEL interval of `statistic(indices)` over `draws` resamples (with
    replacement) of the n connections' indices: a statistic that cannot be computed on a
    resample (NaN) is left out."""
    rng = np.random.default_rng(seed)
    values = np.array([statistic(rng.integers(0, n, n)) for _ in range(draws)], dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return float("nan"), float("nan")
    tail = (1 - LEVEL) / 2 * 100
    lo, hi = np.percentile(values, [tail, 100 - tail])
    return float(lo), float(hi)


def side(interval: tuple[float, float]) -> str:
    """ "above" when the interval is above zero, "below" when below, else "across"."""
    lo, hi = interval
    return "above" if lo > 0 else "below" if hi < 0 else "across"
