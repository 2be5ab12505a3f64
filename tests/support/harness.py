"""The test and benchmark harness: a real `streamlit run` of the app on a free port, and
Playwright driving Debian's Chromium (nothing is downloaded)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from dropout_lab.serve import MAIN, streamlit_command
from tests.support import wait


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    with (
        contextlib.suppress(OSError),
        urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r,
    ):
        return r.read().decode().strip() == "ok"
    return False


def wait_healthy(url: str, timeout: float = 60.0, proc: subprocess.Popen | None = None) -> float:
    """Poll /_stcore/health until it answers ok; return the seconds waited."""
    start = time.perf_counter()

    def up() -> bool:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode} before it was up")
        return _healthy(url)

    try:
        wait.until(up, timeout=timeout, what=f"{url}'s health")
    except TimeoutError as e:
        raise TimeoutError(f"{url} did not become healthy within {timeout} s") from e
    return time.perf_counter() - start


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log_path: Path
    startup_seconds: float

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


PORT_TAKEN = "is already in use"  # Streamlit's words when another process got the port first
PORT_TRIES = 3


@contextlib.contextmanager
def running_server(log_path: Path, env: dict[str, str] | None = None) -> Iterator[Server]:
    """A real `streamlit run` of the app on a free loopback port, stopped on exit.

    Parallel test workers each pick a free port; between the pick and the server's bind another
    worker can take it. The server then exits saying so, and is started again on a new port."""
    full_env = {**os.environ, **(env or {})}
    for attempt in range(PORT_TRIES):
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        with log_path.open("w") as log:
            start = time.perf_counter()
            proc = subprocess.Popen(
                streamlit_command("127.0.0.1", port), stdout=log, stderr=subprocess.STDOUT,
                env=full_env, cwd=MAIN.parents[1],
            )  # fmt: skip
        try:
            try:
                wait_healthy(url, proc=proc)
            except RuntimeError:
                if PORT_TAKEN in log_path.read_text(errors="replace") and attempt + 1 < PORT_TRIES:
                    continue
                raise
            yield Server(url, proc, log_path, time.perf_counter() - start)
            return
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


# --- The browser (Playwright driving Debian's Chromium; nothing is downloaded) -----------------

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


# Debian's headless build of the same Chromium (Playwright's own default for headless runs):
# a fresh browser context's first page of the app costs the browser 1.75 CPU-s there against 2.56
# in the full browser; a reload 0.90 against 0.88 (python -m tests.bench.pageload, 2026-12-07).
HEADLESS_SHELL = "chromium-headless-shell"


def chromium_path() -> str:
    path = (os.environ.get("CHROMIUM") or shutil.which(HEADLESS_SHELL)
            or shutil.which("chromium"))  # fmt: skip
    if not path:
        raise RuntimeError(
            "Chromium not found: install Debian's `chromium-headless-shell` (bash scripts/test.sh"
            " does)"
        )
    return path


def launch_chromium(playwright, *, niceness: int = 0):  # -> playwright.sync_api.Browser
    """Debian's Chromium; with `niceness`, at a lower CPU priority (benchmarks: the browser
    normally runs on the learner's machine, not beside the server on the same two cores)."""
    executable = chromium_path()
    if niceness:
        wrapper = Path(tempfile.mkdtemp(prefix="dropout-lab-chromium-")) / "chromium"
        wrapper.write_text(f'#!/bin/sh\nexec nice -n {int(niceness)} "{executable}" "$@"\n')
        wrapper.chmod(0o755)
        executable = str(wrapper)
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)


def wait_until_idle(page, timeout: float = 180_000) -> None:
    """Wait until the app has rendered: the page's title is there, its script is neither
    running nor about to (Streamlit 1.67 says 'notRunning' on its root element; a rerun asked
    for but not begun says 'rerunRequested'; the 'Running…' status widget is not always shown),
    no element is stale, no skeleton placeholders, for a moment. The ceiling is generous (three
    minutes): a page that is ready passes at once, and on two cores shared by parallel workers a
    page's first run can take a minute."""
    page.wait_for_selector('[data-testid="stMainBlockContainer"] h1', timeout=timeout)
    page.wait_for_function(
        """() => {
            const busy = () => {
                const status = document.querySelector('[data-testid="stStatusWidget"]');
                const app = document.querySelector('[data-testid="stApp"]');
                return (status && status.innerText.includes('Running'))
                    || (app && app.getAttribute('data-test-script-state') !== 'notRunning')
                    || document.querySelector('[data-stale="true"]') !== null
                    || document.querySelector('[data-testid="stSkeleton"]') !== null
                    || document.querySelector('[data-testid="stAppSkeleton"]') !== null;
            };
            if (busy()) { window.__dlQuietSince = undefined; return false; }
            window.__dlQuietSince = window.__dlQuietSince || performance.now();
            return performance.now() - window.__dlQuietSince > 400;
        }""",
        timeout=timeout,
        polling=100,
    )


def full_screenshot(page, path: str, width: int = 1366) -> None:
    """Screenshot the whole app: Streamlit scrolls inside its main element, so grow the
    viewport to the content's height first."""
    height = page.evaluate(
        "() => Math.max(900, document.querySelector('[data-testid=\"stMain\"]')?.scrollHeight || 0)"
    )
    page.set_viewport_size({"width": width, "height": min(int(height) + 40, 12_000)})
    wait_for_layout(page)
    page.screenshot(path=path)


def wait_for_layout(page, quiet_ms: int = 300, timeout: float = 30_000) -> None:
    """Wait until the main area's size has not changed for `quiet_ms` (charts re-lay themselves
    out after the viewport changes)."""
    page.wait_for_function(
        """(quiet) => {
            const main = document.querySelector('[data-testid="stMain"]') || document.body;
            const size = `${main.scrollWidth}x${main.scrollHeight}`;
            if (size !== window.__dlLayout) {
                window.__dlLayout = size;
                window.__dlLayoutSince = performance.now();
                return false;
            }
            return performance.now() - window.__dlLayoutSince > quiet;
        }""",
        arg=quiet_ms,
        timeout=timeout,
        polling=50,
    )


# --- The server's processes (read from /proc) ------------------------------------------------


def process_state(pid: int) -> tuple[int, str] | None:
    """(parent pid, state) of a live process, or None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[1]), fields[0]


def _live_children(parent: int) -> list[Path]:
    return [entry for entry in Path("/proc").iterdir() if entry.name.isdigit()
            and (stat := process_state(int(entry.name))) is not None
            and stat[0] == parent and stat[1] != "Z"]  # fmt: skip


def worker_pids(server_pid: int) -> set[int]:
    """The server's live training workers: the children of its fork server (app/training/
    spawn.py; not its resource tracker)."""
    found = set()
    for child in _live_children(server_pid):
        with contextlib.suppress(OSError):
            if b"forkserver" in (child / "cmdline").read_bytes():
                found |= {int(worker.name) for worker in _live_children(int(child.name))}
    return found
