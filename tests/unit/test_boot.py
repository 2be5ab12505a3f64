"""What boot changes in Streamlit before any session starts: a finished script run leaves Keras'
global state alone (Streamlit's ScriptRunner clears it after every run of every session), and the
server is started without a full garbage collection after each run. Both cost about 200 ms of
CPU per run with TensorFlow loaded (see `boot.keep_keras_state`)."""

from __future__ import annotations

import keras
import pytest
from streamlit.runtime.scriptrunner import script_runner

from dropout_lab import boot, serve


@pytest.fixture
def streamlits_own_cleanup(monkeypatch):
    """Streamlit's own after-run cleanup in place (page tests in this process may have replaced
    it already, as the server does), and whatever was there put back after the test."""
    own = boot.streamlits_own_cleanup()
    monkeypatch.setattr(script_runner, "_clean_problem_modules", own)
    own()  # Keras' name counters from zero
    return own


def test_a_finished_script_run_leaves_keras_state_alone(streamlits_own_cleanup) -> None:
    # Streamlit's own: the session is cleared after the run, and the next layer's automatic name
    # is the first one's again (two sessions' models could then clash).
    before = keras.layers.Dense(1).name
    script_runner._clean_problem_modules()
    assert keras.layers.Dense(1).name == before

    boot.keep_keras_state()
    made = keras.layers.Dense(1).name
    script_runner._clean_problem_modules()
    assert keras.layers.Dense(1).name != made


def test_the_server_runs_no_full_garbage_collection_after_each_run() -> None:
    argv = serve.streamlit_command("127.0.0.1", 8501)
    at = argv.index("--runner.postScriptGC")
    assert argv[at + 1] == "false"
