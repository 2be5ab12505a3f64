"""The projector view of the live class (issue 27): the room's screen, behind the instructor's
token (ui/instructor.py's gate), registered with the dashboard. The view is ui/live_screen.py."""

import streamlit as st

from dropout_lab.ui import instructor, live, live_screen

st.title(live.TEXT["projector"]["title"], anchor=False)
if instructor.gate():
    live_screen.show()
