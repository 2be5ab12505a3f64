"""Streamlit glue for training: the one service per server process, and the live run panel."""

from __future__ import annotations

import os

import streamlit as st

from dropout_lab.training.runstore import RunStore
from dropout_lab.training.service import RunStatus, TrainingService
from dropout_lab.ui import session

RUNS = session.BUILD_RUNS  # this learner's runs: list of {"label", "key"}, newest last
POLL_SECONDS = 0.5


@st.cache_resource(show_spinner=False)
def service() -> TrainingService:
    """Shared by every session of this server: identical requests are trained once.

    DROPOUT_LAB_WORKERS caps how many runs train at once (default: the number of cores).
    """
    from dropout_lab.store import default_url

    workers = os.environ.get("DROPOUT_LAB_WORKERS", "")
    store = RunStore(database_url=default_url())  # finished runs shared through the database
    return TrainingService(store, max_workers=int(workers) if workers.isdigit() else None)


def my_runs() -> list[dict]:
    return st.session_state.setdefault(RUNS, [])


def remember(label: str, key: str) -> None:
    """Add a run to this learner's list (replacing one with the same label)."""
    runs = [r for r in my_runs() if r["label"] != label]
    runs.append({"label": label, "key": key})
    st.session_state[RUNS] = runs


def statuses() -> list[tuple[str, RunStatus]]:
    svc = service()
    return [(r["label"], svc.status(r["key"])) for r in my_runs()]


def any_active() -> bool:
    return any(not status.finished for _, status in statuses())


def summary(status: RunStatus, text: dict) -> str:
    """One sentence on a finished run (done or stopped) from the step's words."""
    if status.state == "stopped":
        return text["stopped"].format(epochs=status.epochs_done)
    history = status.history
    val_loss = history["val_loss"]
    best_epoch = min(range(len(val_loss)), key=val_loss.__getitem__) + 1
    meta = service().store.meta(status.key) or {}
    return text["done"].format(
        epochs=status.epochs_done,
        seconds=float(meta.get("train_seconds", 0.0)),
        val_acc=history["val_accuracy"][-1],
        best=val_loss[best_epoch - 1],
        best_epoch=best_epoch,
    )
