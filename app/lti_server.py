"""The app as an ASGI application (`st.App`) with the LTI routes beside the lesson: what
`streamlit run` serves when DROPOUT_LAB_LTI_CONFIG is set (`serve.entry`). Streamlit finds the
`app` below and runs it under uvicorn, one server, one port: nothing more for the instructor to
start. The tool's key is made at the first start if there is none (`lti/keys.py`)."""

import streamlit as st

from dropout_lab.lesson.steps import lesson
from dropout_lab.lti import config, keys
from dropout_lab.lti.routes import make_routes
from dropout_lab.serve import MAIN
from dropout_lab.ui import process


def _store():
    from dropout_lab.store import Store

    return process.once("store", Store, Store.close)


LTI = config.load()
keys.ensure()
app = st.App(str(MAIN), routes=make_routes(LTI, _store, [s.id for s in lesson().steps]))
