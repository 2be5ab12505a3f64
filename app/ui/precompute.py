"""The Compare step's precomputed runs, started in the background once per server process."""

from __future__ import annotations

import os

import streamlit as st

from dropout_lab.training import precompute
from dropout_lab.ui import process, training

ENV = "DROPOUT_LAB_PRECOMPUTE"  # "0": do not start computing at server start (tests, benches)


def _precomputer() -> precompute.Precomputer | None:
    """Once per process (`ui/process.py`); stopped at exit, before the service it feeds."""
    return process.once("precomputer", _make, lambda p: p.stop() if p else None)


def _make() -> precompute.Precomputer | None:
    if os.environ.get(ENV, "1") == "0":
        return None
    return precompute.Precomputer(training.service()).start()


def start() -> None:
    """Start computing the missing precomputed runs (once per server process; returns at once).
    Runs are submitted only while the shared service has a free worker and an empty queue.

    A data directory that cannot be written must not break every page: say so and go on."""
    try:
        _precomputer()
    except OSError as e:
        st.warning(f"The shared results cannot be prepared ({e}); training is unavailable.")
