"""Hosting tests: the app started as a newcomer or a service would start it (a fresh clone, a
wheel in a fresh venv, no terminal, an empty HOME), then every step opened in Chromium.

Also re-exports the real-PostgreSQL fixtures of tests/db (the backup tests use them)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.db.conftest import fresh_pg_url, pg_server  # noqa: F401 (fixtures, re-exported)
from tests.support.harness import wait_healthy, wait_until_idle

ROOT = Path(__file__).resolve().parents[2]
STEPS = ("", "explore", "read", "build", "compare", "reflect")  # "" is the overview
BASE_PYTHON = Path(getattr(sys, "_base_executable", sys.executable))
SHIPPED = (
    "pyproject.toml",
    "setup.py",
    "README.md",
    "app",
    "lessons",
    "labs",
)  # what a wheel is built from


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """This test process's environment as a newcomer's shell would have it: an empty HOME, no
    Dropout Lab settings, no desktop, no active venv or Python path."""
    drop = ("DISPLAY", "WAYLAND_DISPLAY", "VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("DROPOUT_LAB_") and k not in drop
    }
    env["HOME"] = str(home)
    env.update(extra)
    return env


@contextlib.contextmanager
def started(
    cmd: list[str], *, cwd: Path, env: dict[str, str], log: Path, url: str, timeout: float
) -> Iterator[subprocess.Popen]:
    """`cmd` started with no terminal (stdin /dev/null, a new session, output to `log`), until
    `url` answers /_stcore/health; stopped (its whole process group) on exit."""
    with log.open("w") as out:
        proc = subprocess.Popen(
            cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            try:
                wait_healthy(url, timeout=timeout, proc=proc)
            except (RuntimeError, TimeoutError) as e:
                raise AssertionError(f"{e}; its output:\n{log.read_text()[-4000:]}") from None
            try:
                yield proc
            except Exception as e:  # say what the server printed
                raise AssertionError(f"{e}\n--- server output:\n{log.read_text()[-4000:]}") from e
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def open_every_step(browser, url: str, shots: Path | None = None) -> dict[str, str]:
    """Open the overview and every step in Chromium; assert none shows an exception box.
    Returns each page's title (its h1)."""
    titles = {}
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    try:
        page = context.new_page()
        for step in STEPS:
            page.goto(f"{url}/{step}")
            try:
                wait_until_idle(page, timeout=120_000)
            except Exception as e:
                raise AssertionError(f"/{step}: {e}\n{page.inner_text('body')[:2000]}") from e
            body = page.inner_text("body")
            assert page.locator('[data-testid="stException"]').count() == 0, body[:2000]
            assert "Traceback" not in body and "Page not found" not in body, body[:2000]
            titles[step or "overview"] = page.locator("h1").first.inner_text()
            if shots is not None:
                page.screenshot(path=str(shots / f"{step or 'overview'}.png"))
    finally:
        context.close()
    return titles


@pytest.fixture(scope="session")
def built_wheel(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The wheel built from this working tree (copied first, so the build leaves nothing in
    the checkout): {"path", "seconds"}."""
    src = tmp_path_factory.mktemp("wheel-src")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in SHIPPED:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=ignore)
        else:
            shutil.copy2(ROOT / name, src / name)
    out = tmp_path_factory.mktemp("wheel")
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-input", "--quiet",
         "--disable-pip-version-check", str(src), "-w", str(out)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    (wheel,) = out.glob("dropout_lab-*.whl")
    return {"path": wheel, "seconds": time.perf_counter() - start}


def borrowed_venv(target: Path) -> None:
    """A fresh venv at `target` that sees this test venv's installed dependencies (TensorFlow
    and the rest) through a .pth file, so nothing is downloaded again, but not its Dropout Lab:
    whatever installs Dropout Lab into `target` (scripts/setup.sh) installs its own."""
    subprocess.run([str(BASE_PYTHON), "-m", "venv", "--without-pip", str(target)], check=True)
    ours = Path(sysconfig.get_paths()["purelib"])
    borrowed = target / "borrowed-site-packages"
    borrowed.mkdir()
    for entry in ours.iterdir():
        if "dropout_lab" not in entry.name.lower().replace("-", "_"):
            (borrowed / entry.name).symlink_to(entry)
    site = target / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages"
    (site / "zz-borrowed-dependencies.pth").write_text(f"{borrowed}\n")
