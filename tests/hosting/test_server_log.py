"""The server's log carries the app's own lines, not TensorFlow's start-up chatter from the
training workers (issue 23, item 2), unless `serve --verbose` (DROPOUT_LAB_VERBOSE=1): a real
server trains (its background Compare runs, started by the first page), then its log is read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support import wait
from tests.support.harness import running_server, wait_until_idle

# What TensorFlow, absl and oneDNN write from a worker when nothing stops them.
TF_LINES = re.compile(
    r"absl::InitializeLog|oneDNN|tensorflow|^[IWE]\d{4} [\d:.]+\s+\d+ \w+\.cc:\d+\]", re.M
)


@pytest.mark.parametrize("verbose", [False, True])
def test_the_log_holds_tensorflows_lines_only_when_verbose(
    tmp_path: Path, browser, verbose: bool
) -> None:
    data = tmp_path / "data"
    env = {"DROPOUT_LAB_DATA_DIR": str(data), "DROPOUT_LAB_WORKERS": "1",
           "DROPOUT_LAB_PRECOMPUTE": "1",
           "DROPOUT_LAB_VERBOSE": "1" if verbose else "0"}  # fmt: skip
    with running_server(tmp_path / "server.log", env=env) as server:
        context = browser.new_context()
        try:
            page = context.new_page()
            page.goto(server.url)  # the first page starts the Compare runs in the background
            wait_until_idle(page)
            wait.until(lambda: any((data / "runs").glob("*/run.json")), timeout=300,
                       what="a run trained by a worker")  # fmt: skip
        finally:
            context.close()
        log = server.log()
    found = TF_LINES.findall(log)
    if verbose:
        assert found, log[-3000:]  # the libraries' lines are there to be seen
    else:
        assert not found, log[-3000:]
        assert "Traceback" not in log
