"""The app as an ASGI application (`st.App`) with the LTI routes beside the lesson: what
`streamlit run` serves when DROPOUT_LAB_LTI_CONFIG is set (`serve.entry`). Streamlit finds the
`app` below and runs it under uvicorn, one server, one port: nothing more for the instructor to
start. The tool's key is made at the first start if there is none (`lti/keys.py`), and the scores
outbox's sender (`lti/outbox.py`) starts with the server, once per process."""

import streamlit as st

from dropout_lab.lesson import lesson_config
from dropout_lab.lesson.content import step_text
from dropout_lab.lesson.score import Weights
from dropout_lab.lesson.steps import lesson
from dropout_lab.lti import config, keys, outbox
from dropout_lab.lti.routes import make_routes
from dropout_lab.lti.tool import Tool
from dropout_lab.serve import MAIN
from dropout_lab.ui import process


def _store():
    from dropout_lab.store import Store

    return process.once("store", Store, Store.close)


def _weights() -> Weights:
    try:
        return lesson_config.load().grading
    except lesson_config.LessonConfigError:  # the lesson's pages say what is wrong with it
        return Weights()


def _sender() -> outbox.SenderThread:
    labels = {k: v["label"] for k, v in step_text("lti")["targets"].items()}
    conf = lambda: Tool(LTI, keys.ensure(), _store()).tool_conf  # noqa: E731 - keys as they are
    return outbox.start(_store(), conf, WEIGHTS, labels)


LTI = config.load()
keys.ensure()
WEIGHTS = _weights()
process.once("lti_sender", _sender, outbox.SenderThread.stop)
app = st.App(str(MAIN), routes=make_routes(LTI, _store, [s.id for s in lesson().steps],
                                           WEIGHTS.points))  # fmt: skip
