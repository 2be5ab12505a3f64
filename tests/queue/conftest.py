"""Fixtures of the queue tests: a real PostgreSQL server (tests/db's), real `dropout-lab worker`
processes, and app processes (subprocesses that ask for runs and follow them)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.db.conftest import _admin, fresh_pg_url, pg_server, store_url  # noqa: F401
from tests.support import wait

ROOT = Path(__file__).resolve().parents[2]


def env_for(data_dir: Path, url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ, DROPOUT_LAB_DATA_DIR=str(data_dir), DROPOUT_LAB_DATABASE_URL=url)
    env.update(TF_CPP_MIN_LOG_LEVEL="2", **extra)
    return env


class Procs:
    """Processes started by a test, ended (SIGKILL) when it is over."""

    def __init__(self, tmp: Path) -> None:
        self.tmp, self.procs = tmp, []

    def start(
        self, args: list[str], env: dict[str, str], name: str, *, group: bool = False
    ) -> subprocess.Popen:
        """Start `args` (with `group`: in a process group of its own, for killpg)."""
        log = open(self.tmp / f"{name}.log", "w")  # noqa: SIM115 (closed with the process)
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=group)  # fmt: skip
        proc.log_path = self.tmp / f"{name}.log"  # type: ignore[attr-defined]
        self.procs.append(proc)
        return proc

    def worker(self, url: str, name: str) -> subprocess.Popen:
        """A `dropout-lab worker` with a run folder of its own (another machine)."""
        data = self.tmp / name
        data.mkdir(exist_ok=True)
        cmd = [sys.executable, "-m", "dropout_lab.cli", "worker", "--database", url]
        return self.start(cmd, env_for(data, url), name)

    def close(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                p.wait(10)


@pytest.fixture
def procs(tmp_path: Path) -> Iterator[Procs]:
    p = Procs(tmp_path)
    yield p
    p.close()


def wait_for(pred: Callable[[], object], timeout: float, what: str, poll: float = 0.1) -> object:
    try:
        return wait.until(pred, timeout=timeout, poll=poll, what=what)
    except TimeoutError as e:
        raise AssertionError(f"timed out waiting for {what}") from e


def wait_workers(url: str, n: int, timeout: float = 120.0) -> None:
    """Until `n` procrastinate workers beat (they register once TensorFlow is imported)."""
    from dropout_lab.training.distributed import ensure_schema, live_workers, make_app

    ensure_schema(url)  # the workers may not have applied it yet
    with make_app(url, sync=True).open() as app:
        wait_for(lambda: live_workers(app) >= n, timeout, f"{n} workers to beat")
