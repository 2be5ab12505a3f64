"""The sweep's and the long sweep's comparisons of rates judged against the spread between
seeds (`findings/seeds.py`, the rule the pair's sentences use): on made-up runs whose
difference is just inside the seeds' spread the page says the seeds cannot tell (or says
nothing comparative), and just outside it the comparison is said. Every spread here is a
standard deviation between three seeds (ddof 1) of 0.01 (or 10 epochs), so 0.009 is inside
and 0.011 outside; a difference equal to the spread is inside."""

from __future__ import annotations

import numpy as np

from dropout_lab.findings import claims, run_claims, sweep_claims
from dropout_lab.lesson.catalogue import PAIR_RATE

CLAIMS = {c.id: c for c in sweep_claims.ALL_CLAIMS}
EPOCHS = 60
SD = 0.01
SPREAD = (-SD, 0.0, SD)  # three seeds: standard deviation (ddof 1) exactly SD


def run(best: int = 20, low: float = 0.5, rise: float = 0.2, acc: float = 0.9,
        val_acc: float = 0.75, gap: float | None = None,
        peak: float | None = None) -> dict[str, list[float]]:  # fmt: skip
    """One seed: the validation loss falls to `low` at epoch `best`, then rises by `rise`;
    the last epoch's accuracies `acc` and `val_acc`; the training loss ends `gap` below the
    validation loss (when given); the best validation accuracy `peak` (when given)."""
    t = np.arange(1, EPOCHS + 1, dtype=float)
    val = low + 0.3 * np.clip(best - t, 0, None) / best
    val = val + rise * np.clip(t - best, 0, None) / max(1, EPOCHS - best)
    loss = np.linspace(0.6, 0.2, EPOCHS)
    if gap is not None:
        loss[-1] = val[-1] - gap
    val_accs = np.full(EPOCHS, val_acc)
    if peak is not None:
        val_accs[EPOCHS // 2] = peak
    return {
        "val_loss": [float(v) for v in val],
        "loss": [float(v) for v in loss],
        "accuracy": [float(acc)] * EPOCHS,
        "val_accuracy": [float(v) for v in val_accs],
    }


def seeded(field: str, mean: float, sd: float = SD, **fixed) -> list[dict[str, list[float]]]:
    """Three seeds whose `field` is `mean` - sd, `mean`, `mean` + sd (its spread is `sd`)."""
    value = int if field == "best" else float
    return [run(**{field: value(mean + d * sd / SD)}, **fixed) for d in SPREAD]


def said(claim_id: str, sweep: dict[float, list[dict]]) -> claims.Said | None:
    """The claim's sentence on the sweep (every outcome's words rendered with its values)."""
    claim = CLAIMS[claim_id]
    judgement = claim.judge(sweep_claims.SweepFacts(sweep))
    if judgement is None:
        return None
    for o in claim.outcomes:
        claims.render(
            claim, claims.Judgement(o, judgement.values, judgement.items), run_claims.CONSTANTS
        )
    return claims.render(claim, judgement, run_claims.CONSTANTS)


def outcome(claim_id: str, sweep: dict[float, list[dict]]) -> str | None:
    got = said(claim_id, sweep)
    return None if got is None else got.outcome


def test_the_lowest_point_comes_later_only_by_more_than_the_seeds_spread() -> None:
    low = seeded("best", 20, sd=10)  # each seed's lowest at epochs 10, 20, 30: spread 10
    inside = {0.0: low, 0.5: seeded("best", 29, sd=10)}
    assert outcome("sweep.later_with_rate", inside) == "unclear"
    later = said("sweep.later_with_rate", {0.0: low, 0.5: seeded("best", 31, sd=10)})
    assert later.outcome == "holds"
    assert "epoch 20.0 on average at 0 and 31.0 at 0.5" in later.text and "(10.0)" in later.text
    # a step back within the spread does not break the trend; one beyond it does
    start = seeded("best", 25, sd=10)
    dip = {0.0: start, 0.3: seeded("best", 16, sd=10), 0.5: seeded("best", 40, sd=10)}
    assert outcome("sweep.later_with_rate", dip) == "holds"
    dip[0.3] = seeded("best", 14, sd=10)
    back = said("sweep.later_with_rate", dip)
    assert back.outcome == "fails" and "25.0 on average at 0 but 14.0 at 0.3" in back.text


def test_the_rise_shrinks_with_the_rate_only_by_more_than_the_seeds_spread() -> None:
    top = seeded("rise", 0.3)
    inside = {0.0: seeded("rise", 0.5), 0.3: seeded("rise", 0.509), 0.5: top}
    assert outcome("sweep.rise_with_rate", inside) == "holds"  # 0.009 more at 0.3: noise
    outside = {**inside, 0.3: seeded("rise", 0.511)}
    assert outcome("sweep.rise_with_rate", outside) == "fails"
    close = {0.0: seeded("rise", 0.5), 0.5: seeded("rise", 0.491)}
    assert outcome("sweep.rise_with_rate", close) == "unclear"
    assert outcome("sweep.rise_with_rate", {**close, 0.5: seeded("rise", 0.489)}) == "holds"


def test_the_training_error_rises_with_the_rate_only_by_more_than_the_seeds_spread() -> None:
    base = seeded("acc", 0.9)  # training error 0.1
    inside = {0.0: base, 0.8: seeded("acc", 0.891)}
    assert outcome("sweep.train_error_rises", inside) == "unclear"
    rises = said("sweep.train_error_rises", {0.0: base, 0.8: seeded("acc", 0.889)})
    assert rises.outcome == "holds" and "from 0.100 at 0 to 0.111 at 0.8" in rises.text
    dip = {0.0: base, 0.3: seeded("acc", 0.909), 0.8: seeded("acc", 0.8)}
    assert outcome("sweep.train_error_rises", dip) == "holds"
    dip[0.3] = seeded("acc", 0.911)
    assert outcome("sweep.train_error_rises", dip) == "fails"


def test_the_top_rates_peak_is_below_every_other_only_beyond_the_spread() -> None:
    others = {0.0: seeded("peak", 0.8), 0.5: seeded("peak", 0.82)}
    inside = said("sweep.top_peak_accuracy", {**others, 0.8: seeded("peak", 0.791)})
    assert inside.outcome == "not_below" and "only" not in inside.text
    outside = {**others, 0.8: seeded("peak", 0.789)}
    assert outcome("sweep.top_peak_accuracy", outside) == "below"


def test_a_leader_is_clear_only_beyond_the_spread_of_every_other_rate() -> None:
    best, second = seeded("low", 0.5), seeded("low", 0.52)  # the runner-up is 0.02 behind
    wide = seeded("low", 0.549, sd=0.05)  # 0.049 behind with a spread of 0.05
    got = said("sweep.lowest_final_loss", {0.0: wide, 0.3: best, 0.5: second})
    assert got.outcome == "within"
    assert "rate 0.3 (0.700, mean of 3 seeds), but 0 (0.749) is only 0.049 higher" in got.text
    far = seeded("low", 0.551, sd=0.05)
    got = said("sweep.lowest_final_loss", {0.0: far, 0.3: best, 0.5: second})
    assert got.outcome == "clear" and "the next, 0.5 (0.720), is 0.020 higher" in got.text
    near = {0.3: best, 0.5: seeded("low", 0.509)}
    assert outcome("sweep.lowest_final_loss", near) == "within"
    assert outcome("long.lowest_final_loss", {**near, 0.5: seeded("low", 0.511)}) == "clear"


def test_the_best_accuracy_is_clear_only_beyond_the_spread_of_every_other_rate() -> None:
    top, second = seeded("val_acc", 0.8), seeded("val_acc", 0.78)
    sweep = {0.0: seeded("val_acc", 0.751, sd=0.05), 0.3: second, 0.5: top}
    got = said("sweep.best_final_accuracy", sweep)
    assert got.outcome == "within" and "with 0 (0.751) only 0.049 lower" in got.text
    sweep[0.0] = seeded("val_acc", 0.749, sd=0.05)
    assert outcome("sweep.best_final_accuracy", sweep) == "clear"


def test_the_top_rates_error_is_lowest_only_beyond_the_spread() -> None:
    others = {0.0: seeded("val_acc", 0.7), 0.5: seeded("val_acc", 0.77)}
    inside = said("sweep.top_val_error", {**others, 0.8: seeded("val_acc", 0.779)})
    assert inside.outcome == "level"
    assert "(0.221) is within the spread between seeds (0.010) of the 0.230 at 0.5" in inside.text
    assert outcome("sweep.top_val_error", {**others, 0.8: seeded("val_acc", 0.781)}) == "lowest"
    assert outcome("sweep.top_val_error", {**others, 0.8: seeded("val_acc", 0.761)}) == "level"
    up = said("sweep.top_val_error", {**others, 0.8: seeded("val_acc", 0.759)})
    assert up.outcome == "up" and "above the 0.230 at 0.5 by 0.011" in up.text
    # above 0.5's error beyond the spread, though within the wide spread of a third rate
    wide = {**others, 0.3: seeded("val_acc", 0.78, sd=0.05), 0.8: seeded("val_acc", 0.759)}
    assert outcome("sweep.top_val_error", wide) == "up"


def test_the_default_rate_removes_most_of_the_gap_only_beyond_the_spread() -> None:
    # no dropout's gap 1.0 with a spread of 0.02: half of it 0.5, spread 0.01; the default's
    # gap has a spread of 0.02, so 0.019 either side of 0.5 is inside, 0.021 outside
    none = seeded("gap", 1.0, sd=0.02)

    def sweep(gap: float) -> dict[float, list[dict]]:
        return {0.0: none, PAIR_RATE: seeded("gap", gap, sd=0.02)}

    inside = said("sweep.default_rate", sweep(0.481))
    assert inside.outcome == "unclear" and "removes 52% of the gap" in inside.text
    assert "whether that is more than 50% is within the spread" in inside.text
    assert outcome("sweep.default_rate", sweep(0.479)) == "most"
    assert outcome("sweep.default_rate", sweep(0.519)) == "unclear"
    assert outcome("sweep.default_rate", sweep(0.521)) == "less"


def test_no_rate_comparison_is_made_without_seeds() -> None:
    one = {0.0: [run(best=10, rise=0.5, acc=0.95)], 0.5: [run(best=40, rise=0.1, acc=0.85)]}
    compared = ("later_with_rate", "rise_with_rate", "train_error_rises", "top_peak_accuracy",
                "lowest_final_loss", "best_final_accuracy", "top_val_error")  # fmt: skip
    for name in compared:
        assert outcome(f"sweep.{name}", one) is None, name
