"""The Compare step's comparisons judged against the spread between seeds: the rule itself
(by hand), the pair and the regularisers (seed 0 shown, the sweep's other seeds behind every
comparison), and the headline said before the curves."""

from __future__ import annotations

import numpy as np
import pytest

from dropout_lab.findings import claims, headline_claims, run_claims, seeds
from dropout_lab.lesson.catalogue import (
    DROPOUT,
    DROPOUT_L2,
    EARLY_STOP,
    L2_ONLY,
    NO_DROPOUT,
    PAIR_RATE,
    REGULARISERS,
    sweep_name,
)
from dropout_lab.lesson.content import step_text

LABELS = step_text("compare")["curves"]["labels"]
CLAIMS = {c.id: c for c in run_claims.ALL_CLAIMS + headline_claims.ALL_CLAIMS}
CONSTANTS = {**run_claims.CONSTANTS, **LABELS}


def run(val_loss, loss=None, val_acc=0.75) -> dict[str, list[float]]:
    n = len(val_loss)
    train = np.linspace(0.5, 0.1, n) if loss is None else np.broadcast_to(loss, n)
    return {
        "val_loss": [float(v) for v in val_loss],
        "loss": [float(v) for v in train],
        "accuracy": [0.9] * n,
        "val_accuracy": [float(v) for v in np.broadcast_to(val_acc, n)],
    }


def turning(best: int, rise: float, epochs: int = 10, low: float = 0.5) -> np.ndarray:
    t = np.arange(1, epochs + 1, dtype=float)
    fall = low + 0.2 * np.clip(best - t, 0, None) / best
    return fall + rise * np.clip(t - best, 0, None) / max(1, epochs - best)


def with_seeds(no_dropout: list[dict], dropout: list[dict], **single) -> dict[str, dict]:
    """The runs as Compare loads them: the pair by name (seed 0) and every seed under the
    sweep's names, plus single-seed regularisers."""
    runs = {NO_DROPOUT: no_dropout[0], DROPOUT: dropout[0], **single}
    for rate, hs in ((0.0, no_dropout), (PAIR_RATE, dropout)):
        runs.update({sweep_name(rate, s): h for s, h in enumerate(hs)})
    return runs


def outcome(claim_id: str, runs, shown=REGULARISERS) -> str | None:
    judgement = CLAIMS[claim_id].judge(run_claims.RunFacts(runs, LABELS, frozenset(shown)))
    if judgement is None:
        return None
    for o in CLAIMS[claim_id].outcomes:  # every outcome's words take the same values
        claims.render(
            CLAIMS[claim_id], claims.Judgement(o, judgement.values, judgement.items), CONSTANTS
        )
    return judgement.outcome


def spread_of(curves: list[np.ndarray], jitter: float) -> list[dict]:
    return [run(c + jitter * s, loss=np.linspace(0.5, 0.01, c.size)) for s, c in enumerate(curves)]


OVERFIT = [turning(2, 1.2)] * 3  # no dropout: turns at epoch 2, climbs far
TAMED = [turning(5, 0.2)] * 3  # dropout: turns later, climbs less


def test_the_rule_by_hand() -> None:
    # means 1.0 and 1.05, standard deviations (ddof 1) 0.1 and 0.05: 0.05 apart is not more
    c = seeds.compare([0.9, 1.0, 1.1], [1.0, 1.05, 1.1])
    assert c.outcome == "same" and c.spread == pytest.approx(0.1) and c.seeds == 3
    assert seeds.compare([0.9, 1.0, 1.1], [1.3, 1.35, 1.4]).outcome == "lower"  # 0.35 > 0.1
    assert seeds.compare([1.3], [0.9, 1.0, 1.1]).outcome == "higher"  # one run borrows 0.1
    assert seeds.compare([1.0], [1.2]) is None  # no seeds: no spread to judge against


def test_one_seed_lower_is_not_enough() -> None:
    # Seed 0 of dropout ends lower, but the seeds' means are level within their spread.
    n = spread_of([turning(3, 0.5)] * 3, 0.1)  # finals 1.0, 1.1, 1.2
    d = spread_of([turning(3, 0.45)] * 3, 0.1)  # finals 0.95, 1.05, 1.15
    assert n[0]["val_loss"][-1] > d[0]["val_loss"][-1]
    runs = with_seeds(n, d)
    assert outcome("pair.final", runs) == "same"
    far = with_seeds(n, spread_of([turning(3, 0.0)] * 3, 0.1))
    assert outcome("pair.final", far) == "lower"
    assert outcome("pair.final", with_seeds(spread_of([turning(3, 0.0)] * 3, 0.1), n)) == "higher"


