"""The weight-scaling inference rule, measured: the mean of T Monte Carlo passes against the
dropout-off prediction on a trained model, and two small networks where the average over
every dropout mask can be computed exactly (a linear layer: equal; a ReLU layer: not).

Pure NumPy, no Streamlit, no TensorFlow: the passes come from `training/mc.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from dropout_lab.findings.mc_stats import THRESHOLD

PASSES = (10, 50, 200)  # the pass counts compared (each a prefix of the largest)
EXACT_UNITS = 10  # 2**10 = 1,024 masks: every one enumerated
EXACT_HIDDEN = 16


@dataclass(frozen=True)
class Gap:
    """The MC mean of `passes` passes against the dropout-off prediction, over a set."""

    passes: int
    mad: float  # mean |MC mean − dropout off|
    max: float  # the largest difference
    worst: int  # the connection where it is largest
    noise: float  # the mean difference sampling noise alone would give at this many passes
    decisions: float  # share of connections whose alert decision (P > 0.5) differs


@dataclass(frozen=True)
class Scaling:
    """Gaps at several pass counts, and the gap with the sampling noise taken out."""

    gaps: tuple[Gap, ...]
    rms_gap: float  # root mean square of (MC mean − dropout off), noise removed, most passes
    n: int  # connections

    @property
    def most(self) -> Gap:
        return self.gaps[-1]


def measure(probs: np.ndarray, det: np.ndarray, passes: Sequence[int] = PASSES) -> Scaling:
    """Gaps between the mean of the first T passes and `det`, for each T in `passes`.

    `probs` is (passes, n) from `mc.mc_predict`, `det` (n,) from `mc.deterministic_predict`.
    With s the passes' standard deviation, the mean of T passes is off its own limit by about
    s/√T, so |mean − det| averages √(2/π)·s/√T from noise alone (`noise`); the squared gap
    minus s²/T estimates the systematic part (`rms_gap`).
    """
    probs = np.asarray(probs, dtype=np.float64)
    det = np.asarray(det, dtype=np.float64).reshape(-1)
    if probs.ndim != 2 or probs.shape[1] != det.size:
        raise ValueError(f"shapes do not match: passes {probs.shape}, deterministic {det.shape}")
    if not passes or max(passes) > probs.shape[0] or min(passes) < 2:
        raise ValueError(f"pass counts must be in 2..{probs.shape[0]}, got {tuple(passes)}")
    gaps = []
    for t in sorted(passes):
        sample = probs[:t]
        diff = sample.mean(axis=0) - det
        sd = sample.std(axis=0, ddof=1)
        gaps.append(
            Gap(
                passes=t,
                mad=float(np.abs(diff).mean()),
                max=float(np.abs(diff).max()),
                worst=int(np.argmax(np.abs(diff))),
                noise=float(np.mean(np.sqrt(2 / np.pi) * sd / np.sqrt(t))),
                decisions=float(np.mean((sample.mean(axis=0) > THRESHOLD) != (det > THRESHOLD))),
            )
        )
    t = max(passes)
    diff = probs[:t].mean(axis=0) - det
    noise2 = probs[:t].var(axis=0, ddof=1) / t
    rms = float(np.sqrt(max(0.0, float(np.mean(diff**2 - noise2)))))
    return Scaling(tuple(gaps), rms, int(det.size))


# --------------------------------------------------------------------------- exact averages


@dataclass(frozen=True)
class Exact:
    """A small network's output with dropout off, and its exact average over every mask."""

    kind: str  # "linear" or "relu"
    units: int  # units dropped (the layer's inputs)
    rate: float
    full: float  # the full network, once: what `predict` computes
    average: float  # Σ over all 2**units masks of P(mask) × output(mask)

    @property
    def masks(self) -> int:
        return 2**self.units

    @property
    def difference(self) -> float:
        return abs(self.average - self.full)


def every_mask(units: int) -> np.ndarray:
    """All 2**units keep-masks as rows of 0/1 (row i is the binary expansion of i)."""
    if not 1 <= units <= 16:
        raise ValueError(f"units must be in 1..16, got {units}")
    return (np.arange(2**units)[:, None] >> np.arange(units)) & 1


def mask_average(f: Callable[[np.ndarray], np.ndarray], h: np.ndarray, rate: float) -> float:
    """E over inverted-dropout masks of f((m ⊙ h) / (1 − rate)), computed over every mask."""
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"rate must be in [0, 1), got {rate}")
    masks = every_mask(h.size).astype(np.float64)
    kept = masks.sum(axis=1)
    weight = (1 - rate) ** kept * rate ** (h.size - kept)
    outputs = f(masks * h / (1 - rate))
    return float(np.sum(weight * outputs))


def _network(kind: str, units: int, hidden: int, rng: np.random.Generator):
    h = rng.normal(1.0, 1.0, units)  # the units dropout acts on (non-negative on average)
    if kind == "linear":
        w, b = rng.normal(0, 1, units), rng.normal()
        return h, lambda x: x @ w + b
    w1, c = rng.normal(0, 1, (units, hidden)), rng.normal(0, 0.5, hidden)
    v, b = rng.normal(0, 1, hidden), rng.normal()
    return h, lambda x: np.maximum(x @ w1 + c, 0.0) @ v + b


def exact_case(
    kind: str, rate: float, units: int = EXACT_UNITS, hidden: int = EXACT_HIDDEN, seed: int = 0
) -> Exact:
    """Dropout on `units` inputs of a linear layer (`kind="linear"`), or of a ReLU layer of
    `hidden` units followed by a linear one (`kind="relu"`): dropout off against the average
    over every mask."""
    if kind not in ("linear", "relu"):
        raise ValueError(f"kind must be 'linear' or 'relu', got {kind!r}")
    h, f = _network(kind, units, hidden, np.random.default_rng(seed))
    full = float(f(h[None, :])[0])
    return Exact(kind, units, float(rate), full, mask_average(f, h, rate))
