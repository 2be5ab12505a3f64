"""Claims that never contradict each other: every combination of outcomes the runs allow,
rendered as the page shows it, is checked against what each sentence asserts and presupposes
(declared as data beside its words, lessons/claims*.toml). Hypothesis draws the runs (the pair
with its seeds, the regularisers, the sweep, the long sweep); the real judges pick the outcomes;
`claims.page_problems` fails a page where two sentences contradict or one presupposes what no
sentence says. A word that presupposes ("also", "still", ...) must come with its declaration."""

from __future__ import annotations

import re

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dropout_lab.findings import claims, headline_claims, run_claims, sweep_claims
from dropout_lab.lesson import catalogue
from dropout_lab.lesson.catalogue import DROPOUT, NO_DROPOUT, PAIR_RATE, SEEDS, sweep_name
from dropout_lab.lesson.content import step_text

LABELS = step_text("compare")["curves"]["labels"]
EPOCHS = 12
RATES = (0.0, 0.1, PAIR_RATE, 0.5, 0.8)
TRIGGERS = re.compile(r"\b(also|again|still|instead|even|too)\b", re.IGNORECASE)


@st.composite
def curve(draw, epochs: int = EPOCHS) -> dict[str, list[float]]:
    """One run: the validation loss falls to its lowest at some epoch, then rises (or not);
    the training loss falls or rises; accuracies around the lesson's."""
    best = draw(st.integers(1, epochs))
    low = draw(st.floats(0.45, 0.65))
    rise = draw(st.sampled_from([0.0, 0.005, 0.02, 0.1, 0.5, 1.5]))
    t = np.arange(1, epochs + 1, dtype=float)
    val = low + 0.2 * np.clip(best - t, 0, None) / best
    val = val + rise * np.clip(t - best, 0, None) / max(1, epochs - best)
    start, end = draw(st.floats(0.3, 0.7)), draw(st.floats(0.0, 0.8))
    return {
        "val_loss": [float(v) for v in val],
        "loss": [float(v) for v in np.linspace(start, end, epochs)],
        "accuracy": [0.9] * epochs,
        "val_accuracy": [draw(st.floats(0.7, 0.8))] * epochs,
    }


@st.composite
def seeded(draw, epochs: int = EPOCHS) -> list[dict[str, list[float]]]:
    """The seeds of one model: one curve drawn, each seed shifted a little (or a lot)."""
    base = draw(curve(epochs))
    out = []
    for _ in SEEDS:
        shift = draw(st.sampled_from([0.0, 0.003, 0.02, 0.1]))
        out.append({**base, "val_loss": [v + shift for v in base["val_loss"]]})
    return out


@st.composite
def compare_runs(draw) -> tuple[dict, dict, dict]:
    """(runs as Compare loads them, the sweep by rate, the long sweep by rate)."""
    sweep = {r: draw(seeded()) for r in RATES}
    runs = {sweep_name(r, s): h for r, hs in sweep.items() for s, h in zip(SEEDS, hs, strict=True)}
    runs[NO_DROPOUT], runs[DROPOUT] = sweep[0.0][0], sweep[PAIR_RATE][0]
    for name in catalogue.REGULARISERS:
        runs[name] = draw(curve(draw(st.sampled_from([5, EPOCHS]))))
    long = {r: draw(seeded(2 * EPOCHS)) for r in catalogue.LONG_RATES}
    return runs, sweep, long


def compare_page(runs: dict, sweep: dict, long: dict) -> list[claims.Said]:
    """Every sentence of the Compare step, in its order."""
    return (
        headline_claims.pair(runs, LABELS)
        + run_claims.pair(runs, LABELS)
        + run_claims.regularisers(runs, LABELS, catalogue.REGULARISERS)
        + headline_claims.sweep(sweep)
        + sweep_claims.sweep(sweep)
        + sweep_claims.sweep_end(sweep)
        + sweep_claims.long_sweep(long)
    )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(compare_runs())
def test_no_compare_page_contradicts_itself(drawn) -> None:
    said = compare_page(*drawn)
    assert said
    assert claims.page_problems(said) == [], [(s.id, s.outcome) for s in said]


def test_the_checker_finds_a_contradiction_and_a_missing_presupposition() -> None:
    def said(claim_id: str, outcome: str) -> claims.Said:
        return claims.Said(claim_id, outcome, {}, "", "")

    stops = said("headline.stops", "climbs")
    assert "presupposes 'overfit'" in claims.page_problems([stops])[0]
    fine = [said("headline.effect", "both"), stops]
    assert claims.page_problems(fine) == []
    clash = [said("headline.effect", "no_overfit"), said("headline.effect", "both")]
    assert "negation" in claims.page_problems(clash)[0]


def test_every_declared_fact_belongs_to_an_outcome_of_its_claim() -> None:
    for text_id in claims.all_text_ids():
        table = claims.words(text_id)
        outcomes = set(table) - set(claims.META)
        for key in ("asserts", "presupposes"):
            assert set(table.get(key, {})) <= outcomes, (text_id, key)


def test_every_presupposed_fact_is_asserted_somewhere() -> None:
    asserted, presupposed = set(), set()
    for text_id in claims.all_text_ids():
        table = claims.words(text_id)
        asserted |= {f for facts in table.get("asserts", {}).values() for f in facts}
        presupposed |= {f for facts in table.get("presupposes", {}).values() for f in facts}
    assert presupposed <= asserted, presupposed - asserted


def test_a_word_that_presupposes_comes_with_its_declaration() -> None:
    undeclared = []
    for text_id in claims.all_text_ids():
        table = claims.words(text_id)
        for outcome in set(table) - set(claims.META):
            if TRIGGERS.search(table[outcome]) and outcome not in table.get("presupposes", {}):
                undeclared.append(f"{text_id}.{outcome}: {TRIGGERS.search(table[outcome])[0]}")
    assert not undeclared, undeclared


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.sampled_from([0.0, 0.05, 0.3, 0.49, 0.51, 0.9, 1.0]), min_size=2, max_size=30),
    st.floats(0.0, 1.0),
    st.booleans(),
)
def test_no_packet_page_contradicts_itself(probs, det, plain_random) -> None:
    from dropout_lab.findings import mc_claims
    from dropout_lab.findings.mc_stats import packet_stats

    stats = packet_stats(np.asarray(probs), det)
    plain = packet_stats(np.asarray(probs) if plain_random else np.full(len(probs), det), det)
    said = mc_claims.packet(stats, plain, np.linspace(0.0, 0.3, 101))
    assert claims.page_problems(said) == [], [(s.id, s.outcome) for s in said]
