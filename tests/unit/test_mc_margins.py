"""Reflect's numbers, said only as far as they go: a packet's spread is "wide" against the
spreads of the whole validation set; the whole set's margins (errors, rejection, spread against
confidence) are said only when a bootstrap interval over the connections clears zero; the
spread of the logits and the entropies beside the spread of P, against hand-computed values and
against Keras' own `training=True` passes; and no sentence advises acting on the spread
automatically."""

from __future__ import annotations

import math
import re

import keras
import numpy as np
import pytest

from dropout_lab.findings import claims, mc_claims, mc_spread, spread_claims
from dropout_lab.findings.mc_stats import packet_stats, set_stats
from dropout_lab.lesson.content import step_text
from dropout_lab.lesson.spec import lesson_spec
from dropout_lab.lesson.traffic import load_lesson_data
from dropout_lab.training import mc
from dropout_lab.training.models import build_model

CLAIMS = {c.id: c for c in mc_claims.ALL_CLAIMS + spread_claims.ALL_CLAIMS}
CONSTANTS = {**mc_claims.CONSTANTS, **spread_claims.CONSTANTS}
SET_STD = np.linspace(0.0, 0.1, 1001)  # a validation set's spreads: 90% of them below 0.09


def outcome(claim_id: str, facts) -> str | None:
    judgement = CLAIMS[claim_id].judge(facts)
    if judgement is None:
        return None
    for o in CLAIMS[claim_id].outcomes:  # every outcome's words take the same values
        claims.render(
            CLAIMS[claim_id], claims.Judgement(o, judgement.values, judgement.items), CONSTANTS
        )
    return judgement.outcome


def said(claim_id: str, facts) -> claims.Said:
    return claims.render(CLAIMS[claim_id], CLAIMS[claim_id].judge(facts), CONSTANTS)


# --------------------------------------------------------------------------- one packet


def test_a_packet_is_wide_only_against_the_sets_spreads() -> None:
    plain = packet_stats(np.full(100, 0.3), 0.3)
    # the issue's connection: a spread of 0.059 and no pass that changes the alert
    issue = packet_stats(0.25 + 0.059 * np.r_[np.ones(50), -np.ones(50)], 0.25)
    facts = mc_claims.PacketFacts(issue, plain, SET_STD)
    assert outcome("packet.spread", facts) == "typical"
    flips = said("packet.flips", facts)
    assert flips.outcome == "none" and "cannot" not in flips.text
    wide = packet_stats(0.3 + 0.25 * np.r_[np.ones(50), -np.ones(50)], 0.3)  # std 0.25, flips
    facts = mc_claims.PacketFacts(wide, plain, SET_STD)
    assert outcome("packet.spread", facts) == "wide"
    assert "cannot be reproduced or explained" in said("packet.flips", facts).text
    # just above the set's 90th percentile, but within twice the sampling error of 10 passes
    near = packet_stats(0.3 + 0.095 * np.r_[np.ones(5), -np.ones(5)], 0.3)
    assert outcome("packet.spread", mc_claims.PacketFacts(near, plain, SET_STD)) == "typical"
    assert outcome("packet.spread", mc_claims.PacketFacts(plain, plain, SET_STD)) == "none"


# --------------------------------------------------------------------------- the whole set


