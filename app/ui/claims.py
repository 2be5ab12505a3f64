"""Streamlit pieces for the sentences about the runs (findings/claims.py): a template filled with
rendered claims, and an expander that shows each sentence's condition and what it found."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import streamlit as st

from dropout_lab.findings.claims import Said, paragraph
from dropout_lab.lesson import catalogue
from dropout_lab.lesson.content import step_text


def fill(template: str, said: Sequence[Said], **fields: str) -> str:
    """`template` with `{claims}` (all the sentences), `{<name>}` for the claim `<topic>.<name>`
    (empty when the runs had nothing to say), and `fields`."""
    values: defaultdict[str, str] = defaultdict(str, fields)
    values["claims"] = paragraph(said)
    for s in said:
        values[s.id.split(".", 1)[1]] = s.text
    return template.format_map(values)


def headline(said: Sequence[Said], heading: str) -> None:
    """What the runs show, said first: the sentences as a short list in a box, before any
    chart or paragraph (nothing when the runs have nothing to say yet)."""
    if not said:
        return
    with st.container(border=True):
        st.markdown(f"**{heading}**\n\n" + "\n".join(f"- {s.text}" for s in said))


def lesson_headline(heading: str) -> None:
    """Compare's headline (what Dropout(0.3) does to the lesson model's overfit, from the
    stored lesson runs) on another page, once the learner has a finished run of their own:
    nothing while the lesson's runs are not stored yet."""
    from dropout_lab.findings import headline_claims
    from dropout_lab.training import precompute
    from dropout_lab.ui import settings, training

    if not any(s.state in ("done", "stopped") for _, s in training.statuses()):
        return
    requests = catalogue.requests(settings.train_settings().config)
    loaded = precompute.load(training.service().store, requests)
    said = headline_claims.pair(loaded, step_text("compare")["curves"]["labels"])
    headline(said, heading)


def conditions(said: Sequence[Said]) -> None:
    """The tests behind the sentences shown, in a closed expander."""
    if not said:
        return
    text = step_text("claims")["page"]
    with st.expander(text["why"], icon=":material/rule:"):
        lines = [
            text["line"].format(condition=s.condition[:1].upper() + s.condition[1:],
                                outcome=s.outcome.replace("_", " "))
            for s in said
        ]  # fmt: skip
        st.markdown(text["explain"] + "\n" + "\n".join(lines))
