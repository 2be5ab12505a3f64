"""Reflect's "are dropout and L2 additive here?" answered from the runs Compare shows (issue 25,
part 8): every outcome reachable, each judged against the spread between seeds, the sentence's
arithmetic adding up, and nothing said without the runs."""

from __future__ import annotations

import pytest

from dropout_lab.findings import additive, claims
from dropout_lab.findings.sweep import sweep_name
from dropout_lab.lesson import catalogue, lessons
from dropout_lab.lesson.content import step_text

WORDS = step_text("reflect_page")["runs"]["additive"]  # what is said without the runs
SAID = {**claims.words("additive.outcome"), "values": claims.words("additive.values")["always"]}
LABELS = step_text("compare")["curves"]["labels"]
EPOCHS = 50
NONE = (1.0, 1.1, 0.9)  # final validation losses over the seeds: mean 1.0, sd 0.1
DROP = (0.6, 0.62, 0.58)  # mean 0.6 (a gain of 0.4), sd 0.02


def history(final: float) -> dict[str, list[float]]:
    val = [0.7 + 0.01 * e for e in range(EPOCHS - 1)] + [final]
    return {"loss": [0.5] * EPOCHS, "val_loss": val, "accuracy": [0.9] * EPOCHS,
            "val_accuracy": [0.8] * EPOCHS}  # fmt: skip


def runs(l2: float, both: float) -> dict[str, dict]:
    out = {catalogue.L2_ONLY: history(l2), catalogue.DROPOUT_L2: history(both)}
    for name, rate, finals in ((catalogue.NO_DROPOUT, 0.0, NONE),
                               (catalogue.DROPOUT, catalogue.PAIR_RATE, DROP)):  # fmt: skip
        out[name] = history(finals[0])  # seed 0 of the sweep
        for seed, final in zip(catalogue.SEEDS[1:], finals[1:], strict=True):
            out[sweep_name(rate, seed)] = history(final)
    return out


# (L2's final loss, the pair's) -> outcome. Gains: dropout 0.4; the spread of dropout's seeds
# 0.02 (the pair against dropout alone), of the two seeded runs' 0.1 (against the sum).
CASES = {
    "additive": (0.8, 0.4),  # L2 gains 0.2, the pair 0.6 = the sum
    "overlap": (0.8, 0.6),  # the pair gains 0.4, dropout's alone
    "unclear": (0.95, 0.59),  # 0.41: within 0.02 of dropout's 0.4 and 0.1 of the sum 0.45
    "between": (0.8, 0.52),  # 0.48: 0.08 above dropout's (> 0.02), 0.12 below the sum (> 0.1)
    "more": (0.8, 0.2),  # 0.8 > the sum 0.6 by more than 0.1
    "less": (0.8, 0.7),  # 0.3 < dropout's 0.4 by more than 0.02
}


def test_every_outcome_is_covered() -> None:
    assert set(CASES) == set(additive.OUTCOMES)


@pytest.mark.parametrize("outcome", list(CASES))
def test_each_outcome_and_its_sentence(outcome: str) -> None:
    l2, both = CASES[outcome]
    got = additive.judge(runs(l2, both), LABELS)
    assert got is not None and got.outcome == outcome
    v = got.values
    assert v["none"] == "1.000" and v["dropout"] == "0.600" and v["seeds"] == "3"
    assert float(v["g_dropout"]) + float(v["g_l2"]) == pytest.approx(float(v["g_sum"]))
    assert float(v["g_dropout"]) == pytest.approx(float(v["none"]) - float(v["dropout"]))
    text = additive.answer(runs(l2, both), LABELS, WORDS)
    assert SAID[outcome].format(**v) in text and "{" not in text
    assert text.startswith(SAID["values"].format(**v))
    assert v["g_both"] in SAID["values"].format(**v)


def test_the_spreads_are_the_seeds() -> None:
    v = additive.judge(runs(*CASES["between"]), LABELS).values
    assert (v["top_spread"], v["sum_spread"]) == ("0.020", "0.100")
    assert v["top"] == LABELS[catalogue.DROPOUT] and v["other"] == LABELS[catalogue.L2_ONLY]
    # L2 the stronger one: the pair against L2 alone borrows the larger spread of the seeds
    v = additive.judge(runs(0.3, 0.25), LABELS).values
    assert v["top"] == LABELS[catalogue.L2_ONLY] and v["top_spread"] == "0.100"


def test_nothing_is_said_without_the_runs() -> None:
    full = runs(*CASES["additive"])
    for name in additive.RUNS:
        assert additive.judge({k: h for k, h in full.items() if k != name}, LABELS) is None
    one_seed = {k: h for k, h in full.items() if not k.startswith("rate ")}
    assert additive.judge(one_seed, LABELS) is None
    assert additive.answer({}, LABELS, WORDS) == WORDS["missing"]


def test_the_question_asks_for_the_runs_paragraph(tmp_path) -> None:
    (q,) = [q for q in lessons.load_reflect_questions() if q.id == "dropout-l2-additive"]
    assert q.runs == "additive" and q.runs in lessons.RUN_ANSWERS
    bad = tmp_path / "reflect.toml"
    bad.write_text('[[question]]\nid = "x"\nquestion = "Q?"\nmodel_answer = "A."\nruns = "nope"\n')
    with pytest.raises(ValueError, match="'runs' must be one of"):
        lessons.load_reflect_questions(bad)
