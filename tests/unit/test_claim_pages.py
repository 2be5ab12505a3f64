"""Claims that never contradict each other: every combination of outcomes the runs allow,
rendered as each page shows it, is checked against what each sentence asserts and presupposes
(declared as data beside its words, lessons/claims*.toml). Hypothesis draws the runs (the pair
with its seeds, the regularisers, the sweep, the long sweep) and Reflect's Monte Carlo passes
(a model's passes over a validation set, a packet among them, the contrast model's, the
weight-scaling measurements); the real judges pick the outcomes; `claims.page_problems` fails a
page where two sentences contradict or one presupposes what no sentence says. Every page that
shows claims (read from the code: tests/support/page_claims.py) has its renderer here, and each
renders every claim its page shows. A word that presupposes ("also", "still", ...) must come
with its declaration."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dropout_lab.findings import (
    additive,
    claims,
    headline_claims,
    mc_claims,
    mc_spread,
    run_claims,
    scaling,
    spread_claims,
    sweep_claims,
)
from dropout_lab.findings.mc_stats import packet_stats, set_stats
from dropout_lab.lesson import catalogue
from dropout_lab.lesson.catalogue import DROPOUT, NO_DROPOUT, PAIR_RATE, SEEDS, sweep_name
from dropout_lab.lesson.content import step_text
from tests.support import page_claims

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
        acc = draw(st.sampled_from([0.0, 0.005, 0.03]))  # the accuracies move between seeds too
        out.append({**base, "val_loss": [v + shift for v in base["val_loss"]],
                    "accuracy": [a - acc for a in base["accuracy"]],
                    "val_accuracy": [a + acc for a in base["val_accuracy"]]})  # fmt: skip
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


def build_page(runs: dict, sweep: dict, long: dict) -> list[claims.Said]:
    """Build's sentences: Compare's headline on the lesson's runs, once the learner has a run."""
    return headline_claims.pair(runs, LABELS)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(compare_runs())
def test_no_compare_or_build_page_contradicts_itself(drawn) -> None:
    said = compare_page(*drawn)
    assert said
    assert claims.page_problems(said) == [], [(s.id, s.outcome) for s in said]
    said = build_page(*drawn)  # Build's sentences stand on their own there
    assert claims.page_problems(said) == [], [(s.id, s.outcome) for s in said]


# --------------------------------------------------------------------------- Reflect

CONNECTIONS, PASSES = 30, 12


