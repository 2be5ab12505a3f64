"""Instructor dashboard: a class's progress and resume links, every learner's work, the class's
own sweep, CSV, the roster. Registered only when an instructor token is configured; shown only
once it has been given (ui/instructor.py: the gate, the links, the roster)."""

import streamlit as st

from dropout_lab.ui import dashboard, instructor

st.title(dashboard.TEXT["title"], anchor=False)
if instructor.gate():
    dashboard.show()
