"""Reflect's weight-scaling section: the mean of T Monte Carlo passes against the dropout-off
prediction on the model the step uses, and two small networks whose average over every dropout
mask is computed exactly (`findings/scaling.py`); the sentences from `findings/mc_claims.py`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from dropout_lab.findings import mc_claims, scaling
from dropout_lab.lesson import fmt
from dropout_lab.lesson.catalogue import PAIR_RATE
from dropout_lab.lesson.content import step_text
from dropout_lab.lesson.traffic import TrafficData
from dropout_lab.training import mc
from dropout_lab.ui import claims
from dropout_lab.ui.reflect_models import first_passes

if TYPE_CHECKING:
    import keras

TEXT = step_text("reflect_page")["scaling"]
MC_SEED = 0


# Keyed by the run and its epochs (which fix the model); the model and the rows are not hashed.
@st.cache_data(max_entries=16, show_spinner="Measuring the weight-scaling rule…")
def measure(key: str, epochs: int, _model: keras.Model, _x) -> scaling.Scaling:
    probs = first_passes(key, epochs, max(scaling.PASSES), MC_SEED)
    return scaling.measure(probs, mc.deterministic_predict(_model, _x))


def dropout_rate(model: keras.Model) -> float:
    """The model's first dropout rate (the lesson's rate when it has none)."""
    rates = [float(layer.rate) for _, layer in mc.noise_layers(model) if getattr(layer, "rate", 0)]
    return rates[0] if rates else PAIR_RATE


def section(key: str, epochs: int, model: keras.Model, data: TrafficData, mine: bool) -> None:
    """The rule measured on the model, then the exact linear and ReLU cases."""
    st.header(TEXT["heading"], anchor=False)
    st.markdown(TEXT["explain"])
    said = []
    if mc.has_dropout(model):
        measured = measure(key, epochs, model, data.x_val)
        label = TEXT["model_mine" if mine else "model_reference"]
        said = mc_claims.scaling(mc_claims.ScalingFacts(measured, label))
        most = measured.most
        c1, c2, c3, c4 = st.columns(4)
        c1.metric(TEXT["mad_metric"].format(passes=most.passes), fmt.prob(most.mad),
                  help=TEXT["mad_help"])  # fmt: skip
        c2.metric(TEXT["max_metric"], fmt.prob(most.max))
        c3.metric(TEXT["noise_metric"], fmt.prob(most.noise), help=TEXT["noise_help"])
        c4.metric(TEXT["decisions_metric"], fmt.share(most.decisions))
        st.markdown(claims.fill("{claims}", said))
    else:
        st.info(TEXT["no_dropout"], icon="ℹ️")
    rate = dropout_rate(model)
    exact = mc_claims.exact(scaling.exact_case("linear", rate), scaling.exact_case("relu", rate))
    st.markdown(TEXT["exact_intro"])
    st.markdown(claims.fill(TEXT["exact"], exact))
    claims.conditions(said + exact)
