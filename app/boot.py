"""The app server's entry point: `python -m dropout_lab.boot run <main.py> ...` is `streamlit run`
with NumPy and pandas imported first, on the main thread, before any session starts.

Streamlit runs each session's page script in its own thread. Two threads importing pandas at once
(Plotly imports it lazily on the first figure) can meet in Python's import locks, and one is then
handed the half-built module: "partially initialized module 'pandas' has no attribute 'Series'"
on a learner's Compare page, as seen once in CI. Imported in `main`, they are whole before any
thread (Streamlit's command line loads Plotly itself, but neither of these).

It also makes a visitor's `clear_cache` clear nothing shared (`keep_shared_caches`), and with LTI
on (DROPOUT_LAB_LTI_CONFIG in the server's environment) serves the lesson as `lti_server.py`'s
`st.App`, with the LTI routes beside it (`with_lti`)."""

from __future__ import annotations

import atexit
import os
import sys
from collections.abc import Callable


def keep_shared_caches() -> None:
    """A client's `clear_cache` message clears that client's own session state, nothing else.

    Streamlit's handler (`AppSession._handle_clear_cache_request`) empties `st.cache_data` and
    `st.cache_resource` for every session of the server, whatever `client.toolbarMode` says: any
    student can send the 2-byte message from the browser console. The app kept its training
    service there, so each clear started a second service and worker pool, the first never shut
    down (two workers, about 650 MiB, became five, about 2.5 GiB, after three clears and a run
    between each), and every learner's cached results and the lesson file were read again.
    The process-wide objects now live in `ui/process.py`; this keeps the caches too. One line
    is logged for each such message."""
    from streamlit.logger import get_logger
    from streamlit.runtime.app_session import AppSession

    log = get_logger("dropout_lab.boot")

    def clear_own_state(self: AppSession) -> None:
        log.warning("session %s asked to clear the caches: only its own state was cleared", self.id)
        self._session_state.clear()

    AppSession._handle_clear_cache_request = clear_own_state  # type: ignore[method-assign]


def keep_keras_state() -> None:
    """Streamlit no longer calls `keras.backend.clear_session()` after every script run.

    Its ScriptRunner does so after each run of each session's page once Keras is imported
    (`script_runner._clean_problem_modules`), which in one server of many learners means: Keras'
    global state (layer-name counters, the TensorFlow graph and kernel cache) is reset from any
    session's thread while another builds or runs a model (CI failed on it: "Name 'dense' is
    already the name of a layer in this model"), and each run pays a full garbage collection and
    TensorFlow's kernels compiled again. Measured on this 2-core machine with TensorFlow loaded
    (Reflect had run once): clear_session 190 ms of CPU per call, the garbage collection that
    `runner.postScriptGC` adds (switched off in `serve.streamlit_command`) another 200 ms, on
    every slider move and every poll of a waiting panel; py-spy on a test server: 67 % of its
    CPU in the two. The app's models never rely on a cleared session (`training/models.py` names
    their layers itself). Matplotlib figures are still closed, as Streamlit does."""
    from streamlit.runtime.scriptrunner import script_runner

    def close_matplotlib_figures() -> None:
        plt = sys.modules.get("matplotlib.pyplot")
        if plt is not None:
            plt.close("all")

    close_matplotlib_figures.streamlits_own = streamlits_own_cleanup()  # type: ignore[attr-defined]
    script_runner._clean_problem_modules = close_matplotlib_figures


def streamlits_own_cleanup() -> Callable[[], None]:
    """Streamlit's own after-run cleanup, whether `keep_keras_state` has replaced it or not."""
    from streamlit.runtime.scriptrunner import script_runner

    current = script_runner._clean_problem_modules
    return getattr(current, "streamlits_own", current)


def with_lti(argv: list[str]) -> list[str]:
    """`argv` with the lesson's script replaced by the app with the LTI routes when LTI is on."""
    from dropout_lab.lti import config
    from dropout_lab.serve import MAIN

    if not config.configured():
        return argv
    app = str(MAIN.with_name("lti_server.py"))
    return [app if arg == str(MAIN) else arg for arg in argv]


VERBOSE_ENV = "DROPOUT_LAB_VERBOSE"  # "1": `dropout-lab serve --verbose`


def quiet_libraries() -> None:
    """The server's log carries the app's own lines (and Streamlit's), not TensorFlow's, Keras'
    or absl's, unless DROPOUT_LAB_VERBOSE=1 (`serve --verbose`). The training workers write
    TensorFlow's start-up lines (oneDNN, "All log messages before absl::InitializeLog()")
    straight to file descriptor 2 before any setting reaches them: the server's descriptor 2
    goes through `console.NativeStderrFilter` for its whole life, and the workers, spawned with
    it, inherit it; their TF_CPP_MIN_LOG_LEVEL and Python warnings are set here too. An error
    line still shows."""
    from dropout_lab.console import NativeStderrFilter, quiet

    verbose = os.environ.get(VERBOSE_ENV) == "1"
    quiet(verbose)
    if not verbose:  # on until the server exits; then its last lines are written out
        kept = NativeStderrFilter().__enter__()
        atexit.register(kept.__exit__, None, None, None)  # after the workers' shutdown


def main() -> None:
    # Imported here, not at the top: a training worker (`training/spawn.py`) imports this module as
    # its `__mp_main__`, and must not pay for pandas and Streamlit's command line.
    import numpy  # noqa: F401
    import pandas  # noqa: F401
    from streamlit.web import cli

    # uvicorn would take X-Forwarded-For as the peer from loopback (its default): a forged
    # header from this machine would then be a new client on every try. Nobody is believed
    # here; `dropout_lab.clients` believes the proxies DROPOUT_LAB_TRUSTED_PROXIES names.
    os.environ["FORWARDED_ALLOW_IPS"] = ""

    from dropout_lab.serve import private_process, stay_offline

    keep_shared_caches()
    keep_keras_state()
    quiet_libraries()
    private_process()  # learners' data on disk: the owner's only
    stay_offline()  # no code path asks the internet for this machine's address
    sys.argv = with_lti(sys.argv)
    # The same program name as `python -m streamlit`, so Streamlit sees the command it expects.
    sys.exit(cli.main(prog_name="streamlit"))


if __name__ == "__main__":
    main()
