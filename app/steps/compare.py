"""Compare: with and without dropout, the rate sweep, other regularisers, the solution, exports."""

import streamlit as st

from dropout_lab.ui import compare, state

st.title(compare.TEXT["title"])
st.markdown(compare.TEXT["intro"])
runs = compare.lesson_runs()  # while some are computed, their progress
compare.curves_section(runs)
compare.sweep_section(runs)
compare.solution_section()
compare.export_section(runs)
state.next_step("compare")
