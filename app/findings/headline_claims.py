"""What the lesson's runs show, said first (before any chart or paragraph): what Dropout(0.3)
does to the overfit of the lesson model, and what higher rates and more epochs do. Each
sentence with the condition it needs (words in lessons/claims.toml [headline.*]); every
comparison is judged against the spread between seeds (`findings/seeds.py`).

Pure NumPy on stored histories; no Streamlit, no TensorFlow.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dropout_lab.findings import seeds
from dropout_lab.findings.claims import Claim, Judgement, Said, say
from dropout_lab.findings.run_claims import CONSTANTS, RunFacts, curve
from dropout_lab.findings.sweep import History
from dropout_lab.findings.sweep_claims import SweepFacts, top_still_falling
from dropout_lab.lesson import fmt
from dropout_lab.lesson.catalogue import DROPOUT, NO_DROPOUT


def _climbs(h: History) -> bool:
    return curve([h]).climbs


def _overfits(f: RunFacts) -> bool:
    """Without dropout the validation loss climbs on every stored seed."""
    return seeds.every_seed(f.runs, NO_DROPOUT, _climbs) == "all"


def _effect(f: RunFacts) -> Judgement | None:
    later = seeds.compare_runs(f.runs, DROPOUT, NO_DROPOUT, seeds.best_epoch)
    narrower = seeds.compare_runs(f.runs, DROPOUT, NO_DROPOUT, seeds.final_gap)
    if later is None or narrower is None:
        return None
    delays, shrinks = later.outcome == "higher", narrower.outcome == "lower"
    outcome = (
        "no_overfit" if not _overfits(f)
        else "both" if delays and shrinks
        else "shrinks" if shrinks
        else "delays" if delays
        else "neither"
    )  # fmt: skip
    return Judgement(
        outcome,
        f.values(
            d_epoch=fmt.mean_epoch(later.a), n_epoch=fmt.mean_epoch(later.b),
            d_gap=fmt.loss(narrower.a), n_gap=fmt.loss(narrower.b),
            gap_spread=fmt.loss(narrower.spread),
            seeds=fmt.count(max(later.seeds, narrower.seeds)),
            epochs=fmt.epoch(curve([f.runs[DROPOUT]]).epochs),
        ),
    )  # fmt: skip


def _stops(f: RunFacts) -> Judgement | None:
    if DROPOUT not in f.runs or len(seeds.seed_histories(f.runs, DROPOUT)) < 2:
        return None
    if not _overfits(f):
        return None  # no overfit to stop: the effect sentence says so
    d = curve([f.runs[DROPOUT]])
    held = seeds.every_seed(f.runs, DROPOUT, _climbs)
    return Judgement(
        {"all": "climbs", "none": "flat", "some": "some"}[held],
        f.values(
            best=fmt.loss(d.best), best_epoch=fmt.epoch(d.best_epoch), final=fmt.loss(d.final),
            epochs=fmt.epoch(d.epochs),
            seeds=fmt.count(len(seeds.seed_histories(f.runs, DROPOUT))),
        ),
    )  # fmt: skip


def _stronger(f: SweepFacts) -> Judgement | None:
    """Each rate above the lesson's default against the default: final validation loss."""
    if f.default_rate not in f.sweep:
        return None
    base = [seeds.final_val_loss(h) for h in f.sweep[f.default_rate]]
    higher = [r for r in f.rates if r > f.default_rate]
    compared = {r: seeds.compare([seeds.final_val_loss(h) for h in f.sweep[r]], base)
                for r in higher}  # fmt: skip
    if not compared or any(c is None for c in compared.values()):
        return None
    lower = all(c.outcome == "lower" for c in compared.values())
    items = tuple({"rate": fmt.rate(r), "final": fmt.loss(c.a)} for r, c in compared.items())
    spread = max(c.spread for c in compared.values())
    return Judgement(
        "holds" if lower else "fails",
        {
            "default": fmt.rate(f.default_rate),
            "default_final": fmt.loss(float(sum(base) / len(base))),
            "spread": fmt.loss(spread),
            "epochs": fmt.epoch(f.epochs),
        },
        items,
    )


PAIR_HEADLINE = (
    Claim("headline.effect", ("both", "shrinks", "delays", "neither", "no_overfit"), _effect),
    Claim("headline.stops", ("climbs", "flat", "some"), _stops),
)
SWEEP_HEADLINE = (
    Claim("headline.stronger", ("holds", "fails"), _stronger),
    Claim("headline.longer", ("falling", "levelled"), top_still_falling),
)
ALL_CLAIMS = PAIR_HEADLINE + SWEEP_HEADLINE


def pair(runs: Mapping[str, History], labels: Mapping[str, str]) -> list[Said]:
    """What Dropout(0.3) does to the overfit, said before the curves."""
    return say(PAIR_HEADLINE, RunFacts(runs, labels), {**CONSTANTS, **labels})


def sweep(histories: Mapping[float, Sequence[History]]) -> list[Said]:
    """What higher rates and more epochs do, said before the sweep's curves."""
    return say(SWEEP_HEADLINE, SweepFacts(histories), CONSTANTS) if histories else []
