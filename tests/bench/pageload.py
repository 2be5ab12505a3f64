"""The browser's CPU for one page of the app: in a fresh browser context (what a test's `page`
fixture opens) against a reload in the same context; the Chromium binary is the tests' own
(`harness.chromium_path`, or CHROMIUM=/usr/bin/chromium to compare the full browser).

    .venv/bin/python -m tests.bench.pageload [--loads 4]

Measured 2026-12-07 on the 2-core machine, the overview page, the browser's CPU-s per load:
    chromium (full browser)      fresh context 2.56, reload 0.88
    chromium-headless-shell      fresh context 1.75, reload 0.90
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.support.harness import CHROMIUM_ARGS, chromium_path, running_server, wait_until_idle

TICK = os.sysconf("SC_CLK_TCK")


def _children_cpu() -> dict[int, tuple[int, float]]:
    """pid -> (parent pid, CPU seconds) of every process."""
    found = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[int(pid)] = (int(fields[1]), sum(int(f) for f in fields[11:15]) / TICK)
    return found


def tree_cpu(root: int, leave_out: int) -> float:
    """CPU seconds of `root`'s descendants (reaped children included), without `leave_out`'s."""
    procs = _children_cpu()
    total, stack = 0.0, [root]
    while stack:
        parent = stack.pop()
        for pid, (ppid, cpu) in procs.items():
            if ppid == parent and pid != leave_out:
                total += cpu
                stack.append(pid)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loads", type=int, default=4)
    n = parser.parse_args().loads
    data = tempfile.mkdtemp(prefix="dropout-lab-pageload-")
    env = {"DROPOUT_LAB_DATA_DIR": data, "DROPOUT_LAB_PRECOMPUTE": "0",
           "DROPOUT_LAB_PREDICTIONS": "off"}  # fmt: skip
    me = os.getpid()
    with running_server(Path(data) / "streamlit.log", env=env) as srv, sync_playwright() as p:
        binary = chromium_path()
        browser = p.chromium.launch(executable_path=binary, args=CHROMIUM_ARGS, headless=True)
        size = {"width": 1366, "height": 900}
        before = tree_cpu(me, srv.process.pid)
        for _ in range(n):
            context = browser.new_context(viewport=size)
            page = context.new_page()
            page.goto(srv.url)
            wait_until_idle(page)
            context.close()
        fresh = (tree_cpu(me, srv.process.pid) - before) / n
        context = browser.new_context(viewport=size)
        page = context.new_page()
        page.goto(srv.url)
        wait_until_idle(page)
        before = tree_cpu(me, srv.process.pid)
        for _ in range(n):
            page.reload()
            wait_until_idle(page)
        reload = (tree_cpu(me, srv.process.pid) - before) / n
        browser.close()
    print(f"{binary}: fresh context {fresh:.2f} CPU-s per load, reload {reload:.2f}")


if __name__ == "__main__":
    main()
