"""Sentences about the lesson's runs: each claim's condition on constructed run statistics (it
holds, it does not: the right sentence either way), the words complete for every outcome, a
lesson file without 0.8 never mentioning 0.8, the weight-scaling measurements against exact
arithmetic, and no number about the runs written by hand in the pages' words."""

from __future__ import annotations

import re
import string
import tomllib

import numpy as np
import pytest

from dropout_lab.findings import (
    additive,
    claims,
    headline_claims,
    mc_claims,
    run_claims,
    scaling,
    spread_claims,
    sweep_claims,
)
from dropout_lab.findings.mc_stats import THRESHOLD
from dropout_lab.lesson import fmt
from dropout_lab.lesson.catalogue import L2, PAIR_RATE, PATIENCE
from dropout_lab.lesson.content import step_text
from dropout_lab.lesson.locate import LESSONS_DIR

LABELS = step_text("compare")["curves"]["labels"]
ALL = run_claims.ALL_CLAIMS + sweep_claims.ALL_CLAIMS + mc_claims.ALL_CLAIMS
CLAIMS = {c.id: c for c in ALL + headline_claims.ALL_CLAIMS + spread_claims.SPREAD_CLAIMS
          + additive.ALL_CLAIMS}  # fmt: skip
CONSTANTS = {**run_claims.CONSTANTS, **mc_claims.CONSTANTS, **LABELS}


def judged(claim_id: str, facts) -> claims.Said | None:
    """The claim rendered on `facts`; every other outcome's words are rendered with the same
    values too, so a placeholder missing from any outcome fails here."""
    claim = CLAIMS[claim_id]
    judgement = claim.judge(facts)
    if judgement is None:
        return None
    said = claims.render(claim, judgement, CONSTANTS)
    for outcome in claim.outcomes:
        claims.render(
            claim, claims.Judgement(outcome, judgement.values, judgement.items), CONSTANTS
        )
    return said


def outcome(claim_id: str, facts) -> str | None:
    said = judged(claim_id, facts)
    return None if said is None else said.outcome


def run(val_loss, loss=None, acc=None, val_acc=None) -> dict[str, list[float]]:
    """A history from its validation-loss curve (the other metrics flat unless given)."""
    n = len(val_loss)

    def series(x, default: float) -> list[float]:
        return [float(v) for v in (np.full(n, default) if x is None else np.broadcast_to(x, n))]

    return {
        "val_loss": [float(v) for v in val_loss],
        "loss": series(loss, 0.3),
        "accuracy": series(acc, 0.9),
        "val_accuracy": series(val_acc, 0.75),
    }


CLIMBING = [0.6, 0.5, 0.7, 0.9, 1.1]  # lowest at epoch 2, ends far above it
FLAT = [0.6, 0.5, 0.5, 0.5, 0.505]


# --------------------------------------------------------------------------- the words


def test_every_claim_has_a_condition_and_words_for_each_outcome() -> None:
    for claim in CLAIMS.values():
        table = claims.words(claim.text_id)
        assert table.get("condition"), claim.id
        extra = set(table) - set(claims.META)
        assert set(claim.outcomes) <= extra, (claim.id, set(claim.outcomes) - extra)
        assert extra == set(claim.outcomes), (claim.id, extra - set(claim.outcomes))


def test_every_claims_table_is_used() -> None:
    used = {c.text_id for c in CLAIMS.values()}
    assert set(claims.all_text_ids()) == used


def test_an_outcome_outside_the_claims_outcomes_is_refused() -> None:
    claim = CLAIMS["pair.final"]
    with pytest.raises(ValueError, match="not in"):
        claims.render(claim, claims.Judgement("wider", {}), CONSTANTS)


def test_formats_are_consistent() -> None:
    assert fmt.loss(0.5194) == fmt.acc(0.5194) == "0.519"
    assert fmt.diff(0.0175) == "+0.018" and fmt.diff(-0.01) == "-0.010"
    assert fmt.share(0.756) == "76%" and fmt.rate(0.0) == "0" and fmt.rate(0.8) == "0.8"
    assert fmt.between(0.7695, 0.7594, fmt.acc) == "0.010"  # what the reader can check: .769-.759


# --------------------------------------------------------------------------- the sweep


def seeds(val_loss, n: int = 3, jitter: float = 0.002, **metrics) -> list[dict]:
    """`n` seeds of a curve, a little apart."""
    return [run(np.asarray(val_loss) + jitter * s, **metrics) for s in range(n)]


def turning(best_epoch: int, rise: float, epochs: int = 20, low: float = 0.5) -> np.ndarray:
    """A validation loss that falls to `low` at `best_epoch`, then rises by `rise` by the end."""
    t = np.arange(1, epochs + 1, dtype=float)
    fall = low + 0.2 * np.clip(best_epoch - t, 0, None) / best_epoch
    after = np.clip(t - best_epoch, 0, None) / max(1, epochs - best_epoch)
    return fall + rise * after


