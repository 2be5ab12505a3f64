"""The one waiting panel: progress drawn again every few seconds until what it waits for is
done, then one full rerun of the page, which draws the finished state without the polling.

A page that waits (Build's runs, Compare's precomputed and long runs, Reflect's models, the
NumPy network, Build's prediction pair) gives `until_done` a function that draws the progress
and says whether it is done; only that function reruns while it waits (a fragment), never the
page around it."""

from collections.abc import Callable

import streamlit as st


def until_done(show: Callable[[], bool], *, every: float) -> None:
    """Run `show` now and every `every` seconds, alone; once it returns True, rerun the page."""
    st.fragment(_panel, run_every=every)(show)


def _panel(show: Callable[[], bool]) -> None:
    if show():
        st.rerun()  # done: one full rerun draws it without the polling
