"""What the Compare step may say about its rate sweep and its long sweep (more epochs at the
high rates), each sentence with the condition it needs (words in lessons/claims.toml).

Judges work on the seeds' histories of each rate on show (the lesson file may show fewer);
pure NumPy, no Streamlit, no TensorFlow. Thresholds and curves: `findings/run_claims.py`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np

from dropout_lab.findings import seeds
from dropout_lab.findings.claims import ALWAYS, Claim, Judgement, Said, say
from dropout_lab.findings.run_claims import (
    CONSTANTS,
    GAP_SHARE,
    HOLDS,
    LOSS3,
    MEET,
    OVERFIT,
    RunCurves,
    curve,
)
from dropout_lab.findings.sweep import History, summary_rows
from dropout_lab.lesson import fmt
from dropout_lab.lesson.catalogue import PAIR_RATE

# --------------------------------------------------------------------------- the sweep


@dataclass(frozen=True)
class SweepFacts:
    """rate → its seeds' histories (the rates on show), and the lesson's default rate."""

    sweep: Mapping[float, Sequence[History]]
    default_rate: float = PAIR_RATE
    rows: list[dict[str, Any]] = field(init=False, repr=False, compare=False)
    curves: dict[float, RunCurves] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", summary_rows(dict(self.sweep)))
        object.__setattr__(self, "curves", {r: curve(h) for r, h in sorted(self.sweep.items())})

    @property
    def rates(self) -> list[float]:
        return sorted(self.curves)

    @property
    def epochs(self) -> int:
        return min(c.epochs for c in self.curves.values())

    def row(self, rate: float) -> dict[str, Any]:
        return next(r for r in self.rows if r["rate"] == rate)

    def seeds(self) -> int:
        return min(len(h) for h in self.sweep.values())


def _turns(f: SweepFacts) -> Judgement | None:
    if not f.curves:
        return None
    items = tuple(
        {
            "rate": fmt.rate(r),
            "best_epoch": fmt.epoch(c.best_epoch),
            "best": fmt.loss(c.best),
            "final": fmt.loss(c.final),
            "rise": fmt.diff(c.rise),
        }
        for r, c in f.curves.items()
    )
    return Judgement(ALWAYS, {"epochs": fmt.epoch(f.epochs)}, items)


def _seeds(f: SweepFacts, rate: float, metric: seeds.Metric) -> list[float]:
    """`metric` on each seed of `rate`."""
    return [metric(h) for h in f.sweep[rate]]


def _against(f: SweepFacts, rate: float, metric: seeds.Metric) -> dict[float, seeds.Compared]:
    """`metric` of `rate` against every other rate on show, each judged against the spread
    between seeds (`findings/seeds.py`); {} when one comparison has no seeds to judge by."""
    mine = _seeds(f, rate, metric)
    out = {r: seeds.compare(mine, _seeds(f, r, metric)) for r in f.rates if r != rate}
    return {r: c for r, c in out.items() if c is not None} if all(out.values()) else {}


def _trend(f: SweepFacts, metric: seeds.Metric, grows: bool, show=fmt.loss) -> Judgement | None:
    """Whether `metric` grows (`grows`) or shrinks as the rate grows, judged against the
    spread between seeds: "holds" when the top rate is beyond the first by more than that
    spread and no step to the next rate goes the other way by more than it; "fails" when a
    step, or the top against the first, goes the other way by more than it (that step is
    named); "unclear" when the first and the top are within it. None with fewer than two
    rates, or without seeds."""
    if len(f.rates) < 2:
        return None
    pairs = [*pairwise(f.rates), (f.rates[0], f.rates[-1])]  # each step, then the two ends
    got = [seeds.compare(_seeds(f, hi, metric), _seeds(f, lo, metric)) for lo, hi in pairs]
    compared = [(lo, hi, c) for (lo, hi), c in zip(pairs, got, strict=True) if c is not None]
    if len(compared) < len(pairs):
        return None
    back = "lower" if grows else "higher"
    turned = [step for step in compared if step[2].outcome == back]
    lo, hi, c = turned[0] if turned else compared[-1]
    outcome = "fails" if turned else "unclear" if c.outcome == "same" else "holds"
    return Judgement(
        outcome,
        {
            "first": fmt.rate(f.rates[0]),
            "top": fmt.rate(f.rates[-1]),
            "first_value": show(compared[-1][2].b),
            "top_value": show(compared[-1][2].a),
            "from": fmt.rate(lo),
            "to": fmt.rate(hi),
            "from_value": show(c.b),
            "to_value": show(c.a),
            "spread": show(c.spread),
            "seeds": fmt.count(f.seeds()),
            "epochs": fmt.epoch(f.epochs),
        },
    )


def _later_with_rate(f: SweepFacts) -> Judgement | None:
    return _trend(f, seeds.best_epoch, grows=True, show=fmt.mean_epoch)


def _rise_with_rate(f: SweepFacts) -> Judgement | None:
    return _trend(f, seeds.rise, grows=False)


def top_still_falling(f: SweepFacts) -> Judgement | None:
    if not f.rates or f.rates[-1] == 0:
        return None
    top = f.curves[f.rates[-1]]
    return Judgement(
        "falling" if top.still_falling else "levelled",
        {
            "top": fmt.rate(f.rates[-1]),
            "best_epoch": fmt.epoch(top.best_epoch),
            "epochs": fmt.epoch(top.epochs),
            "best": fmt.loss(top.best),
            "final": fmt.loss(top.final),
            "first_loss": fmt.loss(float(top.val_loss[0])),
        },
    )


def _top_peak_accuracy(f: SweepFacts) -> Judgement | None:
    """The top rate's best-epoch validation accuracy below every other rate's by more than the
    spread between seeds ("below"), or not ("not_below")."""
    if len(f.rates) < 2 or f.rates[-1] == 0:
        return None
    against = _against(f, f.rates[-1], seeds.best_val_accuracy)
    if not against:
        return None
    others = [c.b for c in against.values()]
    return Judgement(
        "below" if all(c.outcome == "lower" for c in against.values()) else "not_below",
        {
            "top": fmt.rate(f.rates[-1]),
            "top_best": fmt.acc(next(iter(against.values())).a),
            "low": fmt.acc(min(others)),
            "high": fmt.acc(max(others)),
            "spread": fmt.acc(max(c.spread for c in against.values())),
        },
    )


def _leader(f: SweepFacts, metric: seeds.Metric, highest: bool) -> Judgement | None:
    """The rate with the best mean `metric`: "clear" when it is ahead of every other rate by
    more than the spread between the seeds of the two, else "within" (naming the best-placed
    rate it is not told apart from)."""
    if len(f.rates) < 2:
        return None
    means = {r: float(np.mean(_seeds(f, r, metric))) for r in f.rates}
    ranked = sorted(f.rates, key=means.__getitem__, reverse=highest)
    against = _against(f, ranked[0], metric)
    if not against:
        return None
    ahead = "higher" if highest else "lower"
    level = [r for r in ranked[1:] if against[r].outcome != ahead]
    second = level[0] if level else ranked[1]
    c = against[second]
    show = fmt.acc if highest else fmt.loss
    return Judgement(
        "within" if level else "clear",
        {
            "best": fmt.rate(ranked[0]),
            "best_value": show(c.a),
            "second": fmt.rate(second),
            "second_value": show(c.b),
            "margin": fmt.between(c.a, c.b, show),
            "spread": show(c.spread),
            "epochs": fmt.epoch(f.epochs),
            "seeds": fmt.count(f.seeds()),
        },
    )


def _lowest_final_loss(f: SweepFacts) -> Judgement | None:
    return _leader(f, seeds.final_val_loss, highest=False)


def _best_final_accuracy(f: SweepFacts) -> Judgement | None:
    return _leader(f, seeds.final_val_accuracy, highest=True)


def _errors(f: SweepFacts, rate: float) -> tuple[float, float]:
    """(training error, validation error) at the last epoch, means over seeds."""
    row = f.row(rate)
    return 1 - row["final_accuracy"], 1 - row["final_val_accuracy"]


def _train_error_rises(f: SweepFacts) -> Judgement | None:
    return _trend(f, seeds.final_train_error, grows=True, show=fmt.acc)


def _overfit_at_lowest(f: SweepFacts) -> Judgement | None:
    if not f.rates:
        return None
    train, val = _errors(f, f.rates[0])
    return Judgement(
        "holds" if val - train > OVERFIT else "fails",
        {
            "first": fmt.rate(f.rates[0]),
            "train": fmt.acc(train),
            "val": fmt.acc(val),
            "gap": fmt.between(val, train, fmt.acc),
        },
    )


def _top_meets(f: SweepFacts) -> Judgement | None:
    if len(f.rates) < 2:
        return None
    train, val = _errors(f, f.rates[-1])
    return Judgement(
        "meet" if abs(val - train) <= MEET else "apart",
        {
            "top": fmt.rate(f.rates[-1]),
            "train": fmt.acc(train),
            "val": fmt.acc(val),
            "gap": fmt.between(val, train, fmt.acc),
        },
    )


def _top_val_error(f: SweepFacts) -> Judgement | None:
    """The top rate's last-epoch validation accuracy against every other rate's, judged
    against the spread between seeds: "up" (its error above another rate's by more than the
    spread: the best such rate is named), "lowest" (below every other rate's by more than it),
    else "level" (the best rate within it is named)."""
    if len(f.rates) < 2:
        return None
    against = _against(f, f.rates[-1], seeds.final_val_accuracy)
    if not against:
        return None
    by = {o: [r for r, c in against.items() if c.outcome == o] for o in ("lower", "same")}
    outcome = "up" if by["lower"] else "level" if by["same"] else "lowest"
    named = by["lower"] or by["same"] or list(against)
    low = max(named, key=lambda r: against[r].b)  # the lowest error of those
    c = against[low]
    top_err, low_err = 1 - c.a, 1 - c.b
    return Judgement(
        outcome,
        {
            "top": fmt.rate(f.rates[-1]),
            "top_err": fmt.acc(top_err),
            "low": fmt.rate(low),
            "low_err": fmt.acc(low_err),
            "margin": fmt.between(top_err, low_err, fmt.acc),
            "spread": fmt.acc(c.spread),
            "epochs": fmt.epoch(f.epochs),
        },
    )


def _default_rate(f: SweepFacts) -> Judgement | None:
    """The default rate's last-epoch gap against GAP_SHARE of no dropout's, each over its
    seeds: "most" when below it by more than the spread between seeds, "less" when above it by
    more, "unclear" within it."""
    if 0.0 not in f.curves or f.default_rate not in f.curves:
        return None
    none = _seeds(f, 0.0, seeds.final_gap)
    c = seeds.compare(_seeds(f, f.default_rate, seeds.final_gap), [GAP_SHARE * g for g in none])
    if c is None:
        return None
    gap0, gap = float(np.mean(none)), c.a
    removed = 1 - gap / gap0 if gap0 > 0 else 0.0
    return Judgement(
        {"lower": "most", "higher": "less", "same": "unclear"}[c.outcome],
        {
            "rate": fmt.rate(f.default_rate),
            "gap0": fmt.loss(gap0),
            "gap": fmt.loss(gap),
            "share": fmt.share(removed),
            "spread": fmt.loss(c.spread),
            "epochs": fmt.epoch(f.epochs),
        },
    )


def _long_turns(f: SweepFacts) -> Judgement | None:
    judgement = _turns(f)
    return None if judgement is None else Judgement(ALWAYS, judgement.values, judgement.items)


def _catch_up(f: SweepFacts) -> Judgement | None:
    """The highest rate's lowest validation loss against the lowest of the other rates, per
    seed, judged against the spread between seeds."""
    if len(f.rates) < 2:
        return None
    top = f.curves[f.rates[-1]]
    rate = min(f.rates[:-1], key=lambda r: float(np.mean(_seeds(f, r, seeds.best_val_loss))))
    other = f.curves[rate]
    c = seeds.compare(_seeds(f, f.rates[-1], seeds.best_val_loss),
                      _seeds(f, rate, seeds.best_val_loss))  # fmt: skip
    if c is None:
        return None
    return Judgement(
        c.outcome,
        {
            "top": fmt.rate(f.rates[-1]),
            "top_best": fmt.loss(c.a),  # the means over seeds of each seed's lowest
            "top_epoch": fmt.epoch(top.best_epoch),
            "other": fmt.rate(rate),
            "other_best": fmt.loss(c.b),
            "other_epoch": fmt.epoch(other.best_epoch),
            "epochs": fmt.epoch(f.epochs),
            "spread": fmt.loss(c.spread),
        },
    )


LEADER = ("clear", "within")
TREND = ("holds", "fails", "unclear")
SWEEP_CLAIMS = (
    Claim("sweep.turns", (ALWAYS,), _turns),
    Claim("sweep.later_with_rate", TREND, _later_with_rate),
    Claim("sweep.rise_with_rate", TREND, _rise_with_rate),
    Claim("sweep.top_still_falling", ("falling", "levelled"), top_still_falling),
    Claim("sweep.top_peak_accuracy", ("below", "not_below"), _top_peak_accuracy),
)
END_CLAIMS = (
    Claim("sweep.lowest_final_loss", LEADER, _lowest_final_loss),
    Claim("sweep.best_final_accuracy", LEADER, _best_final_accuracy),
    Claim("sweep.train_error_rises", TREND, _train_error_rises),
    Claim("sweep.overfit_at_lowest", HOLDS, _overfit_at_lowest),
    Claim("sweep.top_meets", ("meet", "apart"), _top_meets),
    Claim("sweep.top_val_error", ("up", "level", "lowest"), _top_val_error),
    Claim("sweep.default_rate", ("most", "less", "unclear"), _default_rate),
)
LONG_CLAIMS = (
    Claim("long.turns", (ALWAYS,), _long_turns),
    Claim("long.top_still_falling", ("falling", "levelled"), top_still_falling),
    Claim("long.catch_up", LOSS3, _catch_up),
    Claim("long.lowest_final_loss", LEADER, _lowest_final_loss, text="sweep.lowest_final_loss"),
    Claim(
        "long.best_final_accuracy", LEADER, _best_final_accuracy, text="sweep.best_final_accuracy"
    ),
)
ALL_CLAIMS = SWEEP_CLAIMS + END_CLAIMS + LONG_CLAIMS


def sweep(histories: Mapping[float, Sequence[History]]) -> list[Said]:
    """The sentences under the sweep's curves (the rates on show only)."""
    return say(SWEEP_CLAIMS, SweepFacts(histories), CONSTANTS) if histories else []


def sweep_end(histories: Mapping[float, Sequence[History]]) -> list[Said]:
    """The sentences under the end-of-training figure."""
    return say(END_CLAIMS, SweepFacts(histories), CONSTANTS) if histories else []


def long_sweep(histories: Mapping[float, Sequence[History]]) -> list[Said]:
    """The sentences under the long sweep (more epochs at the high rates)."""
    return say(LONG_CLAIMS, SweepFacts(histories), CONSTANTS) if histories else []
