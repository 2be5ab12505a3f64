"""Streamlit pieces of the Reflect step's Monte Carlo numbers that take time or a second look:
the whole set's sentences (bootstrap intervals, computed once per model) and the spread on two
scales, probabilities and logits (`findings/mc_spread.py`, `charts/mc.py`)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from dropout_lab.charts import describe
from dropout_lab.charts import mc as mc_charts
from dropout_lab.findings import mc_claims, mc_spread, mc_stats, spread_claims
from dropout_lab.findings.claims import Said
from dropout_lab.lesson.content import step_text
from dropout_lab.ui import charts, claims, session
from dropout_lab.ui.reflect_models import first_passes

TEXT = step_text("reflect_page")["spread"]


@st.cache_data(max_entries=32, show_spinner="Resampling the validation set for the margins…")
def whole_set_claims(
    key: str, epochs: int, contrast: str, contrast_epochs: int,
    _stats: mc_stats.SetStats, _plain: mc_stats.SetStats,
) -> tuple[list[Said], list[Said]]:  # fmt: skip
    """The whole set's sentences and the contrast's, once per pair of models (the bootstrap
    behind the margins takes a few tenths of a second)."""
    return mc_claims.whole_set(_stats, _plain), mc_claims.contrast(_stats, _plain)


def spread_of(key: str, epochs: int, passes: int, seed: int) -> mc_spread.Spread | None:
    """The spread measures of the first `passes` passes over the validation set (None when the
    model's last layer is not a sigmoid Dense: no logits to read)."""
    logits = first_passes(key, epochs, passes, seed, logits=True)
    return None if logits is None else spread_of_logits(key, epochs, passes, seed, logits)


@st.cache_data(max_entries=16, show_spinner=False)
def spread_of_logits(key: str, epochs: int, passes: int, seed: int, _logits) -> mc_spread.Spread:
    return mc_spread.spread(_logits)


def section(key: str, epochs: int, passes: int, seed: int) -> None:
    """The spread of P beside the spread of the logits, the entropies, and why they differ."""
    s = spread_of(key, epochs, passes, seed)
    if s is None:
        return
    st.subheader(TEXT["heading"], anchor=False)
    st.markdown(TEXT["explain"].format(n=s.mean.size, passes=passes))
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(TEXT["prob_metric"], f"{np.median(s.prob_std):.3f}")
    c2.metric(TEXT["logit_metric"], f"{np.median(s.logit_std):.2f}")
    c3.metric(TEXT["entropy_metric"], TEXT["bits"].format(value=float(s.entropy.mean())),
              help=TEXT["entropy_help"])  # fmt: skip
    c4.metric(TEXT["mi_metric"], TEXT["bits"].format(value=float(s.mutual_info.mean())),
              help=TEXT["mi_help"])  # fmt: skip
    charts.plot(mc_charts.spread_parts, s, key=session.REFLECT_SPREAD_CHART,
                about=describe.spread_scales(s))  # fmt: skip
    said = spread_claims.squeeze(s)
    st.markdown(claims.fill(TEXT["takeaway"], said))
    claims.conditions(said)
