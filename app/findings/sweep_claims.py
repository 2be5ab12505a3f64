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

from dropout_lab.findings import seeds
from dropout_lab.findings.claims import ALWAYS, Claim, Said, Verdict, say
from dropout_lab.findings.run_claims import (
    CONSTANTS,
    GAP_SHARE,
    HOLDS,
    LOSS3,
    MEET,
    OVERFIT,
    Curve,
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
    curves: dict[float, Curve] = field(init=False, repr=False, compare=False)

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


def _turns(f: SweepFacts) -> Verdict | None:
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
    return Verdict(ALWAYS, {"epochs": fmt.epoch(f.epochs)}, items)


def _ends(f: SweepFacts, attr: str, show=fmt.epoch) -> dict[str, str] | None:
    """The first and top rate's value of a curve property (None with fewer than two rates)."""
    if len(f.rates) < 2:
        return None
    lo, hi = f.curves[f.rates[0]], f.curves[f.rates[-1]]
    return {
        "first": fmt.rate(f.rates[0]),
        "top": fmt.rate(f.rates[-1]),
        "first_value": show(getattr(lo, attr)),
        "top_value": show(getattr(hi, attr)),
    }


def _later_with_rate(f: SweepFacts) -> Verdict | None:
    values = _ends(f, "best_epoch")
    if values is None:
        return None
    epochs = [f.curves[r].best_epoch for r in f.rates]
    steady = all(a <= b for a, b in pairwise(epochs))
    return Verdict("holds" if steady else "fails", values)


def _rise_with_rate(f: SweepFacts) -> Verdict | None:
    values = _ends(f, "rise", fmt.loss)
    if values is None:
        return None
    rises = [f.curves[r].rise for r in f.rates]
    steady = all(a >= b for a, b in pairwise(rises))
    return Verdict("holds" if steady else "fails", {**values, "epochs": fmt.epoch(f.epochs)})


def top_still_falling(f: SweepFacts) -> Verdict | None:
    if not f.rates or f.rates[-1] == 0:
        return None
    top = f.curves[f.rates[-1]]
    return Verdict(
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


def _top_peak_accuracy(f: SweepFacts) -> Verdict | None:
    if len(f.rates) < 2 or f.rates[-1] == 0:
        return None
    top = f.row(f.rates[-1])["best_val_accuracy"]
    others = [f.row(r)["best_val_accuracy"] for r in f.rates[:-1]]
    return Verdict(
        "below" if top < min(others) else "not_below",
        {
            "top": fmt.rate(f.rates[-1]),
            "top_best": fmt.acc(top),
            "low": fmt.acc(min(others)),
            "high": fmt.acc(max(others)),
        },
    )


def _leader(f: SweepFacts, column: str, highest: bool) -> Verdict | None:
    """The rate with the best mean `column`, against the runner-up and the seeds' spread."""
    if len(f.rates) < 2:
        return None
    ranked = sorted(f.rows, key=lambda r: r[column], reverse=highest)
    best, second = ranked[0], ranked[1]
    spread = max(best[f"{column}_sd"], second[f"{column}_sd"])
    margin = abs(best[column] - second[column])
    show = fmt.loss if "loss" in column else fmt.acc
    return Verdict(
        "clear" if margin > spread else "within",
        {
            "best": fmt.rate(best["rate"]),
            "best_value": show(best[column]),
            "second": fmt.rate(second["rate"]),
            "second_value": show(second[column]),
            "margin": fmt.between(best[column], second[column], show),
            "spread": show(spread),
            "epochs": fmt.epoch(f.epochs),
            "seeds": fmt.count(f.seeds()),
        },
    )


def _lowest_final_loss(f: SweepFacts) -> Verdict | None:
    return _leader(f, "final_val_loss", highest=False)


def _best_final_accuracy(f: SweepFacts) -> Verdict | None:
    return _leader(f, "final_val_accuracy", highest=True)


def _errors(f: SweepFacts, rate: float) -> tuple[float, float]:
    """(training error, validation error) at the last epoch, means over seeds."""
    row = f.row(rate)
    return 1 - row["final_accuracy"], 1 - row["final_val_accuracy"]


def _train_error_rises(f: SweepFacts) -> Verdict | None:
    if len(f.rates) < 2:
        return None
    train = [_errors(f, r)[0] for r in f.rates]
    steady = all(a <= b for a, b in pairwise(train))
    return Verdict(
        "holds" if steady else "fails",
        {
            "first": fmt.rate(f.rates[0]),
            "top": fmt.rate(f.rates[-1]),
            "first_value": fmt.acc(train[0]),
            "top_value": fmt.acc(train[-1]),
        },
    )


def _overfit_at_lowest(f: SweepFacts) -> Verdict | None:
    if not f.rates:
        return None
    train, val = _errors(f, f.rates[0])
    return Verdict(
        "holds" if val - train > OVERFIT else "fails",
        {
            "first": fmt.rate(f.rates[0]),
            "train": fmt.acc(train),
            "val": fmt.acc(val),
            "gap": fmt.between(val, train, fmt.acc),
        },
    )


def _top_meets(f: SweepFacts) -> Verdict | None:
    if len(f.rates) < 2:
        return None
    train, val = _errors(f, f.rates[-1])
    return Verdict(
        "meet" if abs(val - train) <= MEET else "apart",
        {
            "top": fmt.rate(f.rates[-1]),
            "train": fmt.acc(train),
            "val": fmt.acc(val),
            "gap": fmt.between(val, train, fmt.acc),
        },
    )


def _top_val_error(f: SweepFacts) -> Verdict | None:
    if len(f.rates) < 2:
        return None
    top = f.row(f.rates[-1])
    low = max(f.rows[:-1], key=lambda r: r["final_val_accuracy"])  # the lowest error below it
    top_err, low_err = 1 - top["final_val_accuracy"], 1 - low["final_val_accuracy"]
    spread = max(top["final_val_accuracy_sd"], low["final_val_accuracy_sd"])
    outcome = "lowest" if top_err < low_err else "up" if top_err - low_err > spread else "level"
    return Verdict(
        outcome,
        {
            "top": fmt.rate(f.rates[-1]),
            "top_err": fmt.acc(top_err),
            "low": fmt.rate(low["rate"]),
            "low_err": fmt.acc(low_err),
            "margin": fmt.between(top_err, low_err, fmt.acc),
            "spread": fmt.acc(spread),
            "epochs": fmt.epoch(f.epochs),
        },
    )


def _default_rate(f: SweepFacts) -> Verdict | None:
    if 0.0 not in f.curves or f.default_rate not in f.curves:
        return None
    gap0, gap = f.row(0.0)["final_gap"], f.row(f.default_rate)["final_gap"]
    removed = 1 - gap / gap0 if gap0 > 0 else 0.0
    return Verdict(
        "most" if removed > GAP_SHARE else "less",
        {
            "rate": fmt.rate(f.default_rate),
            "gap0": fmt.loss(gap0),
            "gap": fmt.loss(gap),
            "share": fmt.share(removed),
            "epochs": fmt.epoch(f.epochs),
        },
    )


def _long_turns(f: SweepFacts) -> Verdict | None:
    verdict = _turns(f)
    return None if verdict is None else Verdict(ALWAYS, verdict.values, verdict.items)


def _catch_up(f: SweepFacts) -> Verdict | None:
    """The highest rate's lowest validation loss against the lowest of the other rates, per
    seed, judged against the spread between seeds."""
    if len(f.rates) < 2:
        return None
    top = f.curves[f.rates[-1]]
    rate = min(f.rates[:-1], key=lambda r: f.curves[r].best)
    other = f.curves[rate]
    c = seeds.compare([seeds.best_val_loss(h) for h in f.sweep[f.rates[-1]]],
                      [seeds.best_val_loss(h) for h in f.sweep[rate]])  # fmt: skip
    if c is None:
        return None
    return Verdict(
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
SWEEP_CLAIMS = (
    Claim("sweep.turns", (ALWAYS,), _turns),
    Claim("sweep.later_with_rate", HOLDS, _later_with_rate),
    Claim("sweep.rise_with_rate", HOLDS, _rise_with_rate),
    Claim("sweep.top_still_falling", ("falling", "levelled"), top_still_falling),
    Claim("sweep.top_peak_accuracy", ("below", "not_below"), _top_peak_accuracy),
)
END_CLAIMS = (
    Claim("sweep.lowest_final_loss", LEADER, _lowest_final_loss),
    Claim("sweep.best_final_accuracy", LEADER, _best_final_accuracy),
    Claim("sweep.train_error_rises", HOLDS, _train_error_rises),
    Claim("sweep.overfit_at_lowest", HOLDS, _overfit_at_lowest),
    Claim("sweep.top_meets", ("meet", "apart"), _top_meets),
    Claim("sweep.top_val_error", ("up", "level", "lowest"), _top_val_error),
    Claim("sweep.default_rate", ("most", "less"), _default_rate),
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
