"""The backup and restore procedures of docs/hosting.md, carried out as written (paths and URL
replaced by the test's; `systemctl` and `chown` lines left out): back up a database with a
learner's progress in it, destroy the database, restore, and the learner's progress is back."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import psycopg
import pytest

from dropout_lab.store import Store
from tests.db.conftest import _pg_bin
from tests.hosting import docs

CLASS = "SOC-101"


def _learner_works(store: Store) -> int:
    """A learner with progress marks, a quiz answer, a reflection and a submission."""
    ada = store.join("Ada", CLASS)
    store.record(ada.id, "explore", "moved_rate")
    store.record(ada.id, "read", "quiz")
    store.save_quiz_answer(ada.id, "keras-scaling", 1, True)
    store.save_reflection(ada.id, "why-noise", "Dropout makes units unable to co-adapt.")
    return ada.id


def _what_ada_has(store: Store) -> tuple:
    ada = store.join("Ada", CLASS)  # a returning learner: the same row
    return (
        ada.id,
        store.progress(ada.id),
        store.quiz_answers(ada.id),
        store.reflections(ada.id),
    )


def _run(script: str, env: dict[str, str] | None = None) -> None:
    out = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})},
    )  # fmt: skip
    assert out.returncode == 0, f"{script}\n{out.stdout}\n{out.stderr}"


@pytest.mark.parametrize("backup", ["sqlite-backup", "sqlite-backup-python"])
def test_sqlite_backup_destroy_restore(tmp_path: Path, backup: str) -> None:
    data, backups = tmp_path / "data", tmp_path / "backups"
    db = data / "dropout-lab.sqlite3"
    paths = {docs.DATA_DIR: str(data), docs.BACKUP_DIR: str(backups)}
    url = f"sqlite:///{db}"
    store = Store(url)  # the server, still running during the backup
    _learner_works(store)
    before = _what_ada_has(store)
    assert db.with_name(db.name + "-wal").exists()  # recent writes are (also) in the WAL file
    _run(docs.shell_steps(backup, paths))
    store.close()

    for suffix in ("", "-wal", "-shm"):  # destroyed
        db.with_name(db.name + suffix).unlink(missing_ok=True)
    fresh = Store(url)
    assert _what_ada_has(fresh)[1] == {}  # a fresh database: Ada is a stranger
    fresh.close()  # the server is stopped for the restore

    _run(docs.shell_steps("sqlite-restore", paths))
    assert _what_ada_has(Store(url)) == before


def _libpq(sqlalchemy_url: str) -> str:
    return sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://", 1)


def test_postgresql_backup_destroy_restore(tmp_path: Path, fresh_pg_url: str) -> None:
    backups = tmp_path / "backups"
    paths = {docs.BACKUP_DIR: str(backups), docs.PG_URL: _libpq(fresh_pg_url)}
    env = {"PATH": f"{_pg_bin()}:{os.environ['PATH']}"}  # pg_dump of the server's own version
    store = Store(fresh_pg_url)
    _learner_works(store)
    before = _what_ada_has(store)
    _run(docs.shell_steps("pg-backup", paths), env)

    # Damaged: the learner's rows are gone, the tables are still there.
    with psycopg.connect(_libpq(fresh_pg_url)) as conn:
        conn.execute("DELETE FROM learners")
    assert _what_ada_has(store)[1] == {}
    store.close()
    _run(docs.shell_steps("pg-restore", paths), env)
    assert _what_ada_has(Store(fresh_pg_url)) == before

    # Lost: the database dropped and created again, empty.
    name = fresh_pg_url.rsplit("/", 1)[1]
    admin = _libpq(fresh_pg_url).rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    _run(docs.shell_steps("pg-restore", paths), env)
    assert _what_ada_has(Store(fresh_pg_url)) == before
