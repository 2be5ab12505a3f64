"""Are dropout and L2 additive on the lesson model? Reflect's question, answered from the runs
Compare shows (issue 25, part 8): no regulariser, Dropout(0.3), L2 and the two together.

A regulariser's gain is how far it lowers the final validation loss below the run without one.
Additive means the pair's gain is the sum of the two single gains; overlapping, that it is the
larger single gain alone. Each comparison is judged against the spread between seeds, as every
comparison of the lesson's runs is (`findings/seeds.py`): no dropout and Dropout(0.3) are means
over the sweep's seeds; L2 and the pair are seed 0, the runs Compare draws. The pair against
the better single regulariser uses that run's spread (Compare's own sentence on the pair against
Dropout(0.3) uses the same); anything involving the run without one, the larger of the two.

The answer is two claims (`findings/claims.py`; words in lessons/claims.toml [additive.*]): the
numbers, always said once the runs are stored, and the outcome's sentence.

Pure: stored histories in, one outcome and its numbers out; no Streamlit, no TensorFlow.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dropout_lab.findings import seeds
from dropout_lab.findings.claims import ALWAYS, Claim, Judgement, Said, paragraph, say
from dropout_lab.findings.run_claims import RunFacts
from dropout_lab.findings.sweep import History
from dropout_lab.lesson import fmt
from dropout_lab.lesson.catalogue import DROPOUT, DROPOUT_L2, L2_ONLY, NO_DROPOUT

RUNS = (NO_DROPOUT, DROPOUT, L2_ONLY, DROPOUT_L2)
OUTCOMES = ("additive", "overlap", "unclear", "between", "more", "less")


@dataclass(frozen=True)
class Additive:
    """The four final validation losses, the gains as the sentence writes them, and the
    outcome: "additive", "overlap", "unclear" (within the spread of both), "between" (more than
    the better one alone, less than the sum), "more" (above the sum) or "less" (below the better
    one alone)."""

    outcome: str
    values: dict[str, str]  # the sentence's numbers, written once (fmt)


def judge(runs: Mapping[str, History], labels: Mapping[str, str]) -> Additive | None:
    """The answer the runs give, or None while one of them is not stored or the pair's runs
    have fewer than two seeds (no spread to judge against). `labels` name DROPOUT and L2_ONLY."""
    if any(name not in runs for name in RUNS):
        return None
    none_seeds, drop_seeds = (seeds.seed_histories(runs, n) for n in (NO_DROPOUT, DROPOUT))
    if min(len(none_seeds), len(drop_seeds)) < 2:
        return None
    none_final = [seeds.final_val_loss(h) for h in none_seeds]
    drop_final = [seeds.final_val_loss(h) for h in drop_seeds]
    loss = {NO_DROPOUT: sum(none_final) / len(none_final),
            DROPOUT: sum(drop_final) / len(drop_final),
            L2_ONLY: seeds.final_val_loss(runs[L2_ONLY]),
            DROPOUT_L2: seeds.final_val_loss(runs[DROPOUT_L2])}  # fmt: skip
    shown = {name: float(fmt.loss(v)) for name, v in loss.items()}  # the arithmetic adds up
    gain = {name: shown[NO_DROPOUT] - shown[name] for name in (DROPOUT, L2_ONLY, DROPOUT_L2)}
    total = gain[DROPOUT] + gain[L2_ONLY]
    top, other = (DROPOUT, L2_ONLY) if gain[DROPOUT] >= gain[L2_ONLY] else (L2_ONLY, DROPOUT)
    none_sd, drop_sd = seeds.sd(none_final), seeds.sd(drop_final)
    top_spread = drop_sd if top == DROPOUT else max(none_sd, drop_sd)
    sum_spread = max(none_sd, drop_sd)
    pair = gain[DROPOUT_L2]
    near_top, near_sum = abs(pair - gain[top]) <= top_spread, abs(pair - total) <= sum_spread
    if near_top and near_sum:
        outcome = "unclear"
    elif near_sum:
        outcome = "additive"
    elif near_top:
        outcome = "overlap"
    elif pair > total:
        outcome = "more"
    elif pair < gain[top]:
        outcome = "less"
    else:
        outcome = "between"
    values = {
        "epochs": fmt.epoch(len(runs[NO_DROPOUT]["val_loss"])),
        "seeds": fmt.count(min(len(none_seeds), len(drop_seeds))),
        "none": fmt.loss(loss[NO_DROPOUT]), "dropout": fmt.loss(loss[DROPOUT]),
        "l2": fmt.loss(loss[L2_ONLY]), "both": fmt.loss(loss[DROPOUT_L2]),
        "g_dropout": fmt.loss(gain[DROPOUT]), "g_l2": fmt.loss(gain[L2_ONLY]),
        "g_both": fmt.loss(pair), "g_sum": fmt.loss(total),
        "dropout_label": labels[DROPOUT], "l2_label": labels[L2_ONLY],
        "top": labels[top], "other": labels[other], "g_top": fmt.loss(gain[top]),
        "g_other": fmt.loss(gain[other]),
        "extra": fmt.loss(abs(pair - gain[top])), "short": fmt.loss(abs(total - pair)),
        "top_spread": fmt.loss(top_spread), "sum_spread": fmt.loss(sum_spread),
    }  # fmt: skip
    return Additive(outcome, values)


def _values(f: RunFacts) -> Judgement | None:
    got = judge(f.runs, f.labels)
    return None if got is None else Judgement(ALWAYS, got.values)


def _outcome(f: RunFacts) -> Judgement | None:
    got = judge(f.runs, f.labels)
    return None if got is None else Judgement(got.outcome, got.values)


ADDITIVE_CLAIMS = (
    Claim("additive.values", (ALWAYS,), _values),
    Claim("additive.outcome", OUTCOMES, _outcome),
)
ALL_CLAIMS = ADDITIVE_CLAIMS


def said(runs: Mapping[str, History], labels: Mapping[str, str]) -> list[Said]:
    """The answer's sentences (none while the runs are not stored). `labels` name the runs."""
    return say(ADDITIVE_CLAIMS, RunFacts(runs, labels), labels)


def answer(runs: Mapping[str, History], labels: Mapping[str, str], words: Mapping[str, str]) -> str:
    """The paragraph the model answer ends with: the numbers, then the outcome's sentence;
    `words["missing"]` (reflect_page.toml [runs.additive]) without the runs."""
    return paragraph(said(runs, labels)) or words["missing"]