@st.composite
def passes(draw, random: list[float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(P(malicious) of PASSES passes over CONNECTIONS connections, the dropout-off prediction,
    the labels): each connection's passes spread by the model's scale (one of `random`), more
    or less on the connections the model gets wrong, and none on some (a saturated sigmoid
    gives the same P on every pass)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    centre = rng.uniform(0.01, 0.99, CONNECTIONS)
    y = np.where(rng.random(CONNECTIONS) < draw(st.sampled_from([0.0, 0.2, 0.5])),
                 centre < 0.5, centre > 0.5).astype(float)  # fmt: skip
    wrong = (centre > 0.5) != (y > 0.5)
    scale = draw(st.sampled_from(random)) * (1 + draw(st.sampled_from([-0.9, 0.0, 3.0])) * wrong)
    scale = scale * (rng.random(CONNECTIONS) >= draw(st.sampled_from([0.0, 0.3])))
    probs = np.clip(centre + rng.normal(0.0, 1.0, (PASSES, CONNECTIONS)) * scale, 0.0, 1.0)
    det = np.clip(centre + draw(st.sampled_from([0.0, 0.03, 0.2])), 0.0, 1.0)
    return probs, det, y


@st.composite
def additive_runs(draw) -> dict:
    """The runs Reflect's question is answered from: the pair with its seeds, L2, both."""
    runs = {sweep_name(r, s): h for r in (0.0, PAIR_RATE)
            for s, h in zip(SEEDS, draw(seeded()), strict=True)}  # fmt: skip
    runs[NO_DROPOUT], runs[DROPOUT] = runs[sweep_name(0.0, 0)], runs[sweep_name(PAIR_RATE, 0)]
    runs[catalogue.L2_ONLY], runs[catalogue.DROPOUT_L2] = draw(curve()), draw(curve())
    return runs


def exact(draw, kind: str) -> scaling.Exact:
    full = draw(st.floats(-2.0, 2.0))
    off = draw(st.sampled_from([0.0, 1e-12, 0.01, 0.5]))
    return scaling.Exact(kind, scaling.EXACT_UNITS, PAIR_RATE, full, full + off)


@st.composite
def reflect_runs(draw) -> dict:
    """What Reflect's sentences are computed from: the model's passes and the contrast's over
    the validation set (a packet picked among them), and the two small exact networks."""
    probs, det, y = draw(passes([0.0, 0.01, 0.1, 0.3]))
    plain, plain_det, _ = draw(passes([0.0, 0.0, 0.05]))
    index = draw(st.integers(0, CONNECTIONS - 1))
    logits = np.log(np.clip(probs, 1e-6, 1 - 1e-6) / np.clip(1 - probs, 1e-6, 1))
    return {
        "stats": set_stats(probs, det, y),
        "plain": set_stats(plain, plain_det, y),
        "packet": packet_stats(probs[:, index], det[index]),
        "packet_plain": packet_stats(plain[:, index], plain_det[index]),
        "spread": mc_spread.spread(logits),
        "scaling": scaling.measure(probs, det, passes=(PASSES // 2, PASSES)),
        "linear": exact(draw, "linear"),
        "relu": exact(draw, "relu"),
        "runs": draw(additive_runs()),
    }


def reflect_page(drawn: dict) -> list[claims.Said]:
    """Every sentence of the Reflect step, in its order: the lesson's question's answer from
    Compare's runs, one packet, the whole set and the contrast, the two spreads, the
    weight-scaling rule."""
    stats, plain = drawn["stats"], drawn["plain"]
    return (
        additive.said(drawn["runs"], LABELS)
        + mc_claims.packet(drawn["packet"], drawn["packet_plain"], stats.std)
        + mc_claims.whole_set(stats, plain)
        + mc_claims.contrast(stats, plain)
        + spread_claims.squeeze(drawn["spread"])
        + mc_claims.scaling(mc_claims.ScalingFacts(drawn["scaling"], "a model"))
        + mc_claims.exact(drawn["linear"], drawn["relu"])
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reflect_runs())
def test_no_reflect_page_contradicts_itself(drawn) -> None:
    said = reflect_page(drawn)
    assert said
    assert claims.page_problems(said) == [], [(s.id, s.outcome) for s in said]


# --------------------------------------------------------------------------- every page

RENDERERS = {"compare": compare_page, "build": build_page, "reflect": reflect_page}


def test_every_claim_a_page_shows_is_in_its_combination_test() -> None:
    shown = page_claims.page_claims()
    assert {"compare", "build", "reflect"} <= set(shown)  # the reader finds the known pages
    assert set(shown) <= set(RENDERERS), f"no combination test for {set(shown) - set(RENDERERS)}"
    here = str(Path(__file__).resolve())
    for page, found in shown.items():
        rendered = page_claims.claims_reached([(here, RENDERERS[page].__name__)])
        missing = {c.id for c in found} - {c.id for c in rendered}
        assert not missing, f"{page} shows {sorted(missing)}, left out of its combination test"
    tables = {c.text_id for found in shown.values() for c in found}
    assert set(claims.all_text_ids()) <= tables, set(claims.all_text_ids()) - tables


def test_the_reader_finds_what_a_page_reaches() -> None:
    here = str(Path(__file__).resolve())
    build = page_claims.claims_reached([(here, "build_page")])
    assert {c.id for c in build} == {c.id for c in headline_claims.PAIR_HEADLINE}
    assert {c.id for c in page_claims.claims_reached([(here, "curve")])} == set()


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