def lesson_like_sweep() -> dict[float, list[dict]]:
    """The shape the issue measured: 0.8 still falling, its final loss lowest, its error up."""
    return {
        0.0: seeds(turning(3, 1.4), acc=1.0, val_acc=0.73),
        0.3: seeds(turning(5, 0.2), acc=0.89, val_acc=0.743),
        0.5: seeds(turning(12, 0.03), acc=0.83, val_acc=0.769),
        0.8: seeds(turning(20, 0.0, low=0.52) - 0.01, acc=0.77, val_acc=0.759, jitter=0.004),
    }


def test_turns_lists_every_rate_on_show() -> None:
    facts = sweep_claims.SweepFacts(lesson_like_sweep())
    said = judged("sweep.turns", facts)
    assert said.outcome == claims.ALWAYS
    assert "**0** epoch 3, +1.400" in said.text and "**0.8** epoch 20, +0.000" in said.text


def test_later_and_smaller_rise_with_the_rate() -> None:
    facts = sweep_claims.SweepFacts(lesson_like_sweep())
    assert outcome("sweep.later_with_rate", facts) == "holds"
    assert outcome("sweep.rise_with_rate", facts) == "holds"
    mixed = {0.0: seeds(turning(8, 1.0)), 0.5: seeds(turning(3, 1.2))}
    assert outcome("sweep.later_with_rate", sweep_claims.SweepFacts(mixed)) == "fails"
    assert outcome("sweep.rise_with_rate", sweep_claims.SweepFacts(mixed)) == "fails"


def test_the_top_rate_still_falling_is_under_trained() -> None:
    said = judged("sweep.top_still_falling", sweep_claims.SweepFacts(lesson_like_sweep()))
    assert said.outcome == "falling" and "under-trained, not unable to learn" in said.text
    levelled = {0.0: seeds(turning(3, 1.0)), 0.5: seeds(turning(10, 0.05))}
    assert outcome("sweep.top_still_falling", sweep_claims.SweepFacts(levelled)) == "levelled"
    assert outcome("sweep.top_still_falling", sweep_claims.SweepFacts({0.0: seeds(FLAT)})) is None


def test_the_leaders_are_named_with_the_seeds_spread() -> None:
    facts = sweep_claims.SweepFacts(lesson_like_sweep())
    loss = judged("sweep.lowest_final_loss", facts)
    assert loss.outcome == "clear" and "at rate 0.8 (0.514, mean of 3 seeds)" in loss.text
    acc = judged("sweep.best_final_accuracy", facts)
    assert acc.outcome == "clear" and "at rate 0.5 (0.769)" in acc.text  # no spread: equal seeds
    # 0.520 ± 0.010 against 0.525 ± 0.010: the lead is within the seeds' spread
    close = {0.5: seeds(np.full(5, 0.515), jitter=0.01), 0.8: seeds(np.full(5, 0.51), jitter=0.01)}
    said = judged("sweep.lowest_final_loss", sweep_claims.SweepFacts(close))
    assert said.outcome == "within" and "only 0.005 higher" in said.text


def test_the_end_of_training_errors() -> None:
    facts = sweep_claims.SweepFacts(lesson_like_sweep())
    assert outcome("sweep.train_error_rises", facts) == "holds"
    over = judged("sweep.overfit_at_lowest", facts)
    assert over.outcome == "holds" and "0.000 and the validation error at 0.270" in over.text
    assert outcome("sweep.top_meets", facts) == "meet"  # 0.230 against 0.241
    # 0.8's error is above 0.5's by 0.010 with no spread between seeds (equal accuracies)
    assert outcome("sweep.top_val_error", facts) == "up"
    lowest = {**lesson_like_sweep(), 0.8: seeds(turning(20, 0.0), acc=0.77, val_acc=0.78)}
    assert outcome("sweep.top_val_error", sweep_claims.SweepFacts(lowest)) == "lowest"
    noisy = {
        0.5: [run(FLAT, val_acc=v) for v in (0.76, 0.77, 0.78)],
        0.8: [run(FLAT, val_acc=v) for v in (0.75, 0.765, 0.78)],
    }
    assert outcome("sweep.top_val_error", sweep_claims.SweepFacts(noisy)) == "level"
    falls = {0.0: seeds(FLAT, acc=0.9, val_acc=0.88), 0.5: seeds(FLAT, acc=0.95, val_acc=0.8)}
    assert outcome("sweep.train_error_rises", sweep_claims.SweepFacts(falls)) == "fails"
    assert outcome("sweep.overfit_at_lowest", sweep_claims.SweepFacts(falls)) == "fails"
    assert outcome("sweep.top_meets", sweep_claims.SweepFacts(falls)) == "apart"


