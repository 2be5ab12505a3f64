"""Comparisons of the lesson's runs judged against the spread between training seeds.

A single run is one draw: another seed (initial weights, dropout masks, batch order) moves its
final validation loss by a few hundredths. So two runs are said to differ only when their means
over seeds differ by more than the larger standard deviation between seeds of the two (the rule
the sweep's summary table uses). The pair of the Compare step is seed 0 of the sweep at rates 0
and the lesson's rate, so its other seeds are the sweep's; a run trained on one seed only (the
other regularisers) borrows the standard deviation of the run it is compared with. With fewer
than two seeds on either side, nothing is judged (None).

Pure NumPy on stored histories; no Streamlit, no TensorFlow.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from dropout_lab.findings.sweep import History
from dropout_lab.lesson.catalogue import DROPOUT, NO_DROPOUT, PAIR_RATE, SEEDS, sweep_name

SEEDED = {NO_DROPOUT: 0.0, DROPOUT: PAIR_RATE}  # the pair's runs: seed 0 of the sweep at these

Metric = Callable[[History], float]


def seed_histories(runs: Mapping[str, History], name: str) -> list[History]:
    """The run `name` and, for the pair's runs, the same model's other seeds that are stored."""
    if name not in runs:
        return []
    out = [runs[name]]
    rate = SEEDED.get(name)
    if rate is not None:
        out += [runs[sweep_name(rate, s)] for s in SEEDS[1:] if sweep_name(rate, s) in runs]
    return out


def sd(values: Sequence[float]) -> float:
    """The standard deviation between seeds (ddof 1, as the sweep's table); 0 for one value."""
    v = np.asarray(values, dtype=float)
    return float(v.std(ddof=1)) if v.size > 1 else 0.0


@dataclass(frozen=True)
class Compared:
    """Mean `a` against mean `b`, judged against the spread between seeds."""

    outcome: str  # "lower", "same" or "higher": a against b
    a: float
    b: float
    spread: float  # the larger standard deviation between seeds of the two
    seeds: int  # the most seeds behind either mean

    @property
    def margin(self) -> float:
        return abs(self.a - self.b)


def compare(a: Sequence[float], b: Sequence[float]) -> Compared | None:
    """Mean `a` against mean `b`: "same" unless they differ by more than the spread between
    seeds; None when neither side has two seeds (no spread to judge against)."""
    if not a or not b or max(len(a), len(b)) < 2:
        return None
    ma, mb = float(np.mean(a)), float(np.mean(b))
    spread = max(sd(a), sd(b))
    outcome = "same" if abs(ma - mb) <= spread else "lower" if ma < mb else "higher"
    return Compared(outcome, ma, mb, spread, max(len(a), len(b)))


def compare_runs(runs: Mapping[str, History], a: str, b: str, metric: Metric) -> Compared | None:
    """`metric` of run `a` against run `b`, each over its stored seeds."""
    ha, hb = seed_histories(runs, a), seed_histories(runs, b)
    if not ha or not hb:
        return None
    return compare([metric(h) for h in ha], [metric(h) for h in hb])


def every_seed(runs: Mapping[str, History], name: str, test: Callable[[History], bool]) -> str:
    """ "all" when `test` holds on every stored seed of `name`, "none" when on none, else
    "some" (with one seed: "all" or "none")."""
    held = [test(h) for h in seed_histories(runs, name)]
    return "all" if all(held) else "none" if not any(held) else "some"


# The metrics compared, on one history.
def final_val_loss(h: History) -> float:
    return float(h["val_loss"][-1])


def best_val_loss(h: History) -> float:
    return float(min(h["val_loss"]))


def best_epoch(h: History) -> float:
    return float(np.argmin(h["val_loss"]) + 1)


def final_gap(h: History) -> float:
    return float(h["val_loss"][-1] - h["loss"][-1])


def final_val_accuracy(h: History) -> float:
    return float(h["val_accuracy"][-1])


def best_val_accuracy(h: History) -> float:
    return float(max(h["val_accuracy"]))


def final_train_error(h: History) -> float:
    """The last epoch's training error, as `fit` reports it (with dropout on)."""
    return float(1 - h["accuracy"][-1])


def rise(h: History) -> float:
    """How far the validation loss has risen from its lowest by the last epoch."""
    return float(h["val_loss"][-1] - min(h["val_loss"]))
