"""Sentences about the lesson's own runs, each said only when its condition holds on those runs.

A claim is an id, the outcomes it can have and a judge: a function from statistics of the
stored runs to a `Judgement` (which outcome, and the numbers to fill in), or None when the runs
on show cannot say anything (a comparison of rates when only one rate is shown). The words live
in lessons/claims.toml, one table per claim: `condition` (the test, in words) and one template
per outcome, so the page says what the runs show either way. Numbers are formatted here, once
(`lesson/fmt.py`), so every sentence writes a loss, an accuracy or a share the same way.

The judges are in `findings/run_claims.py` (the pair, the regularisers, the sweep, the long
sweep) and `findings/mc_claims.py` (Monte Carlo dropout, the weight-scaling rule). Pure: no
Streamlit, no TensorFlow.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dropout_lab.lesson.content import step_text

ALWAYS = "always"  # the outcome of a claim that only fills in numbers (no comparison)
FILES = ("claims", "claims_mc")  # lessons/<file>.toml: the Compare step's words, Reflect's
META = ("condition", "item", "joiner", "asserts", "presupposes")  # a claim table's other keys


@dataclass(frozen=True)
class Judgement:
    """What a judge found: the outcome and the values its template needs (already formatted).
    `items` are formatted with the claim's `item` template and joined into `{items}`."""

    outcome: str
    values: Mapping[str, str] = field(default_factory=dict)
    items: tuple[Mapping[str, str], ...] = ()


@dataclass(frozen=True)
class Claim:
    """A sentence about the runs: `judge(facts)` picks one of `outcomes` (or None: not said).
    `text` names the claims.toml table when several claims share words (default: `id`)."""

    id: str
    outcomes: tuple[str, ...]
    judge: Callable[[Any], Judgement | None]
    text: str = ""

    @property
    def text_id(self) -> str:
        return self.text or self.id


@dataclass(frozen=True)
class Said:
    """A rendered claim: which claim, which outcome, with what values, in what words."""

    id: str
    outcome: str
    values: Mapping[str, str]
    text: str
    condition: str
    text_id: str = ""  # the claims table of its words (default: `id`)


def all_words() -> dict[str, Any]:
    """The claims tables of every FILES file, one dict (their top-level names are distinct)."""
    out: dict[str, Any] = {}
    for name in FILES:
        out.update(step_text(name))
    return out


def words(text_id: str) -> dict[str, Any]:
    """The table of one claim (`pair.final` is [pair.final] of claims.toml)."""
    table: Any = all_words()
    for part in text_id.split("."):
        table = table[part]
    return table


def all_text_ids(table: Mapping | None = None, prefix: str = "") -> list[str]:
    """Every claim table (the tables that have a `condition`)."""
    table = all_words() if table is None else table
    out = []
    for key, value in table.items():
        if isinstance(value, Mapping):
            name = f"{prefix}{key}"
            out += [name] if "condition" in value else all_text_ids(value, f"{name}.")
    return out


def render(claim: Claim, judgement: Judgement, constants: Mapping[str, str]) -> Said:
    """The sentence of `judgement`, and the claim's condition in words. `constants` (the
    conditions' thresholds, the runs' labels) fill both; the judgement's values win."""
    if judgement.outcome not in claim.outcomes:
        raise ValueError(f"{claim.id}: outcome {judgement.outcome!r} not in {claim.outcomes}")
    table = words(claim.text_id)
    values = dict(judgement.values)
    if judgement.items:
        joiner = table.get("joiner", "; ")
        values["items"] = joiner.join(table["item"].format(**i) for i in judgement.items)
    text = " ".join(table[judgement.outcome].split())
    condition = " ".join(table["condition"].split())
    shown = text.format(**{**constants, **values})
    return Said(claim.id, judgement.outcome, values, shown, condition.format(**constants),
                claim.text_id)  # fmt: skip


def say(claims: Iterable[Claim], facts: Any, constants: Mapping[str, str]) -> list[Said]:
    """Judge each claim on `facts` and render the ones that have something to say."""
    out = []
    for claim in claims:
        judgement = claim.judge(facts)
        if judgement is not None:
            out.append(render(claim, judgement, constants))
    return out


def paragraph(said: Sequence[Said]) -> str:
    """The sentences one after another."""
    return " ".join(s.text for s in said)


# --------------------------------------------------------------------------- what a page means


def meaning(said: Said) -> tuple[frozenset[str], frozenset[str]]:
    """(what the sentence asserts, what it presupposes): facts declared in its table's
    `asserts` and `presupposes` for its outcome ("not <fact>" is a negation)."""
    table = words(said.text_id or said.id)
    asserts = table.get("asserts", {}).get(said.outcome, [])
    presupposes = table.get("presupposes", {}).get(said.outcome, [])
    return frozenset(asserts), frozenset(presupposes)


def negation(fact: str) -> str:
    return fact[4:] if fact.startswith("not ") else f"not {fact}"


def page_problems(said: Sequence[Said]) -> list[str]:
    """What is wrong with the sentences of one page taken together: two that contradict (one
    asserts a fact, another its negation), or one that presupposes a fact no sentence asserts."""
    asserted: dict[str, str] = {}
    for s in said:
        for fact in meaning(s)[0]:
            asserted.setdefault(fact, f"{s.id}={s.outcome}")
    problems = [
        f"{who} asserts {fact!r}, {asserted[negation(fact)]} its negation"
        for fact, who in asserted.items()
        if negation(fact) in asserted and not fact.startswith("not ")
    ]
    for s in said:
        for fact in meaning(s)[1]:
            if fact not in asserted:
                problems.append(f"{s.id}={s.outcome} presupposes {fact!r}, which no sentence says")
    return problems
