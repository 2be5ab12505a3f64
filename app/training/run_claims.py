"""What the Compare step may say about its single runs: no dropout against Dropout(0.3), and the
other regularisers, each sentence with the condition it needs (words in lessons/claims.toml).
The sweep's sentences are in `training/sweep_claims.py`; both use the curves and thresholds here.

Judges work on stored histories (per-epoch lists: loss, accuracy, val_loss, val_accuracy);
pure NumPy, no Streamlit, no TensorFlow. The thresholds below are the conditions' numbers;
`CONSTANTS` writes them into the conditions' words.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from dropout_lab.lesson import fmt
from dropout_lab.lesson.claims import Claim, Said, Verdict, say
from dropout_lab.training.precompute import (
    DROPOUT,
    DROPOUT_L2,
    EARLY_STOP,
    L2_ONLY,
    NO_DROPOUT,
    PATIENCE,
)
from dropout_lab.training.sweep import History

CLIMB = 0.05  # a validation loss "climbs" when it ends more than 5% above its lowest
SAME = 0.02  # two losses are "about the same" when they differ by at most 2% of the lower
ACC_SAME = 0.005  # two accuracies are "about the same" within half a point
TAIL = 0.1  # "still falling at the end": the lowest point is in the last 10% of the epochs
OVERFIT = 0.05  # validation error this far above training error is an overfit
MEET = 0.02  # training and validation error "meet" when they are this close
GAP_SHARE = 0.5  # "most of the overfit": more than half of no dropout's final gap removed

CONSTANTS = {
    "climb": fmt.share(CLIMB),
    "same": fmt.share(SAME),
    "acc_same": fmt.acc(ACC_SAME),
    "tail": fmt.share(TAIL),
    "overfit": fmt.acc(OVERFIT),
    "meet": fmt.acc(MEET),
    "gap_share": fmt.share(GAP_SHARE),
}


# --------------------------------------------------------------------------- curves


@dataclass(frozen=True)
class Curve:
    """A run's curves, or their mean over seeds (cut to the shortest)."""

    loss: np.ndarray
    val_loss: np.ndarray
    val_accuracy: np.ndarray

    @property
    def epochs(self) -> int:
        return int(self.val_loss.size)

    @property
    def best_epoch(self) -> int:
        """1-based epoch of the lowest validation loss (the first on ties)."""
        return int(np.argmin(self.val_loss)) + 1

    @property
    def best(self) -> float:
        return float(self.val_loss.min())

    @property
    def final(self) -> float:
        return float(self.val_loss[-1])

    @property
    def rise(self) -> float:
        """How far the validation loss has risen from its lowest by the last epoch."""
        return self.final - self.best

    @property
    def climbs(self) -> bool:
        return self.rise > CLIMB * self.best

    @property
    def gap(self) -> float:
        """Validation minus training loss at the last epoch."""
        return float(self.val_loss[-1] - self.loss[-1])

    @property
    def still_falling(self) -> bool:
        """The lowest validation loss comes in the last TAIL of the epochs."""
        return self.best_epoch > self.epochs - max(1, math.ceil(TAIL * self.epochs))


def curve(histories: Sequence[History]) -> Curve:
    """The mean curves of `histories` (one history: its own curves)."""
    n = min(len(h["val_loss"]) for h in histories)

    def mean(metric: str) -> np.ndarray:
        return np.mean([np.asarray(h[metric][:n], dtype=float) for h in histories], axis=0)

    return Curve(mean("loss"), mean("val_loss"), mean("val_accuracy"))


def versus(a: float, b: float, same: float = SAME) -> str:
    """'lower', 'same' or 'higher': loss `a` against loss `b` (same within `same` × the lower)."""
    if abs(a - b) <= same * min(abs(a), abs(b)):
        return "same"
    return "lower" if a < b else "higher"


# --------------------------------------------------------------------------- the single runs


@dataclass(frozen=True)
class RunFacts:
    """The Compare step's seed-0 runs by name, their labels, and the regularisers on show."""

    runs: Mapping[str, History]
    labels: Mapping[str, str]
    shown: frozenset[str] = frozenset()
    patience: int = PATIENCE

    def get(self, *names: str) -> list[Curve] | None:
        """The curves of `names`, or None when one of them is not stored."""
        if any(n not in self.runs for n in names):
            return None
        return [curve([self.runs[n]]) for n in names]

    def values(self, **values: str) -> dict[str, str]:
        return {**self.labels, **values}


