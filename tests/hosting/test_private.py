"""Learners' data on disk is its owner's only (issue 22): the data directory, the database file
and the runs, whether the command, the store or the run store makes them, and whatever umask the
shell had; the systemd units say the same."""

from __future__ import annotations

import contextlib
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hosting import docs

ROOT = Path(__file__).resolve().parents[2]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def private(path: Path) -> bool:
    """Nobody but the owner may read, write or enter it."""
    return not mode(path) & 0o077


@contextlib.contextmanager
def wide_umask() -> Iterator[None]:
    """The usual shell's umask (files 0644, folders 0755), as the store may be used under it."""
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


def test_the_command_makes_the_data_directory_and_database_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {**os.environ, "DROPOUT_LAB_DATA_DIR": str(data)}
    env.pop("DROPOUT_LAB_DATABASE_URL", None)
    out = subprocess.run(
        [sys.executable, "-m", "dropout_lab.cli", "migrate"], capture_output=True, text=True,
        cwd=ROOT, env=env, timeout=120, preexec_fn=lambda: os.umask(0o022),
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert mode(data) == 0o700
    databases = list(data.glob("*.sqlite3*"))
    assert databases, list(data.iterdir())
    for path in databases:  # the database and its -wal/-shm files
        assert mode(path) == 0o600, (path, oct(mode(path)))


def test_the_store_and_run_store_are_private_under_a_wide_umask(tmp_path: Path) -> None:
    from dropout_lab.store import Store
    from dropout_lab.training.runstore import RunStore

    data = tmp_path / "data"
    with wide_umask():
        store = Store(f"sqlite:///{data / 'learners.sqlite3'}")
        store.close()
        runs = RunStore(tmp_path / "other" / "runs")
        with runs.training_lock("a" * 16):  # a run's folder and its lock file
            pass
    assert mode(data) == 0o700 and mode(data / "learners.sqlite3") == 0o600
    assert private(tmp_path / "other") and private(runs.root)
    written = [p for p in runs.root.rglob("*")]
    assert written and all(private(p) for p in written), [(p, oct(mode(p))) for p in written]


def test_an_existing_database_file_keeps_working(tmp_path: Path) -> None:
    from dropout_lab.store import Store

    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    Store(url).close()
    Store(url).close()  # opened again: the file is there, nothing is re-created


@pytest.mark.parametrize("name", ["systemd-unit", "worker-unit"])
def test_the_systemd_units_make_files_private(name: str) -> None:
    service = docs.unit(name)["Service"]
    assert docs.values(service, "UMask") == ["0077"]
    assert docs.values(service, "StateDirectoryMode") == ["0700"]