def whole(std_wrong: float, std_right: float, n: int = 400, seed: int = 0, ranked=False):
    """Passes over `n` connections, a quarter of them wrong, with these spreads. The dropout-off
    prediction is as confident everywhere, or (`ranked`) the less the wider the spread."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) > 0.5).astype(float)
    wrong = rng.permutation(n) < n // 4
    side = np.where(wrong, 1 - y, y) * 2 - 1  # +1: malicious side of the threshold
    mean = 0.5 + 0.2 * side
    std = np.where(wrong, std_wrong, std_right)
    probs = mean + std * rng.choice([-1.0, 1.0], size=(40, n))
    det = 0.5 + side * (0.45 - std) if ranked else mean
    return set_stats(probs, det, y)


PLAIN = set_stats(np.full((10, 400), 0.7), np.full(400, 0.7), np.ones(400))


def test_the_whole_set_says_a_margin_only_when_it_is_cleared() -> None:
    good = mc_claims.SetFacts(whole(0.15, 0.05), PLAIN)
    errors = said("mc.spread_where_errors", good)
    assert errors.outcome == "holds" and "(3.0 times as much; 95% interval" in errors.text
    assert "are where the errors are" not in errors.text
    assert outcome("mc.rejection_raises", good) == "holds"
    assert outcome("mc.spread_vs_confidence", good) == "better"
    bad = mc_claims.SetFacts(whole(0.05, 0.15), PLAIN)
    assert outcome("mc.spread_where_errors", bad) == "fails"
    assert outcome("mc.rejection_raises", bad) == "fails"
    assert outcome("mc.spread_vs_confidence", bad) == "worse"
    level = mc_claims.SetFacts(whole(0.1, 0.1), PLAIN)  # the same spread everywhere
    assert outcome("mc.spread_where_errors", level) == "unclear"
    # the issue's case: 0.840 against 0.835 is within the noise of 2,000 connections
    close = mc_claims.SetFacts(whole(0.15, 0.05, ranked=True), PLAIN)
    judgement = said("mc.spread_vs_confidence", close)
    assert judgement.outcome == "same" and "includes zero" in judgement.text


def test_bootstrap_by_hand() -> None:
    values = np.r_[np.zeros(50), np.ones(50)]
    lo, hi = mc_spread.bootstrap(lambda idx: float(values[idx].mean()), 100, draws=2000)
    se = math.sqrt(0.25 / 100)  # the standard error of a mean of 100 coin flips
    assert lo == pytest.approx(0.5 - 1.96 * se, abs=0.02)
    assert hi == pytest.approx(0.5 + 1.96 * se, abs=0.02)
    assert mc_spread.side((0.01, 0.2)) == "above" and mc_spread.side((-0.1, 0.2)) == "across"
    assert mc_spread.side((-0.3, -0.1)) == "below"


# --------------------------------------------------------------------------- two scales


def test_spread_measures_by_hand() -> None:
    # one connection whose two passes give logits -1 and +1: P = 0.2689 and 0.7311
    s = mc_spread.spread(np.array([[-1.0, 6.0], [1.0, 9.0]]))
    p = 1 / (1 + math.exp(-1))
    assert s.logit_std[0] == pytest.approx(1.0) and s.prob_std[0] == pytest.approx(p - 0.5)
    assert s.entropy[0] == pytest.approx(1.0)  # mean P = 0.5: one bit
    h = -(p * math.log2(p) + (1 - p) * math.log2(1 - p))  # 0.8393 bits per pass
    assert s.mutual_info[0] == pytest.approx(1.0 - h)
    # logits 6 and 9: a spread of 1.5 on the logit, squeezed to about 0.001 on P
    assert s.logit_std[1] == pytest.approx(1.5) and s.prob_std[1] < 0.0013
    assert s.confident.tolist() == [False, True] and s.squeezed().tolist() == [False, True]
    assert mc_spread.entropy_bits(np.array([0.0, 1.0, 0.5])) == pytest.approx([0, 0, 1], abs=1e-9)


def test_the_squeeze_sentence() -> None:
    z = np.array([[0.0, 0.1, 6.0, -7.0], [0.5, 0.2, 9.0, -10.5]])
    judgement = said("spread.squeeze", mc_spread.spread(z))
    assert (
        judgement.outcome == "some"
        and "Of the 2" in judgement.text
        and ", 2\nhave" not in judgement.text
    )
    flat = mc_spread.spread(np.array([[0.0, 6.0], [0.0, 6.0]]))
    assert outcome("spread.squeeze", flat) == "none"


def test_logits_match_keras_training_true() -> None:
    model = build_model(lesson_spec(0.3), 0)
    x = load_lesson_data(0).x_val[:9]
    z = mc.mc_logits(model, x, 30, seed=4)
    p = mc.mc_predict(model, x, 30, seed=4)
    np.testing.assert_allclose(mc_spread.sigmoid(z), p, rtol=1e-5, atol=1e-7)
    for i, layer in enumerate(model.layers):  # Keras itself, the same seeds
        if isinstance(layer, keras.layers.Dropout):
            layer.seed_generator.state.assign(np.array([mc.noise_seed(4, i), 0], "int64"))
    ref = np.asarray(model(np.tile(x, (30, 1)), training=True), np.float64).reshape(30, 9)
    np.testing.assert_allclose(mc_spread.sigmoid(z), ref, rtol=1e-5, atol=1e-7)
    assert (z.std(axis=0) > 0).all()


def test_logits_of_a_model_without_a_sigmoid_head_are_refused() -> None:
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="sigmoid"):
        mc.mc_logits(model, np.ones((2, 3), "float32"), 2, 0)


# --------------------------------------------------------------------------- no automatic action


def test_no_sentence_advises_acting_on_the_spread_automatically() -> None:
    texts = [t for name in ("claims_mc", "reflect_page") for t in _strings(step_text(name))]
    found = [t for t in texts if re.search(r"automatic", t, re.IGNORECASE)
             and not re.search(r"\b(not|never|no)\b[^.]*automatic", t, re.IGNORECASE)]  # fmt: skip
    assert not found, found


def _strings(table) -> list[str]:
    out = []
    for value in table.values():
        out += _strings(value) if isinstance(value, dict) else [value] * isinstance(value, str)
    return out
