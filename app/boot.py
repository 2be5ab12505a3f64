"""The app server's entry point: `python -m dropout_lab.boot run <main.py> ...` is `streamlit run`
with NumPy and pandas imported first, on the main thread, before any session starts.

Streamlit runs each session's page script in its own thread. Two threads importing pandas at once
(Plotly imports it lazily on the first figure) can meet in Python's import locks, and one is then
handed the half-built module: "partially initialized module 'pandas' has no attribute 'Series'"
on a learner's Compare page, as seen once in CI. Imported in `main`, they are whole before any
thread (Streamlit's command line loads Plotly itself, but neither of these)."""

from __future__ import annotations

import sys


def main() -> None:
    # Imported here, not at the top: a training worker ("spawn") imports this module again as
    # its `__mp_main__`, and must not pay for pandas and Streamlit's command line.
    import numpy  # noqa: F401
    import pandas  # noqa: F401
    from streamlit.web import cli

    # The same program name as `python -m streamlit`, so Streamlit sees the command it expects.
    sys.exit(cli.main(prog_name="streamlit"))


if __name__ == "__main__":
    main()