def test_the_default_rate_and_the_peak_accuracy() -> None:
    facts = sweep_claims.SweepFacts(lesson_like_sweep())
    said = judged("sweep.default_rate", facts)
    assert said.outcome == "most" and f"default, {PAIR_RATE:g}" in said.text
    weak = {0.0: seeds(CLIMBING, loss=0.0), PAIR_RATE: seeds([0.6, 0.5, 0.6, 0.8, 1.0], loss=0.1)}
    assert outcome("sweep.default_rate", sweep_claims.SweepFacts(weak)) == "less"
    peaks = {
        0.5: seeds(FLAT, val_acc=[0.7, 0.78, 0.77, 0.77, 0.77]),
        0.8: seeds(FLAT, val_acc=[0.7, 0.74, 0.76, 0.76, 0.76]),
    }
    assert outcome("sweep.top_peak_accuracy", sweep_claims.SweepFacts(peaks)) == "below"
    peaks[0.8] = seeds(FLAT, val_acc=0.79)
    assert outcome("sweep.top_peak_accuracy", sweep_claims.SweepFacts(peaks)) == "not_below"


def test_one_rate_on_show_makes_no_comparison() -> None:
    said = sweep_claims.sweep({0.3: seeds(turning(5, 0.2))}) + sweep_claims.sweep_end(
        {0.3: seeds(turning(5, 0.2))}
    )
    assert [s.id for s in said] == [
        "sweep.turns",
        "sweep.top_still_falling",
        "sweep.overfit_at_lowest",
    ]


def test_a_lesson_file_without_0_8_never_mentions_it() -> None:
    shown = {r: h for r, h in lesson_like_sweep().items() if r in (0.0, 0.3, 0.5)}
    said = sweep_claims.sweep(shown) + sweep_claims.sweep_end(shown)
    said += sweep_claims.long_sweep({r: h for r, h in shown.items() if r > 0})
    text = " ".join(s.text + " " + s.condition for s in said)
    assert said and not re.search(r"(?<![\d.])0\.8(?!\d)", text)  # 0.812 is a loss, not 0.8
    assert "At 0.5, the highest rate shown" in text


def test_the_long_sweep_says_whether_the_top_rate_catches_up() -> None:
    long = {0.5: seeds(turning(12, 0.3, epochs=60)), 0.8: seeds(turning(55, 0.0, epochs=60))}
    facts = sweep_claims.SweepFacts(long)
    said = judged("long.catch_up", facts)
    assert said.outcome == "same" and "Given 60 epochs, 0.8 catches up with 0.5" in said.text
    assert outcome("long.top_still_falling", facts) == "falling"
    behind = {**long, 0.8: seeds(turning(55, 0.0, epochs=60, low=0.56))}
    assert outcome("long.catch_up", sweep_claims.SweepFacts(behind)) == "higher"
    ahead = {**long, 0.8: seeds(turning(30, 0.0, epochs=60, low=0.45))}
    assert outcome("long.catch_up", sweep_claims.SweepFacts(ahead)) == "lower"
    assert outcome("long.top_still_falling", sweep_claims.SweepFacts(ahead)) == "levelled"
    assert judged("long.lowest_final_loss", facts).text.startswith("After 60 epochs")


# --------------------------------------------------------------------------- weight scaling


def test_measure_tells_a_real_gap_from_sampling_noise() -> None:
    rng = np.random.default_rng(1)
    det = rng.uniform(0.1, 0.9, 500)
    noise = rng.normal(0.0, 0.1, (200, 500))
    exact = scaling.measure(det + noise, det)  # the passes average to the dropout-off value
    assert [g.passes for g in exact.gaps] == list(scaling.PASSES)
    assert exact.gaps[0].mad > exact.gaps[-1].mad  # pure noise shrinks with the passes
    assert exact.most.mad == pytest.approx(exact.most.noise, rel=0.15)
    assert exact.rms_gap < 0.005
    shifted = scaling.measure(det + 0.03 + noise, det)
    assert shifted.rms_gap == pytest.approx(0.03, abs=0.003)
    label = "a model"
    assert outcome("scaling.gap", mc_claims.ScalingFacts(exact, label)) == "within"
    said = judged("scaling.gap", mc_claims.ScalingFacts(shifted, label))
    assert said.outcome == "beyond" and "T = 10:" in said.text and "T = 200:" in said.text
    assert outcome("scaling.size", mc_claims.ScalingFacts(exact, label)) == "close"
    assert outcome("scaling.size", mc_claims.ScalingFacts(shifted, label)) == "not_close"
    flips = judged("scaling.decisions", mc_claims.ScalingFacts(shifted, label))
    assert flips.outcome == "some"
    far = scaling.measure(np.tile([[0.2, 0.8]], (10, 1)), np.array([0.2, 0.8]), passes=(5, 10))
    assert outcome("scaling.decisions", mc_claims.ScalingFacts(far, label)) == "none"


