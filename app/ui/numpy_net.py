"""The backprop lab's last part on the Build page: the learner's passing dropout trains a small
NumPy network in the sandbox, with and without it; both curves are drawn live as they come in,
beside the Keras runs, then one sentence says whether their dropout narrowed the gap.

The run trains in a thread of `grading.net_run` (never in this script); this page only polls its
snapshot from a fragment. Words: labs/numpy_backprop/network.toml.
"""

from __future__ import annotations

import logging
import os

import streamlit as st

from dropout_lab.charts import curves, describe, panels, run_colours
from dropout_lab.grading import net_run
from dropout_lab.lesson import catalogue
from dropout_lab.lesson.spec import run_key
from dropout_lab.ui import charts, process, session, settings, training, waiting

POLL_SECONDS = 0.25  # the whole run takes 1-2 s: poll often enough to see it grow
# What each NumPy variant is, hence its colour (panels.MEANINGS): the learner's dropout is theirs.
VARIANT_MEANINGS = {"plain": "no_dropout", "dropout": "yours"}
LOG = logging.getLogger(__name__)


def runs() -> net_run.NetRuns:
    """Shared by every session of this server: identical code trains once; one sandbox per core
    (once per process, `ui/process.py`: a second NetRuns would double the sandboxes at once)."""
    return process.once("numpy net runs", lambda: net_run.NetRuns(workers=os.cpu_count() or 2))


def panel(passed_code: str | None, code: str) -> None:
    """The section under the backprop lab, once its code passed every property."""
    if not passed_code:
        return
    words, config = net_run.texts(), net_run.lab_config()
    st.header(words["heading"])
    st.markdown(words["explain"].format(batch_size=config.batch_size, epochs=config.epochs,
                                        rate=config.rate))  # fmt: skip
    if passed_code != code:
        st.caption(words["again"])
    if st.button(words["button"], type="primary", key=session.BUILD_NET_TRAIN):
        runs().start(passed_code, config)
        st.session_state[session.BUILD_NET_CODE] = passed_code
    run = current(config)
    if run is None:
        return
    if run.snapshot().finished:
        show(run.snapshot())
    else:
        live(config)


def current(config: net_run.NetConfig) -> net_run.NetRun | None:
    code = st.session_state.get(session.BUILD_NET_CODE)
    return runs().get(code, config) if code else None


def live(config: net_run.NetConfig) -> None:
    def progress() -> bool:
        run = current(config)
        if run is None:
            return False
        snap = run.snapshot()
        show(snap)
        return snap.finished  # one full rerun draws the finished panel without the polling

    waiting.until_done(progress, every=POLL_SECONDS)


def show(snap: net_run.NetSnapshot) -> None:
    words = net_run.texts()
    labels = words["labels"]
    if snap.state == "queued":
        st.info(words["queued"], icon="⏳")
    elif snap.state == "running":
        done, total = snap.epochs_done, max(snap.epochs_total, 1)
        st.progress(done / total, text=words["running"].format(done=done, total=total))
    elif snap.state == "failed":
        st.error(snap.error, icon="🚫")
    else:
        st.success(words["done"].format(epochs=snap.epochs_done, seconds=snap.seconds), icon="✅")
    # One figure: the NumPy runs and the Keras runs on the same axes, beside each other.
    mine = variant_curves(snap.histories, labels)
    keras = keras_runs(labels)
    charts.plot(curves.curves_parts, mine + keras, epochs_total=snap.epochs_total,
                key=session.BUILD_NET_CURVES, about=describe.curves(mine + keras))  # fmt: skip
    if not keras:
        st.caption(words["keras_none"])
    if snap.state == "done":
        st.markdown(" ".join(net_run.gap_summary(snap.histories)))


def variant_curves(histories: dict, labels: dict[str, str]) -> list[curves.Curve]:
    """The NumPy network's two runs, each in its meaning's colour."""
    return [curves.Curve(labels[v], histories[v], panels.colour_of(VARIANT_MEANINGS[v]))
            for v in net_run.VARIANTS]  # fmt: skip


def keras_pair_curves(stored: dict, labels: dict[str, str]) -> list[curves.Curve]:
    """The lesson's Keras pair among the `stored` runs (by name), in their meanings' colours."""

    dropout = labels["keras_dropout"].format(rate=catalogue.PAIR_RATE)
    names = {catalogue.NO_DROPOUT: labels["keras_plain"], catalogue.DROPOUT: dropout}
    return [curves.Curve(names[name], stored[name], run_colours.COLOURS[name])
            for name in names if name in stored]  # fmt: skip


def keras_runs(labels: dict[str, str]) -> list[curves.Curve]:
    """The lesson's Keras pair (no dropout, Dropout(0.3)) when it is stored, and the learner's
    own Keras runs of this session that have curves. They are an extra beside the NumPy run:
    if they cannot be read (the training service is down), the NumPy curves still show."""
    try:
        return _keras_runs(labels)
    except Exception:
        LOG.warning("the Keras runs could not be read beside the NumPy network", exc_info=True)
        return []


def _keras_runs(labels: dict[str, str]) -> list[curves.Curve]:
    from dropout_lab.training import precompute

    svc = training.service()
    pair = catalogue.requests(settings.train_settings().config)[:2]
    stored = precompute.load(svc.store, pair)
    out = keras_pair_curves(stored, labels)
    pair_keys = {run_key(r.spec, r.config) for r in pair}
    for label, status in training.statuses():
        if status.history and status.key not in pair_keys:
            colour = run_colours.session_colour(label)  # the learner's own, or their starter
            out.append(curves.Curve(f"Keras, {label}", status.history, colour))
    return out
