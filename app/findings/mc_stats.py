"""What Monte Carlo dropout's passes say: per connection, over a whole set, and as rejection curves.

Pure NumPy on the passes `training/mc.py` computes (P(malicious) as `(passes, n)`), no
TensorFlow, no Streamlit:

* Per packet: mean, standard deviation and flip rate of the passes, next to the deterministic
  prediction (`model(x, training=False)`, what `predict` returns in production).
* Whole validation set: MC mean and spread per connection, and rejection curves (accuracy of
  the most certain x% of connections) for the MC spread and for the deterministic confidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dropout_lab.lesson.traffic import LOG_COLUMNS, TrafficData

THRESHOLD = 0.5  # P(malicious) above this raises an alert
KEEP_FRACTIONS = tuple(np.round(np.arange(0.05, 1.0001, 0.05), 2))


@dataclass(frozen=True)
class PacketStats:
    """What T passes say about one connection."""

    probs: np.ndarray  # (T,) P(malicious) of each pass
    deterministic: float  # P(malicious) with dropout off
    mean: float
    std: float  # population standard deviation of the passes
    flip_rate: float  # share of passes whose class differs from the deterministic class
    malicious_share: float  # share of passes that say "malicious"

    @property
    def passes(self) -> int:
        return int(self.probs.size)

    @property
    def deterministic_class(self) -> int:
        return int(self.deterministic > THRESHOLD)

    @property
    def mc_class(self) -> int:
        return int(self.mean > THRESHOLD)


def packet_stats(probs: np.ndarray, deterministic: float) -> PacketStats:
    """Mean, spread and flip rate of one connection's passes.

    The flip rate is the fraction of passes whose alert decision (P > 0.5) differs from the
    deterministic model's decision: how often leaving dropout on would change the answer an
    analyst sees for this connection.
    """
    probs = np.asarray(probs, dtype=np.float64).reshape(-1)
    if probs.size < 1:
        raise ValueError("need at least one pass")
    det_class = deterministic > THRESHOLD
    return PacketStats(
        probs=probs,
        deterministic=float(deterministic),
        mean=float(probs.mean()),
        std=float(probs.std()),
        flip_rate=float(np.mean((probs > THRESHOLD) != det_class)),
        malicious_share=float(np.mean(probs > THRESHOLD)),
    )


@dataclass(frozen=True)
class SetStats:
    """MC dropout over a whole set of labelled connections."""

    mean: np.ndarray  # (n,) MC mean P(malicious)
    std: np.ndarray  # (n,) MC spread
    deterministic: np.ndarray  # (n,) P(malicious), dropout off
    y: np.ndarray  # (n,) true labels, 0/1
    flip_rate: np.ndarray  # (n,) per connection, as in packet_stats
    passes: int

    @property
    def n(self) -> int:
        return int(self.y.size)

    @property
    def mc_correct(self) -> np.ndarray:
        return (self.mean > THRESHOLD) == (self.y > 0.5)

    @property
    def det_correct(self) -> np.ndarray:
        return (self.deterministic > THRESHOLD) == (self.y > 0.5)

    @property
    def det_confidence(self) -> np.ndarray:
        """|P - 0.5|: how far the deterministic prediction is from the alert threshold."""
        return np.abs(self.deterministic - THRESHOLD)

    def most_uncertain(self) -> int:
        """Index of the connection with the largest MC spread (the first one on ties)."""
        return int(np.argmax(self.std))


def set_stats(probs: np.ndarray, deterministic: np.ndarray, y: np.ndarray) -> SetStats:
    """Per-connection statistics from passes `(T, n)`, deterministic `(n,)` and labels."""
    probs = np.asarray(probs, dtype=np.float64)
    det = np.asarray(deterministic, dtype=np.float64).reshape(-1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    if probs.ndim != 2 or probs.shape[1] != det.size or det.size != y.size:
        raise ValueError(
            f"shapes do not match: passes {probs.shape}, deterministic {det.shape}, y {y.shape}"
        )
    return SetStats(
        mean=probs.mean(axis=0),
        std=probs.std(axis=0),
        deterministic=det,
        y=y,
        flip_rate=np.mean((probs > THRESHOLD) != (det > THRESHOLD), axis=0),
        passes=int(probs.shape[0]),
    )


def rejection_curve(
    uncertainty: np.ndarray, correct: np.ndarray, fractions: Sequence[float] = KEEP_FRACTIONS
) -> np.ndarray:
    """Accuracy on the most certain `fraction` of connections, for each fraction.

    Connections are sorted by `uncertainty`, lowest first (a stable sort: ties keep their
    order, so a constant uncertainty keeps a fraction of the set in its original order).
    """
    uncertainty = np.asarray(uncertainty, dtype=np.float64).reshape(-1)
    correct = np.asarray(correct, dtype=bool).reshape(-1)
    if uncertainty.size != correct.size or uncertainty.size == 0:
        raise ValueError("uncertainty and correct must be non-empty and the same length")
    order = np.argsort(uncertainty, kind="stable")
    hits = np.cumsum(correct[order])
    out = []
    for f in fractions:
        if not 0.0 < f <= 1.0:
            raise ValueError(f"fractions must be in (0, 1], got {f}")
        k = max(1, int(np.ceil(f * uncertainty.size - 1e-9)))
        out.append(hits[k - 1] / k)
    return np.array(out)


def raw_features(data: TrafficData, x: np.ndarray) -> np.ndarray:
    """Model inputs back in the features' own units (undo the standardisation and log1p)."""
    if data.mean is None or data.std is None:
        raise ValueError("the dataset does not carry its standardisation statistics")
    z = np.asarray(x, dtype=np.float64) * data.std + data.mean
    cols = list(LOG_COLUMNS)
    z[..., cols] = np.expm1(z[..., cols])
    return z