def test_measure_refuses_what_it_cannot_use() -> None:
    with pytest.raises(ValueError, match="shapes"):
        scaling.measure(np.zeros((10, 3)), np.zeros(4))
    with pytest.raises(ValueError, match="pass counts"):
        scaling.measure(np.zeros((10, 3)), np.zeros(3), passes=(5, 20))


def test_the_average_over_every_mask_by_hand() -> None:
    masks = scaling.every_mask(3)
    assert masks.shape == (8, 3) and len({tuple(m) for m in masks}) == 8
    # the reading's example: inputs 1 and 1, weights +1 and -1, a ReLU, rate 0.5: 0 against 0.5
    relu = scaling.mask_average(
        lambda x: np.maximum(x @ np.array([1.0, -1.0]), 0.0), np.array([1.0, 1.0]), 0.5
    )
    assert relu == pytest.approx(0.5)
    ones = scaling.mask_average(lambda x: np.ones(len(x)), np.ones(4), 0.3)
    assert ones == pytest.approx(1.0)  # the masks' probabilities add up to one
    with pytest.raises(ValueError):
        scaling.mask_average(lambda x: x[:, 0], np.ones(2), 1.0)


@pytest.mark.parametrize("rate", [0.1, PAIR_RATE, 0.5, 0.8])
def test_weight_scaling_is_exact_for_a_linear_layer_not_for_a_relu_one(rate: float) -> None:
    linear, relu = scaling.exact_case("linear", rate), scaling.exact_case("relu", rate)
    assert linear.masks == 2**scaling.EXACT_UNITS
    assert linear.difference < 1e-9
    assert relu.difference > 1e-3
    said = mc_claims.exact(linear, relu)
    assert [s.outcome for s in said] == ["exact", "differs"]
    assert f"rate {rate:g}" in said[0].text


def test_the_exact_average_matches_monte_carlo() -> None:
    relu = scaling.exact_case("relu", 0.5, units=6, hidden=4, seed=3)
    rng = np.random.default_rng(0)
    h, f = scaling._network("relu", 6, 4, np.random.default_rng(3))
    out = f((rng.random((200_000, 6)) >= 0.5) * h / 0.5)
    assert abs(out.mean() - relu.average) < 4 * out.std() / np.sqrt(out.size)


# --------------------------------------------------------------------------- no number by hand

# Numbers the pages' words may spell out: names of the configurations compared (each checked
# against the code's constant), the alert threshold, and the export's requirements.
ALLOWED = (
    re.escape(f"Dropout({PAIR_RATE:g})"),
    re.escape("L2(1e-3)") if L2 == 1e-3 else "(?!)",
    re.escape(f"patience {PATIENCE}"),
    r"\bL2\b",  # the name of the penalty
    re.escape(f"above {THRESHOLD:g}"),
    # Mathematical facts, not numbers about the runs: a probability's range, entropy's bounds.
    r"\b0 and 1\b",
    r"\(0 bits: certain, 1 bit: P = 0\.5\)",
    r"\(0 when they all agree\)",
)
EXEMPT = {("compare", "export")}  # how to run the downloads: not about the runs


def strings(table, path=()) -> list[tuple[tuple[str, ...], str]]:
    out = []
    for key, value in table.items():
        if isinstance(value, dict):
            out += strings(value, (*path, key))
        elif isinstance(value, str):
            out.append(((*path, key), value))
    return out


@pytest.mark.parametrize("name", ["compare", "reflect_page", *claims.FILES])
def test_no_number_about_the_runs_is_written_by_hand(name: str) -> None:
    with (LESSONS_DIR / f"{name}.toml").open("rb") as f:
        data = tomllib.load(f)
    bad = []
    for path, text in strings(data):
        if (name, path[0]) in EXEMPT:
            continue
        literal = "".join(part for part, *_ in string.Formatter().parse(text))
        for pattern in ALLOWED:
            literal = re.sub(pattern, "", literal)
        if re.search(r"\d", literal):
            bad.append((".".join(path), re.findall(r"\S*\d\S*", literal)))
    assert not bad, bad


def test_the_old_fixed_sentences_are_gone() -> None:
    words = " ".join(
        text for name in ("compare", "reflect_page") for _, text in strings(step_text(name))
    )
    for phrase in (
        "Why 0.8 is too much",
        "fit even the training set",
        "less-trained",
        "up again",
        "dropout keeps it narrow",
        "The best rate on this data",
        "ranks connections about as well",
        "close to\nthe dropout-off",
    ):
        assert phrase not in words, phrase
