"""The lesson's reference pair (no dropout, and Dropout(0.3)) as Build's prediction reveal needs
it: the two stored histories, or the two runs asked for and their progress shown until stored."""

from __future__ import annotations

import streamlit as st

from dropout_lab.lesson import catalogue
from dropout_lab.lesson import predictions as pr

TEXT = pr.words()


def base_config():
    """The lab's training config (the lesson file's, with its locked seed if any)."""
    from dropout_lab.ui import settings

    return settings.train_settings().config


def requests() -> list:
    """The training requests of the pair, in the lesson's training config."""
    pair = (catalogue.NO_DROPOUT, catalogue.DROPOUT)
    return [r for r in catalogue.requests(base_config()) if r.name in pair]


def wait_for_both() -> None:
    """Progress of the two runs; one full rerun of the page once both are stored."""
    from dropout_lab.training import precompute
    from dropout_lab.ui import training, waiting

    reqs = requests()

    def show() -> bool:
        prog = precompute.progress(training.service(), reqs)
        if prog.complete:
            return True
        words = TEXT["build"]["waiting"]
        st.progress(prog.fraction, text=words.format(done=prog.done, total=prog.total))
        return False

    waiting.until_done(show, every=1.0)


def histories(*, train: bool = False) -> tuple[dict, dict] | None:
    """(no dropout, Dropout(0.3)) histories of the lesson's pair, if stored; with `train`, the
    missing ones are asked for (a run already queued or stored for anyone costs nothing)."""
    from dropout_lab.training import precompute
    from dropout_lab.ui import training

    svc, reqs = training.service(), requests()
    loaded = precompute.load(svc.store, reqs)
    if len(loaded) == len(reqs):
        return loaded[catalogue.NO_DROPOUT], loaded[catalogue.DROPOUT]
    if train:
        for r in reqs:
            if r.name not in loaded:
                svc.submit(r.spec, r.config)
    return None
