"""Explore: a live dropout mask, its 1/(1-p) scaling, a batch, the expectation, the variants.
The live view and its controls are `ui/explore.py`."""

import streamlit as st

from dropout_lab.ui import explore, predictions, state

st.title("🎛️ Explore: dropout, live")
predictions.explore()  # before the intro and the live view: the scale at p = 0.5, then without it
explore.live_section()
state.next_step("explore")
