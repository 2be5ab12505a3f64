"""What the Compare step may say about its single runs: no dropout against Dropout(0.3), and the
other regularisers, each sentence with the condition it needs (words in lessons/claims.toml).
The sweep's sentences are in `findings/sweep_claims.py`; both use the curves and thresholds here.

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

from dropout_lab.findings import seeds
from dropout_lab.findings.claims import Claim, Judgement, Said, say
from dropout_lab.findings.sweep import History
from dropout_lab.lesson import fmt
from dropout_lab.lesson.catalogue import (
    DROPOUT,
    DROPOUT_L2,
    EARLY_STOP,
    L2_ONLY,
    NO_DROPOUT,
    PATIENCE,
)

CLIMB = 0.05  # a validation loss "climbs" when it ends more than 5% above its lowest
SAME = 0.02  # two losses are "about the same" when they differ by at most 2% of the lower
TAIL = 0.1  # "still falling at the end": the lowest point is in the last 10% of the epochs
OVERFIT = 0.05  # validation error this far above training error is an overfit
MEET = 0.02  # training and validation error "meet" when they are this close
GAP_SHARE = 0.5  # "most of the overfit": more than half of no dropout's final gap removed

CONSTANTS = {
    "climb": fmt.share(CLIMB),
    "same": fmt.share(SAME),
    "tail": fmt.share(TAIL),
    "overfit": fmt.acc(OVERFIT),
    "meet": fmt.acc(MEET),
    "gap_share": fmt.share(GAP_SHARE),
}


# --------------------------------------------------------------------------- curves


@dataclass(frozen=True)
class RunCurves:
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


def curve(histories: Sequence[History]) -> RunCurves:
    """The mean curves of `histories` (one history: its own curves)."""
    n = min(len(h["val_loss"]) for h in histories)

    def mean(metric: str) -> np.ndarray:
        return np.mean([np.asarray(h[metric][:n], dtype=float) for h in histories], axis=0)

    return RunCurves(mean("loss"), mean("val_loss"), mean("val_accuracy"))


# --------------------------------------------------------------------------- the single runs


@dataclass(frozen=True)
class RunFacts:
    """The Compare step's seed-0 runs by name, their labels, and the regularisers on show."""

    runs: Mapping[str, History]
    labels: Mapping[str, str]
    shown: frozenset[str] = frozenset()
    patience: int = PATIENCE

    def get(self, *names: str) -> list[RunCurves] | None:
        """The curves of `names`, or None when one of them is not stored."""
        if any(n not in self.runs for n in names):
            return None
        return [curve([self.runs[n]]) for n in names]

    def values(self, **values: str) -> dict[str, str]:
        return {**self.labels, **values}


CurvesClaim = Callable[..., Judgement]  # (facts, one RunCurves per run named) -> what they show
FactsClaim = Callable[[RunFacts], Judgement | None]


def about(*names: str, shown: bool = False) -> Callable[[CurvesClaim], FactsClaim]:
    """A claim about the runs `names`: it is given their curves, and says nothing (None) until
    they are all stored; with `shown`, nothing either while the first is not on show."""

    def wrap(claim: CurvesClaim) -> FactsClaim:
        @functools.wraps(claim)
        def judgement(f: RunFacts) -> Judgement | None:
            got = None if shown and names[0] not in f.shown else f.get(*names)
            return None if got is None else claim(f, *got)

        return judgement

    return wrap


def _seeded(f: RunFacts, c: seeds.Compared, outcome: str = "", **values: str) -> Judgement:
    """A comparison's judgement: its outcome (or `outcome`), its means, the seeds' spread and
    how many seeds."""
    return Judgement(
        outcome or c.outcome,
        f.values(
            a_mean=fmt.loss(c.a), b_mean=fmt.loss(c.b), spread=fmt.loss(c.spread),
            seeds=fmt.count(c.seeds), **values,
        ),
    )  # fmt: skip


@about(NO_DROPOUT)
def _no_dropout_curve(f: RunFacts, n: RunCurves) -> Judgement:
    train_at_best = float(n.loss[n.best_epoch - 1])
    falls = float(n.loss[-1]) < train_at_best
    outcome = "flat" if not n.climbs else "climbs" if falls else "climbs_both"
    return Judgement(
        outcome,
        f.values(
            best_epoch=fmt.epoch(n.best_epoch),
            best=fmt.loss(n.best),
            final=fmt.loss(n.final),
            epochs=fmt.epoch(n.epochs),
            train_best=fmt.loss(train_at_best),
            train_final=fmt.loss(float(n.loss[-1])),
        ),
    )


def _pair(metric: seeds.Metric) -> FactsClaim:
    """Dropout against no dropout on `metric`, over the seeds of each (None without seeds)."""

    def judgement(f: RunFacts) -> Judgement | None:
        c = seeds.compare_runs(f.runs, DROPOUT, NO_DROPOUT, metric)
        return None if c is None else _seeded(f, c)

    return judgement


_pair_final = _pair(seeds.final_val_loss)
_pair_best = _pair(seeds.best_val_loss)


