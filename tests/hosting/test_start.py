"""Start anywhere: the run command never prompts, with or without a terminal, and prints the
address to open.

The browser test runs the documented systemd unit's ExecStart (the README's `bash
scripts/start.sh`, plus `--host 0.0.0.0 --port N`) from a fresh `git clone` of this repository's
HEAD (commit first), with stdin from /dev/null, a new session (no controlling terminal) and an
empty HOME, then opens every step in Chromium. So that it does not download and install
TensorFlow again, the clone's `.venv` is made beforehand as a fresh venv that sees this venv's
installed dependencies through a .pth file (tests/hosting/conftest.py: `borrowed_venv`), but not
its Dropout Lab: scripts/setup.sh then installs the clone itself into it, as on a new machine.
"""

from __future__ import annotations

import os
import pty
import select
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.hosting import docs
from tests.hosting.conftest import ROOT, borrowed_venv, clean_env, open_every_step, started
from tests.support.harness import free_port, wait_healthy

PROMPT = "Email"  # Streamlit's first-run prompt: "If you'd like to receive helpful ... Email:"


def _serve_args(argv: list[str], port: int) -> list[str]:
    return [str(port) if a == docs.PORT else a for a in argv]


def _unit_env(data: Path) -> dict[str, str]:
    """The unit's Environment= settings, with its data directory replaced."""
    out = {}
    for value in docs.values(docs.unit()["Service"], "Environment"):
        key, _, val = value.partition("=")
        out[key] = val.replace(docs.DATA_DIR, str(data))
    return out


def _revision(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]


@pytest.mark.e2e
def test_the_service_command_from_a_fresh_clone_with_no_terminal(browser, tmp_path: Path) -> None:
    clone, home, data = tmp_path / "clone", tmp_path / "home", tmp_path / "data"
    home.mkdir()
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True, timeout=120)
    borrowed_venv(clone / ".venv")
    port = free_port()
    argv = [a.replace(docs.INSTALL_DIR, str(clone)) for a in docs.exec_start()]
    argv = _serve_args(argv, port)
    (workdir,) = docs.values(docs.unit()["Service"], "WorkingDirectory")
    # No background precompute: it would train 20 runs beside the browser on two shared cores.
    env = clean_env(home, **_unit_env(data), DROPOUT_LAB_PRECOMPUTE="0")
    log = tmp_path / "start.log"
    start = time.perf_counter()
    url = f"http://127.0.0.1:{port}"
    with started(argv, cwd=Path(workdir.replace(docs.INSTALL_DIR, str(clone))), env=env,
                 log=log, url=url, timeout=900):  # fmt: skip
        up = time.perf_counter() - start
        output = log.read_text()
        assert f"open http://localhost:{port}" in output, output
        assert PROMPT not in output, output
        assert "external IP" not in output  # no internet look-up at start
        titles = open_every_step(browser, url)
    assert set(titles) == {"overview", "explore", "read", "build", "compare", "reflect"}
    # setup.sh installed the clone itself, and the server runs the clone's code
    assert (clone / ".venv" / ".dropout-lab-installed").is_file()
    code = (
        "import dropout_lab; from dropout_lab.store.schema import head_revision; "
        "print(dropout_lab.__file__); print(head_revision())"
    )
    where, head = subprocess.run(
        [str(clone / ".venv" / "bin" / "python"), "-c", code],
        capture_output=True, text=True, env=env, check=True,
    ).stdout.split()  # fmt: skip
    assert where == str(clone / "app" / "__init__.py")
    assert _revision(data / "dropout-lab.sqlite3") == head  # the clone's migrations ran at start
    print(f"\nfresh clone: set up and serving in {up:.1f} s (no TensorFlow download)")


@pytest.mark.parametrize("terminal", [False, True], ids=["no-terminal", "terminal"])
def test_serve_never_prompts_with_an_empty_home(tmp_path: Path, terminal: bool) -> None:
    """The first run on a new machine: no ~/.streamlit/, stdin closed (systemd, nohup, cron) or
    a real terminal; Streamlit's e-mail prompt would wait (or exit 255 without stdin)."""
    home = tmp_path / "home"
    home.mkdir()
    port = free_port()
    env = clean_env(home, DROPOUT_LAB_PRECOMPUTE="0")
    cmd = [sys.executable, "-m", "dropout_lab.cli", "serve", "--port", str(port)]
    url = f"http://127.0.0.1:{port}"
    if not terminal:
        log = tmp_path / "serve.log"
        with started(cmd, cwd=tmp_path, env=env, log=log, url=url, timeout=180):
            output = log.read_text()
    else:
        output = _serve_on_a_terminal(cmd, tmp_path, env, url)
    assert f"Dropout Lab: open http://localhost:{port}" in output, output
    assert PROMPT not in output, output


def _serve_on_a_terminal(cmd: list[str], cwd: Path, env: dict[str, str], url: str) -> str:
    controller, terminal = pty.openpty()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdin=terminal, stdout=terminal, stderr=terminal,
        start_new_session=True,
    )  # fmt: skip
    os.close(terminal)
    output = b""
    try:
        wait_healthy(url, timeout=180, proc=proc)
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:  # whatever it printed by now (a prompt would be there)
            if select.select([controller], [], [], 0.2)[0]:
                try:
                    output += os.read(controller, 65536)
                except OSError:
                    break
        return output.decode("utf-8", "replace")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        os.close(controller)