CurveClaim = Callable[..., Verdict]  # (facts, one Curve per run named) -> what they show
FactsClaim = Callable[[RunFacts], Verdict | None]


def about(*names: str, shown: bool = False) -> Callable[[CurveClaim], FactsClaim]:
    """A claim about the runs `names`: it is given their curves, and says nothing (None) until
    they are all stored; with `shown`, nothing either while the first is not on show."""

    def wrap(claim: CurveClaim) -> FactsClaim:
        @functools.wraps(claim)
        def verdict(f: RunFacts) -> Verdict | None:
            got = None if shown and names[0] not in f.shown else f.get(*names)
            return None if got is None else claim(f, *got)

        return verdict

    return wrap


@about(NO_DROPOUT)
def _no_dropout_curve(f: RunFacts, n: Curve) -> Verdict:
    return Verdict(
        "climbs" if n.climbs else "flat",
        f.values(
            best_epoch=fmt.epoch(n.best_epoch),
            best=fmt.loss(n.best),
            final=fmt.loss(n.final),
            epochs=fmt.epoch(n.epochs),
            train_final=fmt.loss(float(n.loss[-1])),
        ),
    )


@about(NO_DROPOUT, DROPOUT)
def _pair_best(f: RunFacts, n: Curve, d: Curve) -> Verdict:
    return Verdict(
        versus(d.best, n.best),
        f.values(
            d_best=fmt.loss(d.best),
            d_epoch=fmt.epoch(d.best_epoch),
            n_best=fmt.loss(n.best),
            n_epoch=fmt.epoch(n.best_epoch),
        ),
    )


@about(NO_DROPOUT, DROPOUT)
def _pair_final(f: RunFacts, n: Curve, d: Curve) -> Verdict:
    return Verdict(
        "lower" if d.final < n.final else "not_lower",
        f.values(d_final=fmt.loss(d.final), n_final=fmt.loss(n.final), epochs=fmt.epoch(d.epochs)),
    )


@about(NO_DROPOUT, DROPOUT)
def _pair_gap(f: RunFacts, n: Curve, d: Curve) -> Verdict:
    return Verdict(
        "narrower" if d.gap < n.gap else "not_narrower",
        f.values(d_gap=fmt.loss(d.gap), n_gap=fmt.loss(n.gap), epochs=fmt.epoch(d.epochs)),
    )


@about(NO_DROPOUT, DROPOUT)
def _pair_accuracy(f: RunFacts, n: Curve, d: Curve) -> Verdict:
    delta = float(d.val_accuracy[-1] - n.val_accuracy[-1])
    outcome = "same" if abs(delta) <= ACC_SAME else "higher" if delta > 0 else "lower"
    return Verdict(
        outcome,
        f.values(
            d_acc=fmt.acc(d.val_accuracy[-1]),
            n_acc=fmt.acc(n.val_accuracy[-1]),
            diff=fmt.between(d.val_accuracy[-1], n.val_accuracy[-1], fmt.acc, signed=True),
        ),
    )


@about(L2_ONLY, NO_DROPOUT, shown=True)
def _l2_curve(f: RunFacts, r: Curve, n: Curve) -> Verdict:
    outcome = "flat" if not r.climbs else "climbs_less" if r.final < n.final else "climbs_more"
    return Verdict(
        outcome,
        f.values(
            best_epoch=fmt.epoch(r.best_epoch),
            best=fmt.loss(r.best),
            final=fmt.loss(r.final),
            n_final=fmt.loss(n.final),
        ),
    )


@about(L2_ONLY, DROPOUT, shown=True)
def _l2_best(f: RunFacts, r: Curve, d: Curve) -> Verdict:
    return Verdict(versus(r.best, d.best), f.values(best=fmt.loss(r.best), d_best=fmt.loss(d.best)))


