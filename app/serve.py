"""How the app's Streamlit server is started: one command line, shared by `dropout-lab serve`,
the tests and the benchmarks."""

from __future__ import annotations

import sys
from pathlib import Path

MAIN = Path(__file__).resolve().parent / "main.py"


def streamlit_command(host: str, port: int, *, headless: bool = True) -> list[str]:
    """The `streamlit run` command line for the app, with telemetry and file watching off."""
    return [
        sys.executable, "-m", "streamlit", "run", str(MAIN),
        "--server.address", host,
        "--server.port", str(port),
        "--server.headless", str(headless).lower(),
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
        "--server.runOnSave", "false",
        "--client.toolbarMode", "minimal",
    ]  # fmt: skip