def test_the_pair_says_nothing_comparative_without_seeds() -> None:
    runs = {NO_DROPOUT: run(OVERFIT[0]), DROPOUT: run(TAMED[0])}
    said = run_claims.pair(runs, LABELS)
    assert [s.id for s in said] == ["pair.no_dropout_curve"]
    assert headline_claims.pair(runs, LABELS) == []


def test_the_no_dropout_curve_says_the_training_loss_falls_only_when_it_does() -> None:
    n = spread_of(OVERFIT, 0.01)
    assert outcome("pair.no_dropout_curve", with_seeds(n, n)) == "climbs"
    rising = [run(c, loss=np.linspace(0.1, 0.3, c.size)) for c in OVERFIT]
    assert outcome("pair.no_dropout_curve", with_seeds(rising, n)) == "climbs_both"
    flat = spread_of([turning(9, 0.0)] * 3, 0.01)
    assert outcome("pair.no_dropout_curve", with_seeds(flat, n)) == "flat"


def test_the_headline_says_what_dropout_does_to_the_overfit() -> None:
    runs = with_seeds(spread_of(OVERFIT, 0.01), spread_of(TAMED, 0.01))
    said = {s.id: s for s in headline_claims.pair(runs, LABELS)}
    assert said["headline.effect"].outcome == "both"
    assert said["headline.stops"].outcome == "climbs"
    assert "does not stop the overfit in 10 epochs" in said["headline.stops"].text
    same = with_seeds(spread_of(OVERFIT, 0.01), spread_of(OVERFIT, 0.012))
    assert outcome("headline.effect", same) == "neither"
    flat = with_seeds(spread_of(OVERFIT, 0.01), spread_of([turning(9, 0.0)] * 3, 0.01))
    assert outcome("headline.stops", flat) == "flat"
    calm = with_seeds(spread_of([turning(9, 0.0)] * 3, 0.01), spread_of(TAMED, 0.01))
    assert outcome("headline.effect", calm) == "no_overfit"
    assert outcome("headline.stops", calm) is None  # no overfit to stop


def test_stronger_rates_and_longer_training() -> None:
    sweep = {
        PAIR_RATE: spread_of([turning(5, 0.3)] * 3, 0.01),
        0.5: spread_of([turning(8, 0.05)] * 3, 0.01),
        0.8: spread_of([turning(10, 0.0)] * 3, 0.01),
    }
    said = {s.id: s for s in headline_claims.sweep(sweep)}
    assert said["headline.stronger"].outcome == "holds"
    assert "0.560 at 0.5, 0.510 at 0.8, against 0.810 at 0.3" in said["headline.stronger"].text
    assert said["headline.longer"].outcome == "falling"
    level = {**sweep, 0.8: spread_of([turning(5, 0.3)] * 3, 0.011)}
    assert {s.id: s.outcome for s in headline_claims.sweep(level)}["headline.stronger"] == "fails"
    assert headline_claims.sweep({0.5: sweep[0.5], 0.8: sweep[0.8]})[0].id == "headline.longer"


def test_regularisers_are_judged_against_the_seeds_of_what_they_are_compared_with() -> None:
    n, d = spread_of(OVERFIT, 0.02), spread_of(TAMED, 0.02)  # spread 0.02 on the final loss
    base = with_seeds(n, d)
    l2 = run(turning(3, 0.6), loss=0.1)  # ends at 1.1, below no dropout's mean 1.72
    assert outcome("regularisers.l2_curve", {**base, L2_ONLY: l2}) == "climbs_less"
    near = run(turning(2, 1.2) + 0.01)  # within the seeds' spread of no dropout
    assert outcome("regularisers.l2_curve", {**base, L2_ONLY: near}) == "climbs_not_less"
    assert outcome("regularisers.l2_best", {**base, L2_ONLY: run(turning(5, 0.2) + 0.01)}) == (
        "same"
    )
    assert outcome("regularisers.dropout_l2_final", {**base, DROPOUT_L2: run(TAMED[0] - 0.1)}) == (
        "lower"
    )
    es = run(turning(2, 0.1, epochs=5))  # stopped at epoch 5 of 10, lowest 0.5 = dropout's
    assert outcome("regularisers.early_stopping", {**base, EARLY_STOP: es}) == "same"
    assert outcome("regularisers.l2_best", {**base, L2_ONLY: l2}, shown=()) is None


def test_the_narrowest_gap_needs_a_margin() -> None:
    base = with_seeds(spread_of(OVERFIT, 0.02), spread_of(TAMED, 0.02))  # dropout's gap 0.7
    close = run(TAMED[0] - 0.01, loss=np.linspace(0.5, 0.01, 10))
    assert outcome("regularisers.dropout_l2_gap", {**base, DROPOUT_L2: close}) == "level"
    narrow = run(TAMED[0], loss=np.linspace(0.5, 0.4, 10))
    assert outcome("regularisers.dropout_l2_gap", {**base, DROPOUT_L2: narrow}) == "narrowest"