@about(EARLY_STOP, DROPOUT, shown=True)
def _early_stopping(f: RunFacts, e: Curve, d: Curve) -> Verdict:
    kept = e.best_epoch
    fired = e.epochs < d.epochs
    outcome = versus(e.best, d.best) if fired else "not_fired"
    return Verdict(
        outcome,
        f.values(
            patience=fmt.epoch(f.patience),
            stop=fmt.epoch(e.epochs),
            kept=fmt.epoch(kept),
            es_best=fmt.loss(e.best),
            es_acc=fmt.acc(e.val_accuracy[kept - 1]),
            d_best=fmt.loss(d.best),
            d_epoch=fmt.epoch(d.best_epoch),
            d_final=fmt.loss(d.final),
            epochs=fmt.epoch(d.epochs),
        ),
    )


def _dropout_l2_gap(f: RunFacts) -> Verdict | None:
    if DROPOUT_L2 not in f.shown or DROPOUT_L2 not in f.runs:
        return None
    # The full-length runs only: early stopping's gap is measured at an earlier epoch.
    others = {n: curve([f.runs[n]]).gap for n in (NO_DROPOUT, DROPOUT, L2_ONLY) if n in f.runs}
    if not others:
        return None
    mine = curve([f.runs[DROPOUT_L2]]).gap
    runner = min(others, key=others.get)
    outcome = "narrowest" if mine < others[runner] else "not_narrowest"
    return Verdict(
        outcome,
        f.values(gap=fmt.loss(mine), other=f.labels[runner], other_gap=fmt.loss(others[runner])),
    )


@about(DROPOUT_L2, DROPOUT, shown=True)
def _dropout_l2_final(f: RunFacts, r: Curve, d: Curve) -> Verdict:
    return Verdict(
        versus(r.final, d.final),
        f.values(
            final=fmt.loss(r.final),
            d_final=fmt.loss(d.final),
            best=fmt.loss(r.best),
            best_epoch=fmt.epoch(r.best_epoch),
            d_best=fmt.loss(d.best),
        ),
    )


@about(DROPOUT_L2, DROPOUT, shown=True)
def _dropout_l2_best(f: RunFacts, r: Curve, d: Curve) -> Verdict:
    return Verdict(
        versus(r.best, d.best),
        f.values(
            best=fmt.loss(r.best),
            best_epoch=fmt.epoch(r.best_epoch),
            d_best=fmt.loss(d.best),
            d_epoch=fmt.epoch(d.best_epoch),
        ),
    )


LOSS3 = ("lower", "same", "higher")
HOLDS = ("holds", "fails")
PAIR_CLAIMS = (
    Claim("pair.no_dropout_curve", ("climbs", "flat"), _no_dropout_curve),
    Claim("pair.final", ("lower", "not_lower"), _pair_final),
    Claim("pair.best", LOSS3, _pair_best),
    Claim("pair.gap", ("narrower", "not_narrower"), _pair_gap),
    Claim("pair.accuracy", ("higher", "same", "lower"), _pair_accuracy),
)
REGULARISER_CLAIMS = (
    Claim("regularisers.l2_curve", ("climbs_less", "climbs_more", "flat"), _l2_curve),
    Claim("regularisers.l2_best", LOSS3, _l2_best),
    Claim("regularisers.early_stopping", (*LOSS3, "not_fired"), _early_stopping),
    Claim("regularisers.dropout_l2_gap", ("narrowest", "not_narrowest"), _dropout_l2_gap),
    Claim("regularisers.dropout_l2_final", LOSS3, _dropout_l2_final),
    Claim("regularisers.dropout_l2_best", LOSS3, _dropout_l2_best),
)


def pair(runs: Mapping[str, History], labels: Mapping[str, str]) -> list[Said]:
    """The sentences under the curves: no dropout against Dropout(0.3)."""
    return say(PAIR_CLAIMS, RunFacts(runs, labels), {**CONSTANTS, **labels})


def regularisers(
    runs: Mapping[str, History], labels: Mapping[str, str], shown: Sequence[str]
) -> list[Said]:
    """The sentences about the regularisers the learner chose to show."""
    facts = RunFacts(runs, labels, frozenset(shown))
    return say(REGULARISER_CLAIMS, facts, {**CONSTANTS, **labels})


ALL_CLAIMS = PAIR_CLAIMS + REGULARISER_CLAIMS