def _pair_accuracy(f: RunFacts) -> Judgement | None:
    c = seeds.compare_runs(f.runs, DROPOUT, NO_DROPOUT, seeds.final_val_accuracy)
    if c is None:
        return None
    return Judgement(
        c.outcome,
        f.values(
            d_acc=fmt.acc(c.a), n_acc=fmt.acc(c.b), spread=fmt.acc(c.spread),
            seeds=fmt.count(c.seeds), diff=fmt.between(c.a, c.b, fmt.acc, signed=True),
        ),
    )  # fmt: skip


@about(L2_ONLY, NO_DROPOUT, shown=True)
def _l2_curve(f: RunFacts, r: RunCurves, n: RunCurves) -> Judgement | None:
    c = seeds.compare_runs(f.runs, L2_ONLY, NO_DROPOUT, seeds.final_val_loss)
    if c is None:
        return None
    outcome = (
        "flat" if not r.climbs else "climbs_less" if c.outcome == "lower" else "climbs_not_less"
    )
    return _seeded(f, c, outcome, best_epoch=fmt.epoch(r.best_epoch), best=fmt.loss(r.best),
                   final=fmt.loss(r.final))  # fmt: skip


def _versus_dropout(name: str, metric: seeds.Metric) -> FactsClaim:
    """The run `name` (on show) against Dropout(0.3) on `metric`, judged on the seeds'
    spread; its curve and dropout's fill in the numbers."""

    def judgement(f: RunFacts) -> Judgement | None:
        got = f.get(name, DROPOUT) if name in f.shown else None
        c = seeds.compare_runs(f.runs, name, DROPOUT, metric)
        if got is None or c is None:
            return None
        r, d = got
        return _seeded(f, c, best=fmt.loss(r.best), best_epoch=fmt.epoch(r.best_epoch),
                       final=fmt.loss(r.final), d_best=fmt.loss(d.best),
                       d_epoch=fmt.epoch(d.best_epoch), d_final=fmt.loss(d.final))  # fmt: skip

    return judgement


_l2_best = _versus_dropout(L2_ONLY, seeds.best_val_loss)
_dropout_l2_final = _versus_dropout(DROPOUT_L2, seeds.final_val_loss)
_dropout_l2_best = _versus_dropout(DROPOUT_L2, seeds.best_val_loss)


@about(EARLY_STOP, DROPOUT, shown=True)
def _early_stopping(f: RunFacts, e: RunCurves, d: RunCurves) -> Judgement | None:
    kept = e.best_epoch
    fired = e.epochs < d.epochs
    c = seeds.compare(
        [e.best], [seeds.best_val_loss(h) for h in seeds.seed_histories(f.runs, DROPOUT)]
    )
    if fired and c is None:
        return None
    values = dict(
        patience=fmt.epoch(f.patience), stop=fmt.epoch(e.epochs), kept=fmt.epoch(kept),
        es_best=fmt.loss(e.best), es_acc=fmt.acc(e.val_accuracy[kept - 1]),
        d_best=fmt.loss(d.best), d_epoch=fmt.epoch(d.best_epoch), d_final=fmt.loss(d.final),
        epochs=fmt.epoch(d.epochs),
    )  # fmt: skip
    if not fired:
        return Judgement("not_fired", f.values(**values))
    return _seeded(f, c, **values)


def _dropout_l2_gap(f: RunFacts) -> Judgement | None:
    if DROPOUT_L2 not in f.shown or DROPOUT_L2 not in f.runs:
        return None
    # The full-length runs only: early stopping's gap is measured at an earlier epoch.
    others = {n: seeds.final_gap(f.runs[n]) for n in (NO_DROPOUT, DROPOUT, L2_ONLY) if n in f.runs}
    spread = seeds.sd([seeds.final_gap(h) for h in seeds.seed_histories(f.runs, DROPOUT)])
    if not others or spread == 0.0:
        return None  # no seeds to judge a margin against
    mine = seeds.final_gap(f.runs[DROPOUT_L2])
    runner = min(others, key=others.get)
    margin = others[runner] - mine
    outcome = "narrowest" if margin > spread else "level" if margin >= -spread else "not_narrowest"
    return Judgement(
        outcome,
        f.values(gap=fmt.loss(mine), other=f.labels[runner], other_gap=fmt.loss(others[runner]),
                 spread=fmt.loss(spread)),
    )  # fmt: skip


LOSS3 = ("lower", "same", "higher")
HOLDS = ("holds", "fails")
PAIR_CLAIMS = (
    Claim("pair.no_dropout_curve", ("climbs", "climbs_both", "flat"), _no_dropout_curve),
    Claim("pair.final", LOSS3, _pair_final),
    Claim("pair.best", LOSS3, _pair_best),
    Claim("pair.accuracy", ("higher", "same", "lower"), _pair_accuracy),
)
REGULARISER_CLAIMS = (
    Claim("regularisers.l2_curve", ("climbs_less", "climbs_not_less", "flat"), _l2_curve),
    Claim("regularisers.l2_best", LOSS3, _l2_best),
    Claim("regularisers.early_stopping", (*LOSS3, "not_fired"), _early_stopping),
    Claim("regularisers.dropout_l2_gap", ("narrowest", "level", "not_narrowest"), _dropout_l2_gap),
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
