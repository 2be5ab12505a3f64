"""The Reflect step's cached computing: the trained Keras models (shared by every session, for
inference only), their data seeds, and Monte Carlo passes over the validation set."""

from __future__ import annotations

import numpy as np
import streamlit as st

from dropout_lab.findings import mc_stats, scaling
from dropout_lab.lesson.traffic import load_lesson_data
from dropout_lab.training import mc
from dropout_lab.ui import training


def epochs_done(key: str) -> int:
    return int((training.service().store.meta(key) or {}).get("epochs_done", 0))


# One Keras model per run (and epochs done: a stopped run can later be completed), shared by
# every session of the server. This is safe only because the model is used for inference and
# never trained: `mc.mc_predict` seeds its dropout layers under a lock, nothing else changes.
@st.cache_resource(max_entries=8, show_spinner="Loading the trained model…")
def model_for(key: str, epochs: int):
    from dropout_lab.training.models import model_from_run  # TensorFlow: only on this page

    run = training.service().result(key)
    if run is None:
        raise RuntimeError(f"run {key} has no stored weights")
    return model_from_run(run)


@st.cache_resource(max_entries=8, show_spinner=False)
def data_seed(key: str) -> int:
    meta = training.service().store.meta(key) or {}
    return int(meta.get("config", {}).get("data_seed", 0))


# The most passes a section of the step runs over the validation set (the weight-scaling
# comparison's largest count); a section that uses fewer takes the first ones, the same masks
# (`mc.mc_predict`). One computation for the step: before, three sections ran 600,000 rows of
# passes between them, now 400,000 (the passes of a first load: 5.8 -> 3.9 CPU-s, 2026-12-07).
MOST_PASSES = max(scaling.PASSES)


@st.cache_resource(max_entries=8, show_spinner="Running MC dropout over the validation set…")
def set_passes(key: str, epochs: int, seed: int) -> tuple[np.ndarray, np.ndarray | None]:
    """P(malicious) of MOST_PASSES passes over the validation set, and their logits (None when
    the model's last layer is not a sigmoid Dense: no logits to read), each (passes, n). Shared
    by every session, not copied on each read: read-only."""
    model = model_for(key, epochs)
    x = load_lesson_data(data_seed(key)).x_val
    try:
        probs, logits = mc.mc_predict_and_logits(model, x, MOST_PASSES, seed)
    except ValueError:
        probs, logits = mc.mc_predict(model, x, MOST_PASSES, seed), None
    for array in (probs, logits):
        if array is not None:
            array.flags.writeable = False
    return probs, logits


def first_passes(key: str, epochs: int, passes: int, seed: int, logits: bool = False):
    """The first `passes` of `set_passes` (their logits with `logits`; None if it has none)."""
    if not 1 <= passes <= MOST_PASSES:
        raise ValueError(f"passes must be between 1 and {MOST_PASSES}, got {passes}")
    got = set_passes(key, epochs, seed)[1 if logits else 0]
    return None if got is None else got[:passes]


@st.cache_data(max_entries=32, show_spinner="Running MC dropout over the validation set…")
def set_stats(key: str, epochs: int, passes: int, seed: int) -> mc_stats.SetStats:
    model = model_for(key, epochs)
    data = load_lesson_data(data_seed(key))
    probs = first_passes(key, epochs, passes, seed)
    return mc_stats.set_stats(probs, mc.deterministic_predict(model, data.x_val), data.y_val)


@st.cache_data(max_entries=16, show_spinner=False)
def dropout_in(key: str, epochs: int) -> bool:
    return mc.has_dropout(model_for(key, epochs))
